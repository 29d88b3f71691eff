// ZooKeeperClient: the runtime around ClientCore. node:net sockets, timers and rxjs live here;
// each operation translates paths through the chroot, builds a request record, and decodes the
// reply into a plain result. Watches come back as Observables.
import { createConnection, type Socket } from 'node:net';
import { BehaviorSubject, Observable, ReplaySubject, Subject, filter, firstValueFrom, type Subscriber } from 'rxjs';
import {
  type ACL,
  type ClientInfo,
  type ReconfigRequest,
  type Create2Response,
  type CreateResponse,
  ErrorCode,
  type GetACLResponse,
  type GetChildren2Response,
  type GetChildrenResponse,
  type GetDataResponse,
  type MultiOp,
  type MultiResponse,
  OPEN_ACL_UNSAFE,
  OpCode,
  type OpResult,
  type Stat,
  validatePath,
  AddWatchMode,
  WatcherType,
} from '@zkts/protocol';
import { Chroot, parseConnectString, type ServerAddress } from './connect-string.js';
import { ClientCore, CONFIG_NODE, type ConnectionState, TERMINAL_STATES } from './core.js';
import {
  ConnectionLossError,
  InvalidAclError,
  MultiError,
  type MultiOpOutcome,
  NoWatcherError,
  SessionExpiredError,
  AuthFailedError,
  ZooKeeperError,
  zooKeeperError,
} from './errors.js';
import { type ClientOptions, type CreateModeName, createModeValue, isSequentialMode, isTtlMode, TTL_MAX_MS } from './options.js';
import { exponentialBackoff, isRetryable, type RetryPolicy } from './retry.js';
import { type Data, Transaction, type TransactionOp, type TransactionResult } from './transaction.js';
import type { RemoveWatchesType, WatchedEvent, WatchKind, WatchSink } from './watches.js';

export interface CreateOptions {
  mode?: CreateModeName | number;
  acl?: readonly ACL[];
  /** Milliseconds, for persistentWithTtl / persistentSequentialWithTtl. */
  ttl?: number;
}

export interface WatchOption<W extends boolean> {
  /** Leave a one-shot watch; the result then carries `watch`, an Observable of one event. */
  watch?: W;
}
type Watched<W, T> = W extends true ? T & { watch: Observable<WatchedEvent> } : T;

export interface DataResult { data: Uint8Array | null; stat: Stat }

/** ZooKeeper's Watcher.Event.KeeperState names, for connection events. */
export type KeeperStateName = 'SyncConnected' | 'Disconnected' | 'Expired' | 'AuthFailed' | 'ConnectedReadOnly' | 'Closed';

/**
 * A connection event as Java's default watcher receives it (EventType None, path null): one per
 * announced state change (connected and reconnected are both SyncConnected).
 */
export interface ConnectionEvent {
  type: 'none';
  state: KeeperStateName;
  path: null;
}

/** A connection attempt that ended before a session was established. */
export interface ConnectAttemptFailure {
  server: ServerAddress;
  reason: string;
}

/** reconfig's arguments (ZooKeeperAdmin.reconfigure): incremental (joining/leaving) or a whole new membership. */
export interface ReconfigOptions {
  /** server.N=host:quorum:election[:role];clientHost:clientPort entries, comma separated. */
  joining?: string;
  /** Server ids, comma separated. */
  leaving?: string;
  /** A non-incremental change: the complete new membership. */
  newMembers?: string;
  /** Apply only if the current config is this version (-1: any). */
  fromConfig?: number;
}

const KEEPER_STATES: Partial<Record<ConnectionState, KeeperStateName>> = {
  connected: 'SyncConnected',
  reconnected: 'SyncConnected',
  disconnected: 'Disconnected',
  readOnly: 'ConnectedReadOnly',
  expired: 'Expired',
  authFailed: 'AuthFailed',
  closed: 'Closed',
};

