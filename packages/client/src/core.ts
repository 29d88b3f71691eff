// The client's connection state machine, kept free of sockets and timers: the runtime (client.ts)
// tells it that an attempt starts, feeds it bytes and the current time, and carries out what it
// asks for through CoreHooks (write bytes, drop the connection, announce a state). It owns the
// xids, the bounded request queue, the handshake, session re-establishment (same id and password,
// lastZxidSeen, setWatches with relativeZxid, auth replay), pings and read/connect timeouts.
import {
  AuthPacket,
  ConnectRequest,
  ConnectResponse,
  ErrorCode,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  SetWatches,
  SetWatches2,
  Xid,
  decodeReply,
  encodeFrame,
  encodeRequest,
  type WatcherEvent,
} from '@zkts/protocol';
import type { Chroot } from './connect-string.js';
import {
  AuthFailedError,
  ClientClosedError,
  ConnectionLossError,
  QueueFullError,
  SessionExpiredError,
  zooKeeperError,
} from './errors.js';
import { WatchRegistry } from './watches.js';

export type ConnectionState =
  | 'connecting'
  | 'connected'
  | 'disconnected'
  | 'reconnected'
  | 'readOnly'
  | 'expired'
  | 'authFailed'
  | 'closed';

export const TERMINAL_STATES: readonly ConnectionState[] = ['expired', 'authFailed', 'closed'];

export interface CoreHooks {
  /** Writes bytes to the current connection. */
  write(bytes: Uint8Array): void;
  /** Drops the current connection (the runtime then tries the next server, unless terminal). */
  dropConnection(reason: string): void;
  /** A state change to announce. */
  stateChanged(state: ConnectionState): void;
  /** The current time in milliseconds (injected: the core reads no clock itself). */
  now(): number;
}

/**
 * What happens to requests queued while there is no connection: 'wait' for the next one (at most
 * `queuedRequestTimeoutMs`), or 'fail' with ConnectionLoss as soon as a connection attempt fails
 * (the Java client's behaviour).
 */
export type DisconnectedRequestPolicy = 'wait' | 'fail';

export interface CoreOptions {
  sessionTimeoutMs: number;
  chroot: Chroot;
  maxQueuedRequests: number;
  canBeReadOnly: boolean;
  session?: { id: bigint; password: Uint8Array } | undefined;
  /** Default 'wait'. */
  requestsWhileDisconnected?: DisconnectedRequestPolicy;
  /** How long a request may wait in the queue for a connection (default: sessionTimeoutMs). */
  queuedRequestTimeoutMs?: number;
}

/** The znode ZooKeeper's getConfig reads; it is outside any chroot. */
export const CONFIG_NODE = '/zookeeper/config';

/** A reply as the core hands it back: the reply header's zxid and the decoded body. */
export interface Reply {
  zxid: number;
  body: unknown;
}

interface Pending {
  op: number;
  body: unknown;
  /** Client path used in error messages. */
  path: string | undefined;
  xid: number;
  /** When it was queued (for queuedRequestTimeoutMs). */
  queuedAtMs: number;
  /** Error codes that resolve instead of rejecting (exists answers NoNode as "null"). */
  okErrors: readonly number[] | undefined;
  /** Runs synchronously with the reply's error code before the promise settles (watch registration). */
  onReply: ((err: number) => void) | undefined;
  resolve(reply: Reply & { err: number }): void;
  reject(err: Error): void;
}

interface AuthInfo {
  scheme: string;
  auth: Uint8Array;
  waiter: { resolve(): void; reject(err: Error): void } | undefined;
}

/** ZooKeeper's protocol version in the handshake. */
const PROTOCOL_VERSION = 0;
const PASSWORD_BYTES = 16;
/** Java splits setWatches into packets of at most this many bytes of paths. */
const SET_WATCHES_MAX_BYTES = 128 * 1024;
const XID_MAX = 0x7fffffff;

