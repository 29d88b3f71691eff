// A minimal raw wire client for server tests: the handshake, requests by opcode with pipelining,
// watch events, pings and raw bytes. It knows the protocol only through @zkts/protocol.
import { createConnection, type Socket } from 'node:net';
import {
  ConnectRequest,
  ConnectResponse,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  Xid,
  decodeReply,
  encodeFrame,
  encodeRequest,
  type ReplyHeader,
  type WatcherEvent,
} from '@zkts/protocol';

export interface RawConnectOptions {
  timeoutMs?: number;
  sessionId?: bigint;
  passwd?: Uint8Array;
  /** The trailing readOnly byte (false when absent). */
  readOnly?: boolean;
  /** Leave the trailing readOnly byte out, as pre-3.3 clients do. */
  omitReadOnly?: boolean;
  lastZxidSeen?: number;
  /** How long to wait for each reply / event / close before failing. */
  waitMs?: number;
}

export interface RawReply {
  header: ReplyHeader;
  body: unknown;
}

/** Waits for `pred` to hold for an item pushed to a list, with a deadline. */
class Waiters<T> {
  readonly items: T[] = [];
  private readonly waiting: Array<{ pred: (t: T) => boolean; resolve: (t: T) => void }> = [];

  push(item: T): void {
    const i = this.waiting.findIndex((w) => w.pred(item));
    if (i >= 0) {
      const [w] = this.waiting.splice(i, 1);
      w!.resolve(item);
      return;
    }
    this.items.push(item);
  }

  take(pred: (t: T) => boolean, ms: number, what: string): Promise<T> {
    const i = this.items.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const entry = {
        pred,
        resolve: (t: T) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(new Error(`raw client: timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiting.push(entry);
    });
  }
}

export class RawClient {
  readonly socket: Socket;
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private readonly opByXid = new Map<number, number>();
  private nextXid = 1;
  private readonly frames = new Waiters<Uint8Array>();
  private readonly replies = new Waiters<RawReply>();
  /** Watch events (xid -1) in arrival order; also see `arrivals`. */
  readonly events = new Waiters<WatcherEvent>();
  /** Every xid received, in order (events are -1): for ordering assertions. */
  readonly arrivals: number[] = [];
  private handshaken = false;
  /** The payload of the last ConnectResponse (for byte-level checks). */
  connectResponseBytes: Uint8Array | null = null;
  readonly closed: Promise<void>;
  isClosed = false;
  bytesReceived = 0;

  private constructor(socket: Socket, readonly waitMs: number) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      resolve();
    }));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      for (const f of this.decoder.push(chunk)) this.onFrame(f.slice());
    });
  }

  /** Opens a TCP connection without handshaking. */
  static open(host: string, port: number, waitMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ host, port });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawClient(s, waitMs));
      });
    });
  }

  /** Opens a connection and performs the handshake. */
  static async connect(host: string, port: number, opts: RawConnectOptions = {}): Promise<RawClient & { session: ConnectResponse }> {
    const c = await RawClient.open(host, port, opts.waitMs);
    const session = await c.handshake(opts);
    return Object.assign(c, { session });
  }

  async handshake(opts: RawConnectOptions = {}): Promise<ConnectResponse> {
    const w = new JuteWriter(64);
    const req: ConnectRequest = {
      protocolVersion: 0,
      lastZxidSeen: opts.lastZxidSeen ?? 0,
      timeOut: opts.timeoutMs ?? 30_000,
      sessionId: opts.sessionId ?? 0n,
      passwd: opts.passwd ?? new Uint8Array(16),
    };
    if (!opts.omitReadOnly) req.readOnly = opts.readOnly ?? false;
    encodeFrame(w, ConnectRequest, req);
    this.rawWrite(w.toBuffer());
    const frame = await this.frames.take(() => true, this.waitMs, 'ConnectResponse');
    this.handshaken = true;
    this.connectResponseBytes = frame;
    return ConnectResponse.decode(new JuteReader(frame));
  }

  private onFrame(f: Uint8Array): void {
    if (!this.handshaken) {
      this.frames.push(f);
      return;
    }
    const r = decodeReply(f, (xid) => this.opByXid.get(xid));
    this.arrivals.push(r.header.xid);
    if (r.header.xid === Xid.notification) this.events.push(r.body as WatcherEvent);
    else this.replies.push({ header: r.header, body: r.body });
  }

  /** Sends a request without waiting; returns its xid. */
  send(op: number, body?: unknown, xid?: number): number {
    const x = xid ?? this.nextXid++;
    this.opByXid.set(x, op);
    const w = new JuteWriter(64);
    encodeRequest(w, { xid: x, type: op }, body);
    this.rawWrite(w.toBuffer());
    return x;
  }

  /** The reply with this xid. */
  reply(xid: number, ms = this.waitMs): Promise<RawReply> {
    return this.replies.take((r) => r.header.xid === xid, ms, `reply to xid ${xid}`);
  }

  async request(op: number, body?: unknown): Promise<RawReply> {
    return this.reply(this.send(op, body));
  }

  ping(): Promise<RawReply> {
    return this.reply(this.send(OpCode.ping, undefined, Xid.ping));
  }

  event(pred: (e: WatcherEvent) => boolean = () => true, ms = this.waitMs): Promise<WatcherEvent> {
    return this.events.take(pred, ms, 'a watch event');
  }

  rawWrite(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Resolves when the server closed the connection, rejects after `ms`. */
  async waitClosed(ms = this.waitMs): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`raw client: connection still open after ${ms} ms`)), ms);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Polls `cond` until true or the deadline (only for effects that emit no event). */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