/** ZooKeeper.validateACL: the client refuses an empty ACL list before sending (InvalidACL, no path). */
function checkAcl(acl: readonly ACL[] | undefined): void {
  if (acl !== undefined && acl.length === 0) throw new InvalidAclError();
}
export interface ChildrenResult { children: string[] }
export interface ChildrenWithStatResult { children: string[]; stat: Stat }
export interface ExistsResult { stat: Stat | null }

export type ReadOp = { type: 'getData'; path: string } | { type: 'getChildren'; path: string };
export type ReadOpResult<T extends ReadOp> =
  | (T extends { type: 'getData' } ? { type: 'getData'; data: Uint8Array | null; stat: Stat } : { type: 'getChildren'; children: string[] })
  | { type: 'error'; error: ZooKeeperError };

const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_QUEUED = 1000;
const DEFAULT_RECONNECT_DELAY_MS = 200;
const CLOSE_REPLY_WAIT_MAX_MS = 2000;
const TICK_MIN_MS = 10;

const encoder = new TextEncoder();
function bytes(data: Data): Uint8Array | null {
  if (data === undefined || data === null) return data === null ? null : new Uint8Array(0);
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** Delivers buffered events to the first subscriber, then passes them through (persistent watches). */
class BufferedStream implements WatchSink<WatchedEvent> {
  private buffer: WatchedEvent[] | null = [];
  private readonly subscribers = new Set<Subscriber<WatchedEvent>>();
  private ended: { error?: unknown } | null = null;
  readonly observable = new Observable<WatchedEvent>((sub) => {
    if (this.buffer) {
      for (const e of this.buffer) sub.next(e);
      this.buffer = null;
    }
    if (this.ended) {
      if ('error' in this.ended) sub.error(this.ended.error);
      else sub.complete();
      return;
    }
    this.subscribers.add(sub);
    return () => this.subscribers.delete(sub);
  });
  next(e: WatchedEvent): void {
    if (this.buffer) this.buffer.push(e);
    for (const s of this.subscribers) s.next(e);
  }
  complete(): void {
    this.ended = {};
    for (const s of [...this.subscribers]) s.complete();
  }
  error(err: unknown): void {
    this.ended = { error: err };
    for (const s of [...this.subscribers]) s.error(err);
  }
}

export class ZooKeeperClient {
  /** The connect string's servers, in the order they are tried. */
  readonly servers: readonly ServerAddress[];
  readonly chroot: string | undefined;
  private readonly path: Chroot;
  private readonly core: ClientCore;
  private readonly stateSubject = new BehaviorSubject<ConnectionState>('connecting');
  private readonly eventSubject = new Subject<ConnectionEvent>();
  private readonly attemptFailureSubject = new Subject<ConnectAttemptFailure>();
  /** Why the current connection was dropped by the core (read timeout, connect timeout, ...). */
  private dropReason: string | undefined;
  private readonly retryPolicy: RetryPolicy;
  private readonly sessionTimeoutMs: number;
  private readonly reconnectDelayMs: number;
  private socket: Socket | undefined;
  private current: ServerAddress | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private sleeping: { timer: NodeJS.Timeout; wake(): void } | undefined;
  private closing = false;
  private readonly loop: Promise<void>;

  /** Connection state: connecting, connected, disconnected, reconnected, readOnly, expired, authFailed, closed. */
  readonly state$: Observable<ConnectionState> = this.stateSubject.asObservable();

  /**
   * ZooKeeper-style connection events (Java's EventType None): SyncConnected, Disconnected,
   * ConnectedReadOnly, Expired, AuthFailed, Closed. Hot: only events after subscribing; completes
   * after Closed / Expired / AuthFailed.
   */
  readonly events$: Observable<ConnectionEvent> = this.eventSubject.asObservable();

  /**
   * Every connection attempt that failed before a session was established: refused, unreachable,
   * timed out, or closed by the server unanswered (e.g. a server behind the client's zxid, or one
   * without a quorum). The client goes on to the next server.
   */
  readonly attemptFailures$: Observable<ConnectAttemptFailure> = this.attemptFailureSubject.asObservable();

  constructor(connectString: string, options: ClientOptions = {}) {
    const parsed = parseConnectString(connectString);
    const servers = [...parsed.servers];
    if (options.shuffleServers) {
      for (let i = servers.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [servers[i], servers[j]] = [servers[j]!, servers[i]!];
      }
    }
    this.servers = servers;
    this.chroot = parsed.chroot;
    this.path = new Chroot(parsed.chroot);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.reconnectDelayMs = options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS;
    this.retryPolicy = options.retry ?? exponentialBackoff();
    this.core = new ClientCore(
      {
        sessionTimeoutMs: this.sessionTimeoutMs,
        chroot: this.path,
        maxQueuedRequests: options.maxQueuedRequests ?? DEFAULT_MAX_QUEUED,
        canBeReadOnly: options.canBeReadOnly ?? false,
        session: options.session,
        requestsWhileDisconnected: options.requestsWhileDisconnected ?? 'wait',
        queuedRequestTimeoutMs: options.queuedRequestTimeoutMs ?? this.sessionTimeoutMs,
      },
      {
        write: (b) => {
          this.socket?.write(b);
        },
        dropConnection: (reason) => {
          this.dropReason = reason;
          this.socket?.destroy();
        },
        stateChanged: (s) => this.onState(s),
        now: () => Date.now(),
      },
    );
    this.loop = this.run();
  }

  /** Creates a client and waits for its first session (rejects on expiry or after initialConnectTimeoutMs). */
  static async connect(connectString: string, options: ClientOptions = {}): Promise<ZooKeeperClient> {
    const client = new ZooKeeperClient(connectString, options);
    try {
      await client.waitConnected(options.initialConnectTimeoutMs ?? client.sessionTimeoutMs);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  // ---- state ----------------------------------------------------------------------------------

  get state(): ConnectionState {
    return this.stateSubject.value;
  }
  get isConnected(): boolean {
    return this.core.isOpen;
  }
  get sessionId(): bigint {
    return this.core.sessionId;
  }
  get sessionPassword(): Uint8Array {
    return this.core.sessionPassword;
  }
  get negotiatedTimeoutMs(): number {
    return this.core.negotiatedTimeoutMs;
  }
  /** The highest zxid seen in a reply; sent as lastZxidSeen so no server behind it is used. */
  get lastZxid(): number {
    return this.core.lastZxid;
  }
  /** The server of the current (or last) connection. */
  get connectedServer(): ServerAddress | undefined {
    return this.current;
  }
  get pingsSent(): number {
    return this.core.pingsSent;
  }

  /** Resolves once connected (now or later); rejects on expired / authFailed / closed or timeout. */
  async waitConnected(timeoutMs?: number): Promise<void> {
    const wanted = firstValueFrom(this.state$.pipe(filter((s) => s === 'connected' || s === 'reconnected' || s === 'readOnly' || TERMINAL_STATES.includes(s))));
    let timer: NodeJS.Timeout | undefined;
    const timeout = timeoutMs === undefined ? undefined : new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectionLossError(undefined, `not connected within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const s = await (timeout ? Promise.race([wanted, timeout]) : wanted);
      if (s === 'expired') throw new SessionExpiredError();
      if (s === 'authFailed') throw new AuthFailedError();
      if (s === 'closed') throw new ConnectionLossError(undefined, 'client closed');
    } finally {
      clearTimeout(timer);
    }
  }

  private onState(s: ConnectionState): void {
    if (s === 'connected' || s === 'reconnected' || s === 'readOnly') this.startTicker();
    if (TERMINAL_STATES.includes(s)) this.stopTicker();
    this.stateSubject.next(s);
    const keeperState = KEEPER_STATES[s];
    if (keeperState !== undefined) this.eventSubject.next({ type: 'none', state: keeperState, path: null });
    if (TERMINAL_STATES.includes(s)) {
      this.eventSubject.complete();
      this.attemptFailureSubject.complete();
    }
  }

  // ---- the connection loop --------------------------------------------------------------------

  private async run(): Promise<void> {
    let index = 0;
    let failures = 0;
    while (!this.closing && !this.core.isTerminal) {
      const server = this.servers[index]!;
      index = (index + 1) % this.servers.length;
      const established = await this.attempt(server);
      failures = established ? 0 : failures + 1;
      if (failures >= this.servers.length && !this.closing && !this.core.isTerminal) {
        failures = 0;
        await this.sleep(this.reconnectDelayMs);
      }
    }
    this.stopTicker();
  }

  private attempt(server: ServerAddress): Promise<boolean> {
    return new Promise((resolve) => {
      this.current = server;
      const connectTimeoutMs = Math.max(1, Math.floor(this.sessionTimeoutMs / this.servers.length));
      this.core.beginAttempt(Date.now(), connectTimeoutMs);
      this.startTicker(Math.max(TICK_MIN_MS, Math.min(connectTimeoutMs / 4, 250)));
      let established = false;
      let socketError: string | undefined;
      this.dropReason = undefined;
      const sock = createConnection({ host: server.host, port: server.port });
      this.socket = sock;
      sock.setNoDelay(true);
      sock.on('connect', () => sock.write(this.core.handshakeFrame(Date.now())));
      sock.on('data', (chunk: Buffer) => {
        if (this.socket !== sock) return;
        this.core.receive(chunk, Date.now());
        if (this.core.isOpen) established = true;
      });
      sock.on('error', (e: NodeJS.ErrnoException) => {
        socketError = e.code ?? e.message;
      });
      sock.once('close', () => {
        if (this.socket === sock) {
          this.socket = undefined;
          this.core.connectionLost();
          if (!established && !this.closing && !this.core.isTerminal) {
            const reason = this.dropReason ?? socketError ?? 'closed by the server before the handshake completed';
            const address = `${server.host}:${server.port}`;
            this.core.attemptFailed(address, reason);
            this.attemptFailureSubject.next({ server, reason });
          }
        }
        resolve(established);
      });
    });
  }

  private startTicker(periodMs?: number): void {
    this.stopTicker();
    const negotiated = this.core.negotiatedTimeoutMs || this.sessionTimeoutMs;
    const period = periodMs ?? Math.max(TICK_MIN_MS, Math.floor(negotiated / 15));
    this.ticker = setInterval(() => this.core.tick(Date.now()), period);
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping = { timer, wake };
    });
  }

  /** Sends closeSession (the server deletes the session's ephemerals) and ends the client. */
  async close(): Promise<void> {
    if (this.closing) return this.loop;
    this.closing = true;
    if (this.core.isOpen) {
      let timer: NodeJS.Timeout | undefined;
      const wait = Math.min(this.core.negotiatedTimeoutMs, CLOSE_REPLY_WAIT_MAX_MS);
      await Promise.race([
        this.core.submit(OpCode.closeSession, undefined).catch(() => undefined),
        new Promise((r) => (timer = setTimeout(r, wait))),
      ]);
      clearTimeout(timer);
    }
    this.core.finish('closed');
    this.socket?.destroy();
    this.sleeping?.wake();
    await this.loop;
    this.stopTicker();
    this.stateSubject.complete();
  }

  // ---- helpers --------------------------------------------------------------------------------

  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= this.retryPolicy.maxRetries || !isRetryable(e) || this.closing || this.core.isTerminal) throw e;
        await new Promise((r) => setTimeout(r, this.retryPolicy.delayMs(attempt)));
      }
    }
  }

  private serverPath(path: string, sequential = false): string {
    validatePath(path, sequential);
    return this.path.toServer(path);
  }

  private oneShot(kind: WatchKind, path: string): { sink: ReplaySubject<WatchedEvent>; register(): void } {
    const sink = new ReplaySubject<WatchedEvent>(1);
    return { sink, register: () => this.core.watches.add(kind, path, sink) };
  }

  // ---- operations -----------------------------------------------------------------------------

  /** create: returns the created path (with the sequence number for sequential modes). */
  async create(path: string, data?: Data, opts: CreateOptions = {}): Promise<string> {
    return (await this.createInternal(path, data, opts, false)).path;
  }

  /** create2: the created path and the new node's Stat. */
  async create2(path: string, data?: Data, opts: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const r = await this.createInternal(path, data, opts, true);
    return { path: r.path, stat: r.stat! };
  }

  private createRequest(path: string, data: Data, opts: CreateOptions, wantStat: boolean): MultiOp {
    const mode = createModeValue(opts.mode ?? 'persistent');
    const server = this.serverPath(path, isSequentialMode(mode));
    const base = { path: server, data: bytes(data), acl: [...(opts.acl ?? OPEN_ACL_UNSAFE)], flags: mode };
    if (isTtlMode(mode)) {
      const ttl = opts.ttl;
      if (ttl === undefined || !(ttl > 0 && ttl <= TTL_MAX_MS)) {
        throw new RangeError(`ttl must be positive and cannot be larger than: ${TTL_MAX_MS}`);
      }
      return { type: OpCode.createTTL, request: { ...base, ttl } };
    }
    if (opts.ttl !== undefined) throw new RangeError(`ttl is only valid with a TTL create mode, not mode ${mode}`);
    if (mode === 4) return { type: OpCode.createContainer, request: base };
    return { type: wantStat ? OpCode.create2 : OpCode.create, request: base };
  }

  private async createInternal(path: string, data: Data, opts: CreateOptions, wantStat: boolean): Promise<{ path: string; stat?: Stat }> {
    const op = this.createRequest(path, data, opts, wantStat);
    checkAcl(opts.acl); // after the path and ttl checks, in Java's order; multi leaves it to the server
    const reply = await this.core.submit(op.type, op.request, { path });
    const body = reply.body as CreateResponse | Create2Response;
    return { path: this.path.toClient(body.path), ...('stat' in body ? { stat: body.stat } : {}) };
  }

  /** delete; version -1 matches any version. */
  async delete(path: string, version = -1): Promise<void> {
    await this.core.submit(OpCode.delete, { path: this.serverPath(path), version }, { path });
  }

  /** exists: the Stat, or null when the node does not exist. With watch: an exists/data watch. */
  exists(path: string): Promise<Stat | null>;
  exists<W extends boolean>(path: string, opts: WatchOption<W>): Promise<Watched<W, ExistsResult>>;
  async exists(path: string, opts?: WatchOption<boolean>): Promise<unknown> {
    const server = this.serverPath(path);
    const watch = opts?.watch === true;
    return this.retrying(async () => {
      const ws = watch ? this.oneShot('data', path) : undefined;
      const reply = await this.core.submit(OpCode.exists, { path: server, watch }, {
        path,
        okErrors: [ErrorCode.noNode],
        onReply: ws
          ? (err) => {
              this.core.watches.add(err === 0 ? 'data' : 'exist', path, ws.sink);
            }
          : undefined,
      });
      const stat = reply.err === 0 ? (reply.body as { stat: Stat }).stat : null;
      if (opts === undefined) return stat;
      return ws ? { stat, watch: ws.sink.asObservable() } : { stat };
    });
  }

  getData(path: string): Promise<DataResult>;
  getData<W extends boolean>(path: string, opts: WatchOption<W>): Promise<Watched<W, DataResult>>;
  async getData(path: string, opts?: WatchOption<boolean>): Promise<unknown> {
    return this.readWithWatch<GetDataResponse, DataResult>(OpCode.getData, 'data', path, opts?.watch === true, (b) => ({ data: b.data, stat: b.stat }));
  }

  getChildren(path: string): Promise<string[]>;
  getChildren<W extends boolean>(path: string, opts: WatchOption<W>): Promise<Watched<W, ChildrenResult>>;
  async getChildren(path: string, opts?: WatchOption<boolean>): Promise<unknown> {
    const r = await this.readWithWatch<GetChildrenResponse, ChildrenResult>(OpCode.getChildren, 'child', path, opts?.watch === true, (b) => ({ children: b.children }));
    return opts === undefined ? r.children : r;
  }

  /** getChildren2: the children and the parent's Stat. */
  getChildren2(path: string): Promise<ChildrenWithStatResult>;
  getChildren2<W extends boolean>(path: string, opts: WatchOption<W>): Promise<Watched<W, ChildrenWithStatResult>>;
  async getChildren2(path: string, opts?: WatchOption<boolean>): Promise<unknown> {
    return this.readWithWatch<GetChildren2Response, ChildrenWithStatResult>(OpCode.getChildren2, 'child', path, opts?.watch === true, (b) => ({ children: b.children, stat: b.stat }));
  }

  private readWithWatch<B, R>(op: number, kind: WatchKind, path: string, watch: boolean, map: (b: B) => R): Promise<R & { watch?: Observable<WatchedEvent> }> {
    const server = this.serverPath(path);
    return this.retrying(async (): Promise<R & { watch?: Observable<WatchedEvent> }> => {
      const ws = watch ? this.oneShot(kind, path) : undefined;
      const reply = await this.core.submit(op, { path: server, watch }, { path, onReply: ws ? (err) => { if (err === 0) ws.register(); } : undefined });
      const result = map(reply.body as B);
      return ws ? { ...result, watch: ws.sink.asObservable() } : (result as R & { watch?: Observable<WatchedEvent> });
    });
  }

  /** setData; version -1 matches any version. Returns the new Stat. */
  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    const reply = await this.core.submit(OpCode.setData, { path: this.serverPath(path), data: bytes(data), version }, { path });
    return (reply.body as { stat: Stat }).stat;
  }

  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    const server = this.serverPath(path);
    return this.retrying(async () => {
      const reply = await this.core.submit(OpCode.getACL, { path: server }, { path });
      const b = reply.body as GetACLResponse;
      return { acl: b.acl, stat: b.stat };
    });
  }

  /** setACL; an empty list is refused in the client with InvalidAclError, as Java does. */
  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    const server = this.serverPath(path);
    checkAcl(acl);
    const reply = await this.core.submit(OpCode.setACL, { path: server, acl: [...acl], version }, { path });
    return (reply.body as { stat: Stat }).stat;
  }

  /** sync: the server this client talks to catches up with the leader for `path`. */
  async sync(path: string): Promise<void> {
    const server = this.serverPath(path);
    await this.retrying(() => this.core.submit(OpCode.sync, { path: server }, { path }));
  }

  /** The session's ephemeral nodes under `prefixPath` (client paths). */
  async getEphemerals(prefixPath = '/'): Promise<string[]> {
    const server = this.serverPath(prefixPath);
    return this.retrying(async () => {
      const reply = await this.core.submit(OpCode.getEphemerals, { prefixPath: server }, { path: prefixPath });
      return (reply.body as { ephemerals: string[] }).ephemerals.map((p) => this.path.toClient(p));
    });
  }

  /** The number of descendants of `path` (not counting it). */
  async getAllChildrenNumber(path: string): Promise<number> {
    const server = this.serverPath(path);
    return this.retrying(async () => {
      const reply = await this.core.submit(OpCode.getAllChildrenNumber, { path: server }, { path });
      return (reply.body as { totalNumber: number }).totalNumber;
    });
  }

  /** The identities this connection is authenticated as. */
  async whoAmI(): Promise<ClientInfo[]> {
    return this.retrying(async () => {
      const reply = await this.core.submit(OpCode.whoAmI, undefined);
      return (reply.body as { clientInfo: ClientInfo[] }).clientInfo;
    });
  }

  /** addauth, e.g. addAuth('digest', 'user:secret'); replayed after every reconnect. */
  async addAuth(scheme: string, auth: Uint8Array | string): Promise<void> {
    await this.core.addAuth(scheme, typeof auth === 'string' ? encoder.encode(auth) : auth);
  }

  /**
   * addWatch: a persistent watch (every data/children/create/delete event at `path`) or, with
   * recursive, one on the whole subtree (no child events). The stream completes when removed
   * with removeWatches(path, 'any') and ends with the session.
   */
  async addWatch(path: string, opts: { recursive?: boolean } = {}): Promise<Observable<WatchedEvent>> {
    const server = this.serverPath(path);
    const mode = opts.recursive ? AddWatchMode.persistentRecursive : AddWatchMode.persistent;
    const stream = new BufferedStream();
    await this.core.submit(OpCode.addWatch, { path: server, mode }, {
      path,
      onReply: (err) => {
        if (err === 0) this.core.watches.add(opts.recursive ? 'persistentRecursive' : 'persistent', path, stream);
      },
    });
    return stream.observable;
  }

  /**
   * removeWatches(path, type, {local}): removes this client's watches of `type` at `path` on the
   * server; each removed stream gets its removal event (dataWatchRemoved, childWatchRemoved,
   * persistentWatchRemoved) and completes. NoWatcherError when the client has none there
   * (checked locally first, as Java does). With `local: true` the watches are removed on the client
   * even when the server cannot be asked (no connection: nothing is sent) or answers an error, as
   * Java's removeWatches(..., local=true); the server may then still send their events, which go
   * nowhere.
   */
  async removeWatches(path: string, type: RemoveWatchesType = 'any', opts: { local?: boolean } = {}): Promise<void> {
    const server = this.serverPath(path);
    if (type !== 'children' && type !== 'data' && type !== 'any') throw new RangeError(`removeWatches: type must be 'children', 'data' or 'any', got ${String(type)}`);
    // getConfig's watch is found under its path too, as in Java (it sits among the data watches)
    const registries = path === CONFIG_NODE ? [this.core.watches, this.core.configWatches] : [this.core.watches];
    const removeLocally = (): boolean => registries.map((r) => r.remove(path, type)).some((x) => x);
    if (!registries.some((r) => r.contains(path, type))) throw new NoWatcherError(path);
    const local = opts.local === true;
    if (local && !this.core.isOpen) {
      removeLocally();
      return;
    }
    const wireType = type === 'children' ? WatcherType.children : type === 'data' ? WatcherType.data : WatcherType.any;
    try {
      await this.core.submit(OpCode.removeWatches, { path: server, type: wireType }, {
        path,
        onReply: (err) => {
          if (err === 0) removeLocally();
        },
      });
    } catch (e) {
      if (!local || this.core.isTerminal) throw e;
      if (!removeLocally()) throw new NoWatcherError(path);
    }
  }

  /**
   * getConfig: the ensemble configuration ZooKeeper keeps at /zookeeper/config, read outside the
   * chroot (as Java's getConfig). With watch: a one-shot watch on it (events carry the path
   * '/zookeeper/config').
   */
  getConfig(): Promise<DataResult>;
  getConfig<W extends boolean>(opts: WatchOption<W>): Promise<Watched<W, DataResult>>;
  async getConfig(opts?: WatchOption<boolean>): Promise<unknown> {
    const watch = opts?.watch === true;
    return this.retrying(async () => {
      const sink = watch ? new ReplaySubject<WatchedEvent>(1) : undefined;
      const reply = await this.core.submit(OpCode.getData, { path: CONFIG_NODE, watch }, {
        path: CONFIG_NODE,
        onReply: sink ? (err) => { if (err === 0) this.core.configWatches.add('data', CONFIG_NODE, sink); } : undefined,
      });
      const b = reply.body as GetDataResponse;
      return sink ? { data: b.data, stat: b.stat, watch: sink.asObservable() } : { data: b.data, stat: b.stat };
    });
  }

  /**
   * reconfig (ZooKeeperAdmin.reconfigure): asks the ensemble to change its membership; returns the
   * new config (data and Stat of /zookeeper/config). Errors are ZooKeeper's: ReconfigDisabledError
   * when the server has dynamic reconfiguration off (zkts always: it has none), NewConfigNoQuorumError,
   * ReconfigInProgressError, BadArgumentsError, BadVersionError (fromConfig is stale), NoAuthError.
   * Never retried: it is a write.
   */
  async reconfig(opts: ReconfigOptions): Promise<DataResult> {
    const request: ReconfigRequest = {
      joiningServers: opts.joining ?? null,
      leavingServers: opts.leaving ?? null,
      newMembers: opts.newMembers ?? null,
      curConfigId: opts.fromConfig ?? -1,
    };
    const reply = await this.core.submit(OpCode.reconfig, request, { path: CONFIG_NODE });
    const b = reply.body as GetDataResponse;
    return { data: b.data, stat: b.stat };
  }

  /** A typed multi builder: client.transaction().create(...).check(...).commit(). */
  transaction(): Transaction {
    return new Transaction((ops) => this.multi(ops));
  }

  /** multi: all ops succeed together, or a MultiError with each op's outcome. */
  async multi(ops: readonly TransactionOp[]): Promise<TransactionResult[]> {
    const wire: MultiOp[] = ops.map((op) => {
      switch (op.type) {
        case 'create':
          return this.createRequest(op.path, op.data, { mode: op.mode, ...(op.acl ? { acl: op.acl } : {}), ...(op.ttl !== undefined ? { ttl: op.ttl } : {}) }, false);
        case 'delete':
          return { type: OpCode.delete, request: { path: this.serverPath(op.path), version: op.version } };
        case 'setData':
          return { type: OpCode.setData, request: { path: this.serverPath(op.path), data: bytes(op.data), version: op.version } };
        case 'check':
          return { type: OpCode.check, request: { path: this.serverPath(op.path), version: op.version } };
      }
    });
    const reply = await this.core.submit(OpCode.multi, { ops: wire });
    const results = (reply.body as MultiResponse).results;
    const failed = results.findIndex((r) => r.type === OpCode.error && r.err !== 0);
    if (failed >= 0) {
      const outcomes: MultiOpOutcome[] = results.map((r, i) =>
        r.type === OpCode.error && r.err !== 0 ? { ok: false, error: zooKeeperError(r.err, ops[i]?.path) } : { ok: true });
      const code = (results[failed] as { err: number }).err;
      throw new MultiError(code, failed, outcomes, ops[failed]?.path);
    }
    return results.map((r) => this.txnResult(r));
  }

  private txnResult(r: OpResult): TransactionResult {
    switch (r.type) {
      case OpCode.create:
        return { type: 'create', path: this.path.toClient(r.path) };
      case OpCode.create2:
        return { type: 'create', path: this.path.toClient(r.path), stat: r.stat };
      case OpCode.delete:
        return { type: 'delete' };
      case OpCode.setData:
        return { type: 'setData', stat: r.stat };
      case OpCode.check:
        return { type: 'check' };
      default:
        throw new ZooKeeperError(ErrorCode.marshallingError, undefined, `unexpected multi result type ${r.type}`);
    }
  }

  /** multiRead: getData / getChildren ops read together; each result is a value or its error. */
  async multiRead<const T extends readonly ReadOp[]>(ops: T): Promise<{ [K in keyof T]: ReadOpResult<T[K]> }> {
    const wire: MultiOp[] = ops.map((op) => ({
      type: op.type === 'getData' ? OpCode.getData : OpCode.getChildren,
      request: { path: this.serverPath(op.path), watch: false },
    }));
    return this.retrying(async () => {
      const reply = await this.core.submit(OpCode.multiRead, { ops: wire });
      const results = (reply.body as MultiResponse).results.map((r, i) => {
        switch (r.type) {
          case OpCode.getData:
            return { type: 'getData', data: r.data, stat: r.stat };
          case OpCode.getChildren:
            return { type: 'getChildren', children: r.children };
          case OpCode.error:
            return { type: 'error', error: zooKeeperError(r.err, ops[i]?.path) };
          default:
            return { type: 'error', error: new ZooKeeperError(ErrorCode.marshallingError, ops[i]?.path) };
        }
      });
      return results as unknown as { [K in keyof T]: ReadOpResult<T[K]> };
    });
  }
}