type Phase = 'idle' | 'handshaking' | 'open' | 'terminal';

export class ClientCore {
  readonly watches = new WatchRegistry();
  /** getConfig's watches: keyed by the server path CONFIG_NODE, never translated by the chroot. */
  readonly configWatches = new WatchRegistry();
  private phase: Phase = 'idle';
  private state: ConnectionState = 'connecting';
  private everConnected = false;
  private readonly unsent: Pending[] = [];
  private readonly sent: Pending[] = [];
  private readonly auths: AuthInfo[] = [];
  /** The auth packets written on the current connection, in order, awaiting their replies. */
  private authInFlight: AuthInfo[] = [];
  private decoder = new FrameDecoder();
  private readonly writer = new JuteWriter();
  private nextXid = 1;
  private sessionIdValue: bigint;
  private passwordValue: Uint8Array;
  private negotiatedMs = 0;
  private lastZxidValue = 0;
  private attemptStartMs = 0;
  private connectTimeoutMs = 0;
  private lastSendMs = 0;
  private lastRecvMs = 0;
  private pings = 0;

  private readonly queuedRequestTimeoutMs: number;

  constructor(private readonly options: CoreOptions, private readonly hooks: CoreHooks) {
    this.queuedRequestTimeoutMs = options.queuedRequestTimeoutMs ?? options.sessionTimeoutMs;
    if (!(this.queuedRequestTimeoutMs > 0)) throw new RangeError(`queuedRequestTimeoutMs must be > 0, got ${this.queuedRequestTimeoutMs}`);
    if (!(options.maxQueuedRequests >= 1)) throw new RangeError(`maxQueuedRequests must be >= 1, got ${options.maxQueuedRequests}`);
    const policy = options.requestsWhileDisconnected ?? 'wait';
    if (policy !== 'wait' && policy !== 'fail') throw new RangeError(`requestsWhileDisconnected must be 'wait' or 'fail', got ${String(policy)}`);
    this.sessionIdValue = options.session?.id ?? 0n;
    this.passwordValue = options.session?.password ?? new Uint8Array(PASSWORD_BYTES);
  }

  get sessionId(): bigint {
    return this.sessionIdValue;
  }
  get sessionPassword(): Uint8Array {
    return this.passwordValue;
  }
  get negotiatedTimeoutMs(): number {
    return this.negotiatedMs;
  }
  get lastZxid(): number {
    return this.lastZxidValue;
  }
  get currentState(): ConnectionState {
    return this.state;
  }
  get isOpen(): boolean {
    return this.phase === 'open';
  }
  get isTerminal(): boolean {
    return this.phase === 'terminal';
  }
  get pingsSent(): number {
    return this.pings;
  }
  /** Requests waiting for a reply or for a connection. */
  get outstanding(): number {
    return this.sent.length + this.unsent.length;
  }

  // ---- requests -------------------------------------------------------------------------------

  /**
   * Queues a request; it is written now if connected, else when a connection opens. Rejects at
   * once when the queue is full or the client is finished.
   */
  submit(
    op: number,
    body: unknown,
    opts: { path?: string | undefined; okErrors?: readonly number[]; onReply?: (err: number) => void } = {},
  ): Promise<Reply & { err: number }> {
    if (this.phase === 'terminal') return Promise.reject(this.terminalError(opts.path));
    if (this.outstanding >= this.options.maxQueuedRequests) {
      return Promise.reject(new QueueFullError(this.options.maxQueuedRequests));
    }
    return new Promise((resolve, reject) => {
      const p: Pending = { op, body, path: opts.path, xid: 0, queuedAtMs: this.hooks.now(), okErrors: opts.okErrors, onReply: opts.onReply, resolve, reject };
      if (this.phase === 'open') this.send(p);
      else this.unsent.push(p);
    });
  }

  /** addauth: remembered for every later reconnect; resolves when this server accepts it. */
  addAuth(scheme: string, auth: Uint8Array): Promise<void> {
    if (this.phase === 'terminal') return Promise.reject(this.terminalError());
    return new Promise((resolve, reject) => {
      const info: AuthInfo = { scheme, auth, waiter: { resolve, reject } };
      this.auths.push(info);
      if (this.phase === 'open') this.sendAuth(info);
    });
  }

  private send(p: Pending): void {
    p.xid = this.nextXid;
    this.nextXid = this.nextXid >= XID_MAX ? 1 : this.nextXid + 1;
    this.writer.reset();
    encodeRequest(this.writer, { xid: p.xid, type: p.op }, p.body);
    this.sent.push(p);
    this.write(this.writer.toBuffer());
  }

  private sendAuth(info: AuthInfo): void {
    this.writer.reset();
    encodeRequest(this.writer, { xid: Xid.auth, type: OpCode.auth }, { type: 0, scheme: info.scheme, auth: info.auth } satisfies AuthPacket);
    this.authInFlight.push(info);
    this.write(this.writer.toBuffer());
  }

  private write(bytes: Uint8Array): void {
    this.lastSendMs = this.hooks.now();
    this.hooks.write(bytes);
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  /** A new attempt starts (before the TCP connect); it must finish its handshake in time. */
  beginAttempt(nowMs: number, connectTimeoutMs: number): void {
    if (this.phase === 'terminal') return;
    this.phase = 'handshaking';
    this.attemptStartMs = nowMs;
    this.connectTimeoutMs = connectTimeoutMs;
    this.decoder = new FrameDecoder();
    this.authInFlight = [];
  }

  /** The TCP connection is up: the ConnectRequest frame to write. */
  handshakeFrame(nowMs: number): Uint8Array {
    const w = new JuteWriter(64);
    const req: ConnectRequest = {
      protocolVersion: PROTOCOL_VERSION,
      lastZxidSeen: this.lastZxidValue,
      timeOut: this.options.sessionTimeoutMs,
      sessionId: this.sessionIdValue,
      passwd: this.passwordValue,
      readOnly: this.options.canBeReadOnly,
    };
    encodeFrame(w, ConnectRequest, req);
    this.lastSendMs = nowMs;
    return w.toBuffer();
  }

  /** Bytes from the server. Throws nothing: a protocol violation drops the connection. */
  receive(chunk: Uint8Array, nowMs: number): void {
    if (this.phase !== 'handshaking' && this.phase !== 'open') return;
    this.lastRecvMs = nowMs;
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.hooks.dropConnection(`bad frame from server: ${(e as Error).message}`);
      return;
    }
    for (const frame of frames) {
      if (this.phase === 'handshaking') this.onConnectResponse(frame, nowMs);
      else if (this.phase === 'open') this.onReply(frame);
      else return;
    }
  }

  private onConnectResponse(frame: Uint8Array, nowMs: number): void {
    let res: ConnectResponse;
    try {
      res = ConnectResponse.decode(new JuteReader(frame));
    } catch (e) {
      this.hooks.dropConnection(`bad ConnectResponse: ${(e as Error).message}`);
      return;
    }
    if (res.timeOut <= 0) {
      this.finish('expired', new SessionExpiredError());
      this.hooks.dropConnection('session expired');
      return;
    }
    this.phase = 'open';
    this.negotiatedMs = res.timeOut;
    this.sessionIdValue = res.sessionId;
    this.passwordValue = res.passwd;
    this.lastRecvMs = nowMs;
    this.lastSendMs = nowMs;
    this.sendSetWatches();
    for (const info of this.auths) this.sendAuth(info);
    const queued = this.unsent.splice(0);
    for (const p of queued) this.send(p);
    const next: ConnectionState = res.readOnly ? 'readOnly' : this.everConnected ? 'reconnected' : 'connected';
    this.everConnected = true;
    this.setState(next);
  }

  private sendSetWatches(): void {
    const snap = this.watches.snapshot();
    const config = this.configWatches.snapshot();
    const toServer = (paths: string[]): string[] => paths.map((p) => this.options.chroot.toServer(p));
    const lists = {
      dataWatches: [...toServer(snap.data), ...config.data],
      existWatches: [...toServer(snap.exist), ...config.exist],
      childWatches: toServer(snap.child),
      persistentWatches: toServer(snap.persistent),
      persistentRecursiveWatches: toServer(snap.persistentRecursive),
    };
    type Key = keyof typeof lists;
    const keys = Object.keys(lists) as Key[];
    const cursor: Record<Key, number> = { dataWatches: 0, existWatches: 0, childWatches: 0, persistentWatches: 0, persistentRecursiveWatches: 0 };
    const remaining = (): boolean => keys.some((k) => cursor[k] < lists[k].length);
    while (remaining()) {
      let bytes = 0;
      const batch: Record<Key, string[]> = { dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };
      for (const k of keys) {
        while (cursor[k] < lists[k].length && bytes < SET_WATCHES_MAX_BYTES) {
          const path = lists[k][cursor[k]++]!;
          batch[k].push(path);
          bytes += Buffer.byteLength(path) + 4;
        }
      }
      this.writer.reset();
      const base: SetWatches = { relativeZxid: this.lastZxidValue, dataWatches: batch.dataWatches, existWatches: batch.existWatches, childWatches: batch.childWatches };
      if (batch.persistentWatches.length === 0 && batch.persistentRecursiveWatches.length === 0) {
        encodeRequest(this.writer, { xid: Xid.setWatches, type: OpCode.setWatches }, base);
      } else {
        const v2: SetWatches2 = { ...base, persistentWatches: batch.persistentWatches, persistentRecursiveWatches: batch.persistentRecursiveWatches };
        encodeRequest(this.writer, { xid: Xid.setWatches, type: OpCode.setWatches2 }, v2);
      }
      this.write(this.writer.toBuffer());
    }
  }

  private onReply(frame: Uint8Array): void {
    const head = this.sent[0];
    let reply;
    try {
      reply = decodeReply(frame, (xid) => (head !== undefined && head.xid === xid ? head.op : undefined));
    } catch (e) {
      this.hooks.dropConnection(`bad reply: ${(e as Error).message}`);
      return;
    }
    const { header, body } = reply;
    switch (header.xid) {
      case Xid.ping:
      case Xid.setWatches:
        return;
      case Xid.notification: {
        const ev = body as WatcherEvent;
        if (ev.path === CONFIG_NODE) this.configWatches.dispatch(ev.type, CONFIG_NODE);
        this.watches.dispatch(ev.type, this.options.chroot.toClient(ev.path));
        return;
      }
      case Xid.auth: {
        const info = this.authInFlight.shift();
        const waiter = info?.waiter;
        if (info) info.waiter = undefined;
        if (header.err === ErrorCode.authFailed) {
          const err = new AuthFailedError(undefined, info ? `scheme ${info.scheme}` : undefined);
          waiter?.reject(err);
          this.finish('authFailed', err);
          this.hooks.dropConnection('auth failed');
        } else if (header.err !== 0) {
          waiter?.reject(zooKeeperError(header.err));
        } else {
          waiter?.resolve();
        }
        return;
      }
    }
    if (head === undefined || head.xid !== header.xid) {
      this.hooks.dropConnection(`xid out of order: got ${header.xid}, expected ${head?.xid ?? 'none'}`);
      return;
    }
    this.sent.shift();
    if (header.zxid > 0) this.lastZxidValue = header.zxid;
    head.onReply?.(header.err);
    if (header.err === 0 || head.okErrors?.includes(header.err)) {
      head.resolve({ zxid: header.zxid, err: header.err, body });
    } else {
      head.reject(zooKeeperError(header.err, head.path));
    }
  }

  /**
   * Time passes: sends a ping after a third of the negotiated timeout without a write, drops a
   * connection silent for two thirds of it, and an attempt not through its handshake in time.
   */
  tick(nowMs: number): void {
    if (this.phase === 'terminal') return;
    if (this.unsent.length > 0) this.expireQueued(nowMs);
    if (this.phase === 'handshaking') {
      if (nowMs - this.attemptStartMs >= this.connectTimeoutMs) this.hooks.dropConnection('connect timeout');
      return;
    }
    if (this.phase !== 'open') return;
    const readTimeoutMs = (this.negotiatedMs * 2) / 3;
    if (nowMs - this.lastRecvMs >= readTimeoutMs) {
      this.hooks.dropConnection(`no reply from server for ${nowMs - this.lastRecvMs} ms`);
      return;
    }
    if (nowMs - this.lastSendMs >= this.negotiatedMs / 3) {
      this.writer.reset();
      encodeRequest(this.writer, { xid: Xid.ping, type: OpCode.ping });
      this.pings++;
      this.write(this.writer.toBuffer());
    }
  }

  /** The connection closed: requests in flight fail with ConnectionLoss; queued ones wait. */
  connectionLost(): void {
    const wasOpen = this.phase === 'open';
    if (this.phase !== 'terminal') this.phase = 'idle';
    this.authInFlight = [];
    const failed = this.sent.splice(0);
    for (const p of failed) p.reject(new ConnectionLossError(p.path));
    if (wasOpen && this.phase !== 'terminal') this.setState('disconnected');
  }

  /** Requests queued for longer than queuedRequestTimeoutMs without a connection fail with ConnectionLoss. */
  private expireQueued(nowMs: number): void {
    const deadline = nowMs - this.queuedRequestTimeoutMs;
    if (this.unsent[0]!.queuedAtMs > deadline) return;
    const kept = this.unsent.filter((p) => p.queuedAtMs > deadline);
    const expired = this.unsent.filter((p) => p.queuedAtMs <= deadline);
    this.unsent.splice(0, this.unsent.length, ...kept);
    for (const p of expired) {
      p.reject(new ConnectionLossError(p.path, `no connection within ${this.queuedRequestTimeoutMs} ms (queuedRequestTimeoutMs)`));
    }
  }

  /**
   * A connection attempt failed before a session was established (refused, timed out, closed by
   * the server). With requestsWhileDisconnected 'fail' every queued request fails now, as in Java.
   */
  attemptFailed(server: string, reason: string): void {
    if (this.phase === 'terminal' || (this.options.requestsWhileDisconnected ?? 'wait') !== 'fail') return;
    for (const p of this.unsent.splice(0)) {
      p.reject(new ConnectionLossError(p.path, `connection attempt to ${server} failed: ${reason}`));
    }
  }

  /** Ends the client: every queued request fails, every watch ends. */
  finish(state: 'expired' | 'authFailed' | 'closed', err?: Error): void {
    if (this.phase === 'terminal') return;
    this.phase = 'terminal';
    const error = err ?? new ClientClosedError();
    for (const p of [...this.sent.splice(0), ...this.unsent.splice(0)]) p.reject(state === 'closed' ? new ClientClosedError(p.path) : error);
    for (const info of this.auths) info.waiter?.reject(error);
    this.auths.length = 0;
    this.watches.clear(state === 'closed' ? undefined : error);
    this.configWatches.clear(state === 'closed' ? undefined : error);
    this.setState(state);
  }

  private terminalError(path?: string): Error {
    if (this.state === 'expired') return new SessionExpiredError(path);
    if (this.state === 'authFailed') return new AuthFailedError(path);
    return new ClientClosedError(path);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state && state !== 'reconnected') return;
    this.state = state;
    this.hooks.stateChanged(state);
  }
}
