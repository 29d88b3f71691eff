// A standalone ZooKeeper server: the client protocol on a ClientListener, the request pipeline
// (prep -> log -> apply -> reply) over a DataTree, sessions with expiry, watches, ACLs and the
// four-letter words. The pipeline keeps ZooKeeper's ordering guarantees: replies leave in
// request order per connection, a write is answered only after its log flush, and a watch
// event is written before any later reply that could observe the change.
import 'reflect-metadata'; // before tsyringe: its decorators need the polyfill at import time
import {
  AddWatchMode,
  ConnectRequest,
  ConnectResponse,
  DecodeError,
  ErrorCode,
  JuteReader,
  JuteWriter,
  OpCode,
  Perms,
  Xid,
  decodeRequest,
  encodeFrame,
  encodeNotification,
  encodeReply,
  RequestHeader,
  type Id,
  type MultiOp,
  type OpResult,
  type Stat,
} from '@zkts/protocol';
import {
  DataTree,
  OutstandingChanges,
  prepareRequest,
  type ProcessTxnResult,
  type WatchDelivery,
  type WriteRequest,
} from '@zkts/data-tree';
import { AuthRegistry, checkAcl, fixupAcl, initialAuthIds, isAuthFailed, redactAcl, requiredPermission, userNameOf, zooKeeperAuthOrder } from '@zkts/auth';
import { SessionTracker, sessionIdHex } from '@zkts/session';
import { TxnLog, zxidToHex, type LogEntry } from '@zkts/txn-log';
import { ClientListener, type ClientConnection, type ClientHandler, type FourLetterWord, type ListenAddress } from '@zkts/transport';
import { inject, injectable, type InjectionToken } from 'tsyringe';
import { Logger } from './logger.js';
import { FourLetterWords, type ServerView } from './four-letter.js';
import { Snapshotter, type SnapshotPolicy } from './storage.js';

export interface ZkServerOptions {
  serverId: number;
  tickTimeMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** zookeeper.extendedTypesEnabled: TTL nodes and the 0xff owner byte. */
  extendedTypesEnabled: boolean;
  /** zookeeper.enforceQuota: hard quotas fail writes (otherwise they are only logged, as ZooKeeper). */
  enforceQuota?: boolean | undefined;
  /** Requests in the pipeline across all connections before reading is paused (globalOutstandingLimit). */
  globalOutstandingLimit: number;
  /** Words answered on the client port; the rest get ZooKeeper's "not in the whitelist" answer. */
  fourLetterWords: ReadonlySet<string> | 'all';
  /** How often the container/TTL cleaner runs (znode.container.checkIntervalMs); 0 disables it. */
  containerCheckIntervalMs: number;
  /** Most container/TTL deletions per minute (znode.container.maxPerMinute). */
  containerMaxPerMinute: number;
  /** DigestAuthenticationProvider.superDigest. */
  superDigest?: string | undefined;
  maxSessions?: number | undefined;
  /** The text of the `conf` word, given the bound address (it may differ from the config's port 0). */
  confText?: ((address: ListenAddress | null) => string) | undefined;
  clock?: (() => number) | undefined;
  /** Sessions recovered from storage: tracked again at start, expiring unless clients come back. */
  recoveredSessions?: readonly { id: bigint; timeoutMs: number }[] | undefined;
  /** Periodic snapshots (a durable backend); none when absent. */
  snapshotPolicy?: SnapshotPolicy | undefined;
}

/** DI token of the server's options (the interface and its token share one name). */
export const ZkServerOptions: InjectionToken<ZkServerOptions> = Symbol('ZkServerOptions');

/**
 * What the server is doing, in ZooKeeper's spelling (srvr's `Mode:`, mntr's zk_server_state).
 * 'looking' serves no clients; 'read-only' is ZooKeeper's ReadOnlyZooKeeperServer.
 */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only' | 'looking';

/** A client write a learner hands to its leader: the raw request plus who made it. */
export interface ForwardedRequest {
  readonly sessionId: bigint;
  /** The request as the client sent it (RequestHeader + record). */
  readonly payload: Uint8Array;
  /** The connection's auth ids: the leader checks ACLs with them, as ZooKeeper does. */
  readonly authIds: readonly Id[];
  /** createSession only: the negotiated timeout (the payload is empty then). */
  readonly timeoutMs?: number | undefined;
}

/**
 * The seam between the request pipeline and replication (the ensemble runtime implements it).
 * Standalone servers have none: they log and apply their own writes. A leader prepares writes
 * and proposes them; learners forward writes and answer them when the committed txn comes back
 * through applyCommitted.
 */
export interface Replicator {
  /** Leader: the zxid the next propose() gets. */
  peekNextZxid(): number;
  /** Leader: replicate a prepared txn; it comes back (committed) through applyCommitted. */
  propose(entry: LogEntry): void;
  /** Learner: send a client request to the leader. */
  forward(request: ForwardedRequest): void;
  /** Learner: `done` once every write the leader had when the sync reached it is applied here. */
  sync(done: () => void): void;
  /** Learner: a session was used; reported to the leader with the next ping. */
  touched(sessionId: bigint, timeoutMs: number): void;
  /** Leader status rows for mntr (zk_followers, zk_synced_followers, zk_pending_syncs, ...). */
  statusRows?(): Array<[string, string | number]>;
}

/** One in-order reply slot of a connection: written when ready, in arrival order. */
interface Slot {
  bytes: Uint8Array | null;
  /** A read queued behind a write: evaluated when it reaches the head, so it sees that write. */
  deferred: (() => void) | null;
}

class Cnxn {
  session: bigint | null = null;
  timeoutMs = 0;
  /** Auth ids in the order they were added; authIds is the same set in ZooKeeper's order. */
  private readonly authAdded: Id[];
  authIds: Id[];
  /** The first frame (the ConnectRequest) arrived; later frames wait in `early` until established. */
  handshakeStarted = false;
  established = false;
  closing = false;
  /** The ConnectRequest had no trailing readOnly byte (pre-3.3 client): the response has none either. */
  oldClient = false;
  /** Set when the connection must close once its queued replies are out; no more input is read. */
  closeAfterDrain: string | null = null;
  readonly queue: Slot[] = [];
  /** Frames that arrived before the session was established. */
  readonly early: Uint8Array[] = [];
  /** Reply and notification frames waiting for the end of the batch: one socket write. */
  out: Uint8Array[] = [];
  readonly establishedAt: number;
  received = 0;
  sent = 0;
  lastCxid = -1;
  lastZxid = -1;
  lastOp = 'NA';
  latencyMin = Number.MAX_SAFE_INTEGER;
  latencyMax = 0;
  latencySum = 0;
  latencyCount = 0;

  constructor(readonly conn: ClientConnection, now: number) {
    this.authAdded = initialAuthIds(conn);
    this.authIds = zooKeeperAuthOrder(this.authAdded);
    this.establishedAt = now;
  }

  addAuthIds(ids: readonly Id[]): void {
    for (const id of ids) if (!this.authAdded.some((a) => a.scheme === id.scheme && a.id === id.id)) this.authAdded.push(id);
    this.authIds = zooKeeperAuthOrder(this.authAdded);
  }
}

interface PendingTxn {
  entry: LogEntry;
  onApplied: (rc: ProcessTxnResult) => void;
}

const ZERO_PASSWORD = new Uint8Array(16);

/** Opcodes whose requests are transactions (go through prep, the log and the tree). */
const WRITE_OPS = new Set<number>([
  OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.setData,
  OpCode.setACL, OpCode.check, OpCode.multi,
]);

@injectable()
export class ZooKeeperServer implements ClientHandler, ServerView {
  /** Replaced only when an ensemble member truncates or installs a snapshot. */
  tree: DataTree;
  readonly sessions: SessionTracker;
  private outstanding = new OutstandingChanges();
  private currentMode: ServerMode = 'standalone';
  private replicator: Replicator | null = null;
  /** Ensemble: replies waiting for their committed txn, by zxid (leader) or session:cxid (learner). */
  private readonly awaitingZxid = new Map<number, (rc: ProcessTxnResult) => void>();
  private readonly awaitingRequest = new Map<string, (rc: ProcessTxnResult) => void>();
  /** Run by stop() after the client port closes and before the log does (the ensemble runtime). */
  private readonly stopHooks: Array<() => Promise<void>> = [];
  private readonly cnxns = new Map<number, Cnxn>();
  private readonly bySession = new Map<bigint, Cnxn>();
  private readonly dirty = new Set<Cnxn>();
  private readonly now: () => number;
  private lastZxidAssigned: number;
  private pending: PendingTxn[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly paused = new Set<Cnxn>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private address: ListenAddress | null = null;
  private running = false;
  private readonly startedAt: number;
  readonly fourLetter: FourLetterWords;
  private readonly snapshotter: Snapshotter | null;
  readonly stats = { packetsReceived: 0, packetsSent: 0, latencyMin: Number.MAX_SAFE_INTEGER, latencyMax: 0, latencySum: 0, latencyCount: 0, authFailed: 0, throttlePauses: 0, throttleResumes: 0 };

  constructor(
    @inject(ZkServerOptions) readonly options: ZkServerOptions,
    @inject(TxnLog) private readonly log: TxnLog,
    @inject(ClientListener) private readonly listener: ClientListener,
    @inject(AuthRegistry) private readonly auth: AuthRegistry,
    @inject(Logger) private readonly logger: Logger,
    @inject(DataTree) tree: DataTree,
  ) {
    this.now = options.clock ?? Date.now;
    this.startedAt = this.now();
    this.tree = tree;
    this.lastZxidAssigned = Math.max(this.tree.lastProcessedZxid, log.lastZxid());
    this.sessions = new SessionTracker({
      serverId: options.serverId,
      tickTimeMs: options.tickTimeMs,
      minSessionTimeoutMs: options.minSessionTimeoutMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs,
      now: this.now(),
      maxSessions: options.maxSessions,
    });
    const now = this.now();
    for (const s of options.recoveredSessions ?? []) this.sessions.trackSession(s.id, s.timeoutMs, now);
    this.snapshotter = options.snapshotPolicy ? new Snapshotter(options.snapshotPolicy, log, logger, this.now) : null;
    this.fourLetter = new FourLetterWords(this);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async start(): Promise<ListenAddress> {
    this.address = await this.listener.listen(this);
    this.running = true;
    const tick = Math.max(1, Math.floor(this.options.tickTimeMs / 2));
    this.timers.push(setInterval(() => this.expireSessions(), tick));
    if (this.options.containerCheckIntervalMs > 0) {
      this.timers.push(setInterval(() => this.cleanContainers(), this.options.containerCheckIntervalMs));
    }
    for (const t of this.timers) t.unref?.();
    const what = this.currentMode === 'standalone' ? 'serving (standalone' : 'ensemble member (clients are served once a leader is established';
    this.logger.info(`binding to port ${this.address.host}:${this.address.port}; ${what}, serverId ${this.options.serverId})`);
    return this.address;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.listener.close();
    for (const hook of this.stopHooks.splice(0)) await hook().catch((e: unknown) => this.logger.warn(`stop: ${(e as Error).message}`));
    await this.chain.catch(() => undefined);
    await this.snapshotter?.final(this.tree, () => this.sessionRecords());
    await this.log.close();
    this.logger.info('shutdown complete');
  }

  /** Something to stop with the server (before its log closes). */
  addStopHook(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  get isRunning(): boolean {
    return this.running;
  }

  get listenAddress(): ListenAddress | null {
    return this.address;
  }

  // ---- ensemble seam ------------------------------------------------------------------------

  get mode(): ServerMode {
    return this.currentMode;
  }

  /** Running and taking client requests (false while an ensemble member looks for a leader). */
  get isServing(): boolean {
    return this.running && this.currentMode !== 'looking';
  }

  /** Leaders and standalone servers assign zxids, expire sessions and clean containers. */
  private get assignsZxids(): boolean {
    return this.currentMode === 'standalone' || this.currentMode === 'leader';
  }

  private get isLearner(): boolean {
    return this.currentMode === 'follower' || this.currentMode === 'observer';
  }

  /** The newest zxid this server knows of (a client that saw a newer one must go elsewhere). */
  private get newestZxid(): number {
    return this.assignsZxids ? Math.max(this.lastZxidAssigned, this.tree.lastProcessedZxid) : this.tree.lastProcessedZxid;
  }

  private nextZxid(): number {
    return this.currentMode === 'leader' ? this.replicator!.peekNextZxid() : this.lastZxidAssigned + 1;
  }

  private takeZxid(): number {
    this.lastZxidAssigned = this.nextZxid();
    return this.lastZxidAssigned;
  }

  /**
   * Switches role (the ensemble runtime calls this on every ZAB role change). Leaving a serving
   * role closes every client connection, as ZooKeeper does when its peer starts a new election:
   * clients reconnect (to this or another server) and keep their sessions.
   */
  setMode(mode: ServerMode, replicator: Replicator | null): void {
    if (mode === 'standalone') throw new Error('setMode: a server cannot become standalone');
    const previous = this.currentMode;
    this.replicator = replicator;
    if (previous === mode) return;
    this.currentMode = mode;
    this.logger.info(`mode ${previous} -> ${mode}`);
    if (previous !== 'looking') {
      for (const c of [...this.cnxns.values()]) {
        // Their pending replies will never come (the txns are dropped with the role): uncount them.
        this.inFlight -= c.queue.length;
        c.queue.length = 0;
        this.closeCnxn(c, `server left ${previous} mode`);
      }
      this.paused.clear();
    }
    if (previous === 'read-only') {
      // The read-only server's sessions were local to it: they end with it.
      for (const s of [...this.sessions.sessions()]) if (s.local) this.sessions.close(s.id);
    }
    this.awaitingZxid.clear();
    this.awaitingRequest.clear();
    this.outstanding = new OutstandingChanges();
    if (mode === 'leader') {
      // The new leader owns session expiry: every known session gets a full timeout from now.
      const now = this.now();
      for (const s of [...this.sessions.sessions()]) if (!s.local) this.sessions.touch(s.id, now);
    }
  }

  /**
   * A committed txn (ensemble): applies it, delivers watches, and answers the client waiting
   * for it here (by zxid on the leader, by session and cxid on a learner).
   */
  applyCommitted(entry: LogEntry): void {
    const { hdr, txn } = entry;
    if (hdr.zxid <= this.tree.lastProcessedZxid) return; // already in the tree (replayed at startup)
    const rc = this.tree.processTxn(hdr, txn);
    this.outstanding.applied(hdr.zxid);
    this.snapshotter?.applied(this.tree, () => this.sessionRecords());
    this.deliver(rc.deliveries);
    const now = this.now();
    if (hdr.type === OpCode.createSession && !this.sessions.has(hdr.clientId)) {
      this.sessions.trackSession(hdr.clientId, (txn as { timeOut: number }).timeOut, now);
    }
    const waiting = this.currentMode === 'leader' ? this.awaitingZxid.get(hdr.zxid) : this.awaitingRequest.get(requestKey(hdr.clientId, hdr.cxid));
    if (waiting) {
      if (this.currentMode === 'leader') this.awaitingZxid.delete(hdr.zxid);
      else this.awaitingRequest.delete(requestKey(hdr.clientId, hdr.cxid));
      waiting(rc);
    }
    if (hdr.type === OpCode.closeSession) {
      this.sessions.close(hdr.clientId);
      const c = this.bySession.get(hdr.clientId);
      if (c && !waiting) {
        this.bySession.delete(hdr.clientId);
        this.closeCnxn(c, 'session expired');
      }
    }
    this.flushDirty();
  }

  /** Leader: a write a learner forwarded. Prepared with the client's session, cxid and auth ids. */
  handleForwarded(from: number, request: ForwardedRequest): void {
    if (this.currentMode !== 'leader') return;
    const now = this.now();
    const noReply = (): void => undefined;
    if (request.payload.length === 0) {
      // createSession: the learner picked the id; the leader tracks and logs it.
      const timeoutMs = request.timeoutMs ?? this.options.minSessionTimeoutMs;
      if (!this.sessions.has(request.sessionId)) this.sessions.trackSession(request.sessionId, timeoutMs, now);
      const zxid = this.takeZxid();
      this.submit({ clientId: request.sessionId, cxid: 0, zxid, time: now, type: OpCode.createSession }, { type: OpCode.createSession, timeOut: timeoutMs }, noReply);
      return;
    }
    let header: RequestHeader;
    let body: unknown;
    try {
      ({ header, body } = decodeRequest(request.payload));
    } catch (e) {
      this.logger.warn(`dropping an undecodable request forwarded by server ${from} for session ${sessionIdHex(request.sessionId)}: ${(e as Error).message}`);
      return;
    }
    this.sessions.touch(request.sessionId, now);
    if (header.type === OpCode.closeSession) {
      if (!this.sessions.has(request.sessionId)) {
        // Already gone (expired): log an empty closeSession anyway, so the learner answers.
        const zxid = this.takeZxid();
        this.submit({ clientId: request.sessionId, cxid: header.xid, zxid, time: now, type: OpCode.closeSession }, { type: OpCode.closeSession, paths2Delete: [] }, noReply);
        return;
      }
      this.sessions.setClosing(request.sessionId);
      this.submitServerTxn(request.sessionId, header.xid, { type: OpCode.closeSession }, now, () => {
        this.sessions.close(request.sessionId);
      });
      return;
    }
    if (!WRITE_OPS.has(header.type)) {
      this.logger.warn(`dropping a forwarded request of type ${header.type} from server ${from}: not a write`);
      return;
    }
    const session = this.sessions.get(request.sessionId);
    if (!session || session.closing) {
      // PrepRequestProcessor's checkSession: an expired (or expiring) session may not write, or an
      // ephemeral could outlive it. The learner answers its client from this error txn.
      const zxid = this.takeZxid();
      this.submit(
        { clientId: request.sessionId, cxid: header.xid, zxid, time: now, type: OpCode.error },
        { type: OpCode.error, err: ErrorCode.sessionExpired },
        noReply,
      );
      return;
    }
    const prepared = this.prepare(this.toWriteRequest(header.type, body), request.sessionId, header.xid, now, request.authIds);
    this.submit(prepared.hdr, prepared.txn, noReply);
  }

  /** Leader: sessions a learner's clients used since its last ping. */
  applyTouches(touches: readonly { sessionId: bigint; timeoutMs: number }[]): void {
    const now = this.now();
    for (const t of touches) this.sessions.touch(t.sessionId, now);
  }

  /** A learner truncated its log or installed a snapshot: the tree is rebuilt from storage. */
  replaceTree(tree: DataTree, sessions: readonly { id: bigint; timeoutMs: number }[]): void {
    this.tree = tree;
    this.outstanding = new OutstandingChanges();
    this.lastZxidAssigned = tree.lastProcessedZxid;
    const now = this.now();
    for (const s of sessions) if (!this.sessions.has(s.id)) this.sessions.trackSession(s.id, s.timeoutMs, now);
  }

  /** The global sessions, as a snapshot stores them. */
  sessionRecords(): { id: bigint; timeoutMs: number }[] {
    const out: { id: bigint; timeoutMs: number }[] = [];
    for (const s of this.sessions.sessions()) if (!s.local) out.push({ id: s.id, timeoutMs: s.timeoutMs });
    return out;
  }

  /** Extra mntr rows of an ensemble member (leader statistics). */
  ensembleRows(): Array<[string, string | number]> {
    return this.replicator?.statusRows?.() ?? [];
  }

  // ---- ServerView (four-letter words, metrics) -------------------------------------------------

  get lastZxid(): number {
    return this.tree.lastProcessedZxid;
  }
  get outstandingRequests(): number {
    return this.inFlight;
  }
  get uptimeMs(): number {
    return this.now() - this.startedAt;
  }
  connections(): Iterable<ConnectionInfo> {
    return [...this.cnxns.values()].map((c) => this.connectionInfo(c));
  }
  resetConnectionStats(): void {
    for (const c of this.cnxns.values()) {
      c.received = 0;
      c.sent = 0;
      c.latencyMin = Number.MAX_SAFE_INTEGER;
      c.latencyMax = 0;
      c.latencySum = 0;
      c.latencyCount = 0;
      c.lastCxid = -1;
      c.lastZxid = -1;
      c.lastOp = 'NA';
    }
  }
  resetServerStats(): void {
    Object.assign(this.stats, { packetsReceived: 0, packetsSent: 0, latencyMin: Number.MAX_SAFE_INTEGER, latencyMax: 0, latencySum: 0, latencyCount: 0 });
  }
  get confText(): string {
    return this.options.confText?.(this.address) ?? '';
  }

  private connectionInfo(c: Cnxn): ConnectionInfo {
    return {
      connectionId: c.conn.id,
      remoteAddress: c.conn.remoteAddress,
      remotePort: c.conn.remotePort,
      queued: c.queue.length,
      received: c.received,
      sent: c.sent,
      sessionId: c.session,
      timeoutMs: c.timeoutMs,
      lastOp: c.lastOp,
      lastCxid: c.lastCxid,
      lastZxid: c.lastZxid,
      establishedAt: c.establishedAt,
      latencyMin: c.latencyCount ? c.latencyMin : 0,
      latencyAvg: c.latencyCount ? c.latencySum / c.latencyCount : 0,
      latencyMax: c.latencyMax,
    };
  }

  // ---- ClientHandler --------------------------------------------------------------------------

  onConnection(conn: ClientConnection): void {
    if (!this.running) {
      conn.close('server not running');
      return;
    }
    this.cnxns.set(conn.id, new Cnxn(conn, this.now()));
  }

  onFrames(conn: ClientConnection, payloads: Uint8Array[]): void {
    const c = this.cnxns.get(conn.id);
    if (!c || c.closing) return;
    for (const payload of payloads) {
      if (c.closing || c.closeAfterDrain !== null) break;
      c.received++;
      this.stats.packetsReceived++;
      if (!c.established) {
        if (!c.handshakeStarted) {
          c.handshakeStarted = true;
          this.handleConnect(c, payload);
        } else {
          c.early.push(payload.slice());
        }
        continue;
      }
      this.handleRequest(c, payload);
    }
    this.flushDirty();
  }

  onFourLetterWord(conn: ClientConnection, word: FourLetterWord): void {
    const allowed = this.options.fourLetterWords === 'all' || this.options.fourLetterWords.has(word);
    const text = allowed ? this.fourLetter.answer(word) : `${word} is not executed because it is not in the whitelist.\n`;
    conn.send(Buffer.from(text, 'utf8'));
    conn.close(`four-letter word ${word}`);
  }

  onClose(conn: ClientConnection, reason: string): void {
    const c = this.cnxns.get(conn.id);
    if (!c) return;
    this.cnxns.delete(conn.id);
    this.paused.delete(c);
    this.dirty.delete(c);
    this.tree.watches.removeWatcher(conn.id);
    if (c.session !== null && this.bySession.get(c.session) === c) this.bySession.delete(c.session);
    if (c.session !== null) this.logger.debug(`closed socket connection for client ${conn.remoteAddress}:${conn.remotePort} which had sessionid ${sessionIdHex(c.session)} (${reason})`);
  }

  onProtocolError(conn: ClientConnection, error: Error): void {
    this.logger.warn(`closing connection from ${conn.remoteAddress}:${conn.remotePort}: ${error.message}`);
  }

  // ---- connect --------------------------------------------------------------------------------

  private closeCnxn(c: Cnxn, reason: string): void {
    if (c.closing) return;
    c.closing = true;
    this.flushCnxn(c);
    c.conn.close(reason);
  }

  private handleConnect(c: Cnxn, payload: Uint8Array): void {
    if (this.currentMode === 'looking') {
      // ZooKeeper closes a client's connection while its peer is not serving (no quorum, electing);
      // four-letter words still get their answer.
      this.closeCnxn(c, 'ZooKeeperServer not running');
      return;
    }
    let req: ConnectRequest;
    try {
      req = ConnectRequest.decode(new JuteReader(payload));
    } catch (e) {
      this.logger.warn(`closing connection from ${c.conn.remoteAddress}:${c.conn.remotePort}: bad connect request (${(e as Error).message})`);
      this.closeCnxn(c, 'bad connect request');
      return;
    }
    c.oldClient = req.readOnly === undefined;
    if (this.currentMode === 'read-only' && req.readOnly !== true) {
      this.logger.info(`refusing session request for not-read-only client ${c.conn.remoteAddress}:${c.conn.remotePort}`);
      this.closeCnxn(c, 'not a read-only client');
      return;
    }
    if (req.lastZxidSeen > this.newestZxid) {
      this.logger.info(
        `refusing session request for client ${c.conn.remoteAddress}:${c.conn.remotePort} as it has seen zxid ${zxidToHex(req.lastZxidSeen)} our last zxid is ${zxidToHex(this.newestZxid)} client must try another server`,
      );
      this.closeCnxn(c, 'client has seen a newer zxid');
      return;
    }
    const timeoutMs = this.sessions.negotiateTimeout(req.timeOut);
    const now = this.now();
    if (req.sessionId === 0n) {
      if (this.sessions.isFull) {
        this.logger.warn(`refusing new session from ${c.conn.remoteAddress}: ${this.sessions.size} sessions is the limit`);
        this.closeCnxn(c, 'session limit');
        return;
      }
      const session = this.sessions.createSession(timeoutMs, now, { local: this.currentMode === 'read-only' });
      c.session = session.id;
      const established = (): void => {
        this.logger.debug(`established session ${sessionIdHex(session.id)} with negotiated timeout ${timeoutMs} for client ${c.conn.remoteAddress}:${c.conn.remotePort}`);
        this.establish(c, session.id, timeoutMs);
      };
      if (this.currentMode === 'read-only') {
        // ReadOnlyZooKeeperServer: a local session, nothing logged.
        established();
      } else if (this.isLearner) {
        // The id is ours (our server id in its top byte); the leader logs the createSession txn.
        this.awaitingRequest.set(requestKey(session.id, 0), established);
        this.replicator!.forward({ sessionId: session.id, payload: new Uint8Array(0), authIds: [], timeoutMs });
      } else {
        const zxid = this.takeZxid();
        this.submit({ clientId: session.id, cxid: 0, zxid, time: now, type: OpCode.createSession }, { type: OpCode.createSession, timeOut: timeoutMs }, established);
      }
      return;
    }
    if (this.isLearner) {
      // Revalidation with the leader (ZooKeeper's REVALIDATE): after a sync this server has applied
      // every createSession/closeSession the leader had logged, so its own table is current.
      this.replicator!.sync(() => {
        if (c.closing || c.conn.closed) return;
        this.reopenSession(c, req, timeoutMs, this.now());
        this.flushDirty();
      });
      return;
    }
    this.reopenSession(c, req, timeoutMs, now);
  }

  private reopenSession(c: Cnxn, req: ConnectRequest, timeoutMs: number, now: number): void {
    const reopened = this.sessions.reopen(req.sessionId, req.passwd, timeoutMs, now);
    if (!reopened.ok) {
      this.logger.info(`invalid session ${sessionIdHex(req.sessionId)} for client ${c.conn.remoteAddress}:${c.conn.remotePort}, probably expired`);
      this.writeFrame(c, (w) => encodeFrame(w, ConnectResponse, { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: ZERO_PASSWORD, readOnly: c.oldClient ? undefined : false }));
      this.closeCnxn(c, 'session expired');
      return;
    }
    const previous = this.bySession.get(req.sessionId);
    if (previous && previous !== c) this.closeCnxn(previous, 'session moved to another connection');
    c.session = req.sessionId;
    if (this.isLearner) this.replicator!.touched(req.sessionId, timeoutMs);
    this.establish(c, req.sessionId, timeoutMs);
  }

  private establish(c: Cnxn, sessionId: bigint, timeoutMs: number): void {
    if (c.conn.closed) return;
    c.timeoutMs = timeoutMs;
    c.established = true;
    this.bySession.set(sessionId, c);
    this.sessions.setOwner(sessionId, c.conn.id);
    this.writeFrame(c, (w) =>
      encodeFrame(w, ConnectResponse, {
        protocolVersion: 0,
        timeOut: timeoutMs,
        sessionId,
        passwd: this.sessions.password(sessionId),
        readOnly: c.oldClient ? undefined : this.currentMode === 'read-only',
      }),
    );
    const early = c.early.splice(0);
    for (const p of early) this.handleRequest(c, p);
    this.flushDirty();
  }

  // ---- requests -------------------------------------------------------------------------------

  private handleRequest(c: Cnxn, payload: Uint8Array): void {
    let header: RequestHeader;
    let body: unknown;
    try {
      ({ header, body } = decodeRequest(payload));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      const h = decodableHeader(payload);
      if (h !== null) {
        // ZooKeeper reads the record in its processors and answers MarshallingError, keeping the connection.
        this.logger.warn(`marshalling error in request xid ${h.xid} type ${h.type} from ${c.conn.remoteAddress}:${c.conn.remotePort} (session ${sessionIdHex(c.session ?? 0n)}): ${e.message}`);
        this.sessions.touch(c.session!, this.now());
        this.reply(c, this.now(), h.xid, h.type, () => ({ err: ErrorCode.marshallingError }), OP_NAMES[h.type] ?? String(h.type));
        return;
      }
      this.logger.warn(`closing connection from ${c.conn.remoteAddress}:${c.conn.remotePort} (session ${sessionIdHex(c.session ?? 0n)}): undecodable request: ${e.message}`);
      this.closeCnxn(c, 'undecodable request');
      return;
    }
    const session = c.session!;
    const now = this.now();
    this.sessions.touch(session, now);
    if (this.isLearner) this.replicator!.touched(session, c.timeoutMs);
    const { xid, type } = header;
    c.lastCxid = xid;
    switch (type) {
      case OpCode.ping:
        this.reply(c, now, xid, OpCode.ping, () => ({ err: 0 }), 'PING');
        return;
      case OpCode.auth:
        this.handleAuth(c, body as { scheme: string; auth: Uint8Array | null });
        return;
      case OpCode.setWatches:
      case OpCode.setWatches2:
        this.reply(c, now, xid, type, () => this.setWatches(c, body as SetWatchesBody), 'SETW');
        return;
      case OpCode.closeSession:
        this.closeSession(c, xid, now, payload);
        return;
      case OpCode.sasl:
        this.reply(c, now, xid, type, () => ({ err: ErrorCode.unimplemented }), 'SASL');
        return;
      case OpCode.reconfig:
        this.reply(c, now, xid, type, () => ({ err: ErrorCode.reconfigDisabled }), 'RECO');
        return;
    }
    if (type === OpCode.createSession) {
      // A valid type in ZooKeeper, whose prep fails to read the (missing) session timeout.
      this.reply(c, now, xid, type, () => ({ err: ErrorCode.marshallingError }), 'SESS');
      return;
    }
    if (body === undefined && !(type === OpCode.whoAmI)) {
      // ZooKeeper (UnimplementedRequestProcessor) answers an unknown opcode with Unimplemented
      // and zxid -1, then closes the connection.
      this.logger.warn(`received packet of unknown type ${type} from ${c.conn.remoteAddress}:${c.conn.remotePort} (session ${sessionIdHex(session)}); closing the connection`);
      this.reply(c, now, xid, type, () => ({ err: ErrorCode.unimplemented, zxid: -1 }), 'UNKN');
      this.closeWhenDrained(c, 'unknown request type');
      return;
    }
    if (this.currentMode === 'read-only' && (WRITE_OPS.has(type) || type === OpCode.sync)) {
      // ReadOnlyRequestProcessor: writes and sync are refused, the session goes on.
      this.reply(c, now, xid, type, () => ({ err: ErrorCode.notReadOnly }), OP_NAMES[type] ?? String(type));
      return;
    }
    if (WRITE_OPS.has(type)) {
      if (this.isLearner) this.forwardWrite(c, xid, type, payload, now);
      else this.write(c, xid, type, body, now);
      return;
    }
    if (type === OpCode.sync && this.isLearner) {
      // A learner's sync: the reply waits until this server caught up with the leader.
      const slot: Slot = { bytes: null, deferred: null };
      c.queue.push(slot);
      this.track(c, 1);
      const { path } = body as { path: string };
      this.replicator!.sync(() => {
        slot.bytes = this.encodeReply(c, xid, type, 0, { path }, now, 'SYNC');
        this.drain(c);
        this.flushDirty();
      });
      return;
    }
    this.reply(c, now, xid, type, () => this.read(c, type, body), OP_NAMES[type] ?? String(type));
  }

  /** Queues a reply slot computed now, or (behind a pending write) when it reaches the head. */
  private reply(c: Cnxn, started: number, xid: number, op: number, compute: () => { err: number; body?: unknown; zxid?: number }, name: string): void {
    if (c.queue.length === 0) {
      // Nothing pending on this connection: answer now, no slot.
      const { err, body, zxid } = compute();
      this.emit(c, this.encodeReply(c, xid, op, err, body, started, name, zxid));
      return;
    }
    const slot: Slot = { bytes: null, deferred: null };
    slot.deferred = () => {
      const { err, body, zxid } = compute();
      slot.bytes = this.encodeReply(c, xid, op, err, body, started, name, zxid);
      slot.deferred = null;
    };
    c.queue.push(slot);
    this.track(c, 1);
  }

  private encodeReply(c: Cnxn, xid: number, op: number, err: number, body: unknown, started: number, name: string, zxidOverride?: number): Uint8Array {
    const zxid = zxidOverride ?? this.tree.lastProcessedZxid;
    const w = new JuteWriter(64);
    encodeReply(w, { xid, zxid, err }, op, err === 0 ? body : undefined);
    const latency = Math.max(0, this.now() - started);
    c.lastZxid = zxid;
    c.lastOp = name;
    c.latencyMin = Math.min(c.latencyMin, latency);
    c.latencyMax = Math.max(c.latencyMax, latency);
    c.latencySum += latency;
    c.latencyCount++;
    this.stats.latencyMin = Math.min(this.stats.latencyMin, latency);
    this.stats.latencyMax = Math.max(this.stats.latencyMax, latency);
    this.stats.latencySum += latency;
    this.stats.latencyCount++;
    return w.toBuffer();
  }

  /** Writes reply bytes to the connection's output batch. */
  private emit(c: Cnxn, bytes: Uint8Array): void {
    if (c.conn.closed) return;
    c.out.push(bytes);
    c.sent++;
    this.stats.packetsSent++;
    this.dirty.add(c);
  }

  private writeFrame(c: Cnxn, write: (w: JuteWriter) => void): void {
    const w = new JuteWriter(64);
    write(w);
    this.emit(c, w.toBuffer());
  }

  private flushCnxn(c: Cnxn): void {
    if (c.out.length > 0) {
      c.conn.send(c.out.length === 1 ? c.out[0]! : Buffer.concat(c.out));
      c.out = [];
    }
    this.dirty.delete(c);
  }

  private flushDirty(): void {
    for (const c of this.dirty) this.flushCnxn(c);
    this.dirty.clear();
  }

  /** Writes every ready slot at the head of the connection's queue, evaluating deferred reads. */
  private drain(c: Cnxn): void {
    while (c.queue.length > 0) {
      const head = c.queue[0]!;
      if (head.deferred) head.deferred();
      if (head.bytes === null) break;
      c.queue.shift();
      this.track(c, -1);
      this.emit(c, head.bytes);
    }
    if (c.queue.length === 0 && c.closeAfterDrain !== null) this.closeCnxn(c, c.closeAfterDrain);
  }

  /** Closes the connection once every reply queued so far has been written; reads no more input. */
  private closeWhenDrained(c: Cnxn, reason: string): void {
    c.closeAfterDrain = reason;
    if (c.queue.length === 0) this.closeCnxn(c, reason);
  }

  /** Counts requests in the pipeline; pauses reading past globalOutstandingLimit. */
  private track(c: Cnxn, delta: number): void {
    this.inFlight += delta;
    if (delta > 0 && this.inFlight > this.options.globalOutstandingLimit && !this.paused.has(c)) {
      this.paused.add(c);
      this.stats.throttlePauses++;
      c.conn.pause();
    } else if (delta < 0 && this.inFlight <= this.options.globalOutstandingLimit / 2 && this.paused.size > 0) {
      for (const p of this.paused) p.conn.resume();
      this.stats.throttleResumes += this.paused.size;
      this.paused.clear();
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  private toWriteRequest(type: number, body: unknown): WriteRequest {
    if (type === OpCode.multi) {
      const ops = (body as { ops: MultiOp[] }).ops.map((op) => ({ type: op.type, ...(op as { request: object }).request }) as WriteRequest);
      return { type: OpCode.multi, ops };
    }
    return { type, ...(body as object) } as WriteRequest;
  }

  private write(c: Cnxn, xid: number, type: number, body: unknown, now: number): void {
    const session = c.session!;
    const request = this.toWriteRequest(type, body);
    const prepared = this.prepare(request, session, xid, now, c.authIds);
    const slot: Slot = { bytes: null, deferred: null };
    c.queue.push(slot);
    this.track(c, 1);
    this.submit(prepared.hdr, prepared.txn, (rc) => {
      // A failed multi is still answered with err 0: the per-op results carry the errors.
      const err = type === OpCode.multi ? 0 : rc.err;
      slot.bytes = this.encodeReply(c, xid, type, err, this.writeResponse(type, rc), now, OP_NAMES[type] ?? String(type));
      this.drain(c);
    });
  }

  /** Preps a client write with the auth ids of the connection that sent it (here or on a learner). */
  private prepare(request: WriteRequest, session: bigint, cxid: number, now: number, authIds: readonly Id[]): ReturnType<typeof prepareRequest> {
    const prepared = prepareRequest(this.tree, request, {
      sessionId: session,
      cxid,
      zxid: this.nextZxid(),
      time: now,
      checkAcl: (acl, perm) => checkAcl(this.auth, acl, perm, authIds as Id[]),
      fixupAcl: (path, acl) => fixupAcl(this.auth, path, authIds as Id[], acl),
      ttlEnabled: this.options.extendedTypesEnabled,
      enforceQuota: this.options.enforceQuota ?? false,
      outstanding: this.outstanding,
    });
    for (const w of prepared.quotaWarnings) this.logger.warn(w);
    this.takeZxid();
    return prepared;
  }

  /** Learner: the write goes to the leader; the reply waits for its committed txn. */
  private forwardWrite(c: Cnxn, xid: number, type: number, payload: Uint8Array, now: number): void {
    const session = c.session!;
    const slot: Slot = { bytes: null, deferred: null };
    c.queue.push(slot);
    this.track(c, 1);
    this.awaitingRequest.set(requestKey(session, xid), (rc) => {
      const err = type === OpCode.multi ? 0 : rc.err;
      slot.bytes = this.encodeReply(c, xid, type, err, this.writeResponse(type, rc), now, OP_NAMES[type] ?? String(type));
      this.drain(c);
    });
    this.replicator!.forward({ sessionId: session, payload: payload.slice(), authIds: [...c.authIds] });
  }

  private writeResponse(type: number, rc: ProcessTxnResult): unknown {
    switch (type) {
      case OpCode.create:
        return { path: rc.path };
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return { path: rc.path, stat: rc.stat };
      case OpCode.setData:
      case OpCode.setACL:
        return { stat: rc.stat };
      case OpCode.multi:
        return { results: (rc.multiResults ?? []).map((r) => toOpResult(r)) };
      default:
        return undefined;
    }
  }

  /** Appends to the log and applies after the (group-committed) flush, in zxid order. */
  private submit(hdr: LogEntry['hdr'], txn: LogEntry['txn'], onApplied: (rc: ProcessTxnResult) => void): void {
    const entry: LogEntry = { hdr, txn };
    if (this.currentMode === 'leader') {
      // ZAB logs it (on a quorum) and hands it back committed: applyCommitted answers.
      this.awaitingZxid.set(hdr.zxid, onApplied);
      this.replicator!.propose(entry);
      return;
    }
    this.log.append([entry]);
    this.pending.push({ entry, onApplied });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // setImmediate, not a microtask: the writes of every connection read in this I/O phase
      // join one batch (one flush, one apply pass, one write per connection).
      setImmediate(() => this.flushLog());
    }
  }

  private flushLog(): void {
    const batch = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    this.chain = this.chain
      .then(() => this.log.flush())
      .then(
        () => {
          for (const p of batch) this.apply(p);
          this.flushDirty();
        },
        (e: unknown) => {
          // A log that cannot be made durable means no further write may be acknowledged.
          this.logger.error(`transaction log flush failed, shutting down: ${(e as Error).message}`);
          void this.stop();
        },
      );
  }

  private apply(p: PendingTxn): void {
    const rc = this.tree.processTxn(p.entry.hdr, p.entry.txn);
    this.outstanding.applied(p.entry.hdr.zxid);
    this.snapshotter?.applied(this.tree, () => this.sessionRecords());
    this.deliver(rc.deliveries);
    p.onApplied(rc);
  }

  private deliver(deliveries: readonly WatchDelivery[]): void {
    for (const d of deliveries) {
      const c = this.cnxns.get(d.watcher);
      if (!c || c.closing) continue;
      const w = new JuteWriter(32 + d.event.path.length);
      encodeNotification(w, { type: d.event.type, state: d.event.state, path: d.event.path });
      this.emit(c, w.toBuffer());
    }
  }

  // ---- sessions -------------------------------------------------------------------------------

  private closeSession(c: Cnxn, xid: number, now: number, payload: Uint8Array): void {
    const session = c.session!;
    this.sessions.setClosing(session);
    const slot: Slot = { bytes: null, deferred: null };
    c.queue.push(slot);
    this.track(c, 1);
    const closed = (): void => {
      this.sessions.close(session);
      this.bySession.delete(session);
      this.logger.debug(`closed session ${sessionIdHex(session)}`);
      slot.bytes = this.encodeReply(c, xid, OpCode.closeSession, 0, undefined, now, 'CLOSE');
      this.drain(c);
      this.closeCnxn(c, 'session closed');
    };
    if (this.currentMode === 'read-only') {
      closed();
    } else if (this.isLearner) {
      this.awaitingRequest.set(requestKey(session, xid), closed);
      this.replicator!.forward({ sessionId: session, payload: payload.slice(), authIds: [] });
    } else {
      this.submitServerTxn(session, xid, { type: OpCode.closeSession }, now, closed);
    }
  }

  /**
   * Preps and submits a request the server makes itself or that needs no ACL (closeSession,
   * container cleanup): through prepareRequest, so it sees outstanding changes and logs the
   * same txn ZooKeeper would (closeSession lists the ephemerals in ZooKeeper's order).
   */
  private submitServerTxn(sessionId: bigint, cxid: number, request: WriteRequest, now: number, onApplied: (rc: ProcessTxnResult) => void): void {
    const prepared = prepareRequest(this.tree, request, {
      sessionId,
      cxid,
      zxid: this.nextZxid(),
      time: now,
      checkAcl: () => true,
      fixupAcl: (_path, acl) => [...acl],
      ttlEnabled: this.options.extendedTypesEnabled,
      outstanding: this.outstanding,
    });
    this.takeZxid();
    this.submit(prepared.hdr, prepared.txn, onApplied);
  }

  /** Expires sessions whose deadline passed: a closeSession txn each, then their connection closes. */
  expireSessions(): void {
    // Only the server that logs closeSession txns expires sessions; learners hear of it by txn.
    if (!this.assignsZxids) return;
    const now = this.now();
    for (const s of this.sessions.expire(now)) {
      this.logger.info(`expiring session ${sessionIdHex(s.id)}, timeout of ${s.timeoutMs}ms exceeded`);
      this.submitServerTxn(s.id, 0, { type: OpCode.closeSession }, now, () => {
        this.sessions.close(s.id);
        const c = this.bySession.get(s.id);
        this.bySession.delete(s.id);
        if (c) this.closeCnxn(c, 'session expired');
      });
    }
  }

  /** Deletes empty containers and expired TTL nodes through the pipeline (ContainerManager). */
  cleanContainers(): void {
    if (!this.assignsZxids) return;
    const now = this.now();
    const candidates = [...this.tree.containerCandidates(), ...this.tree.ttlExpired(now)];
    const limit = Math.max(1, Math.floor((this.options.containerMaxPerMinute * this.options.containerCheckIntervalMs) / 60_000));
    if (this.logger.enabled('debug')) this.logger.debug(`container cleaner ran: ${candidates.length} candidate(s)`);
    for (const path of candidates.slice(0, limit)) {
      this.submitServerTxn(0n, 0, { type: OpCode.deleteContainer, path }, now, (rc) => {
        if (rc.err === 0) this.logger.debug(`deleted container/ttl node ${path}`);
      });
    }
  }

  private handleAuth(c: Cnxn, body: { scheme: string; auth: Uint8Array | null }): void {
    const started = this.now();
    const ids = this.auth.authenticate(body.scheme, body.auth ?? new Uint8Array(0), { remoteAddress: c.conn.remoteAddress });
    if (isAuthFailed(ids)) {
      this.stats.authFailed++;
      this.logger.warn(`authentication failed for scheme ${body.scheme} from ${c.conn.remoteAddress}`);
      this.reply(c, started, Xid.auth, OpCode.auth, () => ({ err: ErrorCode.authFailed }), 'AUTH');
      this.closeCnxn(c, 'authentication failed');
      return;
    }
    c.addAuthIds(ids);
    this.reply(c, started, Xid.auth, OpCode.auth, () => ({ err: 0 }), 'AUTH');
  }

  private setWatches(c: Cnxn, body: SetWatchesBody): { err: number } {
    const events = this.tree.setWatches(
      body.relativeZxid,
      {
        data: body.dataWatches ?? [],
        exist: body.existWatches ?? [],
        child: body.childWatches ?? [],
        persistent: body.persistentWatches ?? [],
        persistentRecursive: body.persistentRecursiveWatches ?? [],
      },
      c.conn.id,
    );
    this.deliver(events);
    return { err: 0 };
  }

  // ---- reads ----------------------------------------------------------------------------------

  private read(c: Cnxn, type: number, body: unknown): { err: number; body?: unknown } {
    const watcher = c.conn.id;
    switch (type) {
      case OpCode.exists: {
        const { path, watch } = body as { path: string; watch: boolean };
        // ZooKeeper's reads look the path up without validating it; exists alone refuses a NUL.
        if (path.includes('\0')) return { err: ErrorCode.badArguments };
        const stat = this.tree.statNode(path);
        if (watch) this.tree.watches.addWatch(path, watcher, stat ? 'data' : 'exist');
        return stat ? { err: 0, body: { stat } } : { err: ErrorCode.noNode };
      }
      case OpCode.getData: {
        const { path, watch } = body as { path: string; watch: boolean };
        const err = this.checkNode(c, path, OpCode.getData);
        if (err) return { err };
        const r = this.tree.getData(path)!;
        if (watch) this.tree.watches.addWatch(path, watcher, 'data');
        return { err: 0, body: r };
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const { path, watch } = body as { path: string; watch: boolean };
        const err = this.checkNode(c, path, type);
        if (err) return { err };
        const r = this.tree.getChildren(path)!;
        if (watch) this.tree.watches.addWatch(path, watcher, 'child');
        return { err: 0, body: r };
      }
      case OpCode.getACL: {
        const { path } = body as { path: string };
        const err = this.checkNode(c, path, OpCode.getACL);
        if (err) return { err };
        const r = this.tree.getACL(path)!;
        const admin = checkAcl(this.auth, r.acl, Perms.admin, c.authIds);
        return { err: 0, body: { acl: admin ? r.acl : redactAcl(r.acl), stat: r.stat } };
      }
      case OpCode.getAllChildrenNumber: {
        const { path } = body as { path: string };
        const err = this.checkNode(c, path, OpCode.getAllChildrenNumber);
        if (err) return { err };
        return { err: 0, body: { totalNumber: this.tree.getAllChildrenNumber(path) } };
      }
      case OpCode.getEphemerals: {
        const { prefixPath } = body as { prefixPath: string };
        return { err: 0, body: { ephemerals: this.tree.getEphemerals(c.session!, prefixPath) } };
      }
      case OpCode.sync: {
        const { path } = body as { path: string };
        return { err: 0, body: { path } };
      }
      case OpCode.whoAmI:
        return { err: 0, body: { clientInfo: c.authIds.map((id) => ({ authScheme: id.scheme, user: userNameOf(id) })) } };
      case OpCode.addWatch: {
        const { path, mode } = body as { path: string; mode: number };
        this.tree.watches.addWatch(path, watcher, mode === AddWatchMode.persistentRecursive ? 'persistentRecursive' : 'persistent');
        // addWatch's reply body is an ErrorResponse (an int), which clients read.
        return { err: 0, body: { err: 0 } };
      }
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const { path, type: wtype } = body as { path: string; type: number };
        const ok = type === OpCode.checkWatches ? this.tree.watches.containsWatcher(path, watcher, wtype) : this.tree.watches.removeWatch(path, watcher, wtype);
        return { err: ok ? 0 : ErrorCode.noWatcher };
      }
      case OpCode.multiRead: {
        const results: OpResult[] = (body as { ops: MultiOp[] }).ops.map((op) => {
          const path = (op as { request: { path: string } }).request.path;
          const kind = op.type === OpCode.getData ? OpCode.getData : OpCode.getChildren;
          const err = this.checkNode(c, path, kind);
          if (err) return { type: OpCode.error, err } as OpResult;
          if (kind === OpCode.getData) return { type: OpCode.getData, ...this.tree.getData(path)! } as OpResult;
          return { type: OpCode.getChildren, children: this.tree.getChildren(path)!.children } as OpResult;
        });
        return { err: 0, body: { results } };
      }
      default:
        return { err: ErrorCode.unimplemented };
    }
  }

  /**
   * Existence and the ACL the operation needs on the node (0 when allowed). Like ZooKeeper, reads
   * do not validate the path: an invalid one is simply not found ("" is the root).
   */
  private checkNode(c: Cnxn, path: string, op: number): number {
    const node = this.tree.getNode(path);
    if (!node) return ErrorCode.noNode;
    const need = requiredPermission(op);
    if (need && !checkAcl(this.auth, node.acl, need.perms, c.authIds)) return ErrorCode.noAuth;
    return 0;
  }
}

/** The key of a learner's write waiting for its committed txn. */
function requestKey(sessionId: bigint, cxid: number): string {
  return `${sessionId}:${cxid}`;
}

/** The RequestHeader of a payload whose record did not decode, or null when even the header does not. */
function decodableHeader(payload: Uint8Array): RequestHeader | null {
  try {
    return RequestHeader.decode(new JuteReader(payload));
  } catch {
    return null;
  }
}

interface SetWatchesBody {
  relativeZxid: number;
  dataWatches: string[] | null;
  existWatches: string[] | null;
  childWatches: string[] | null;
  persistentWatches?: string[] | null;
  persistentRecursiveWatches?: string[] | null;
}

export interface ConnectionInfo {
  /** The transport's connection id, which is also the watcher id in the tree. */
  connectionId: number;
  remoteAddress: string;
  remotePort: number;
  queued: number;
  received: number;
  sent: number;
  sessionId: bigint | null;
  timeoutMs: number;
  lastOp: string;
  lastCxid: number;
  lastZxid: number;
  establishedAt: number;
  latencyMin: number;
  latencyAvg: number;
  latencyMax: number;
}

function toOpResult(r: { type: number; err: number; path: string | null; stat: Stat | null }): OpResult {
  switch (r.type) {
    case OpCode.create:
      return { type: OpCode.create, path: r.path! } as OpResult;
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { type: OpCode.create2, path: r.path!, stat: r.stat! } as OpResult;
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: OpCode.delete } as OpResult;
    case OpCode.setData:
      return { type: OpCode.setData, stat: r.stat! } as OpResult;
    case OpCode.check:
      return { type: OpCode.check } as OpResult;
    default:
      return { type: OpCode.error, err: r.err } as OpResult;
  }
}

/** Short names ZooKeeper prints for the last operation of a connection (cons). */
const OP_NAMES: Record<number, string> = {
  [OpCode.create]: 'CREA', [OpCode.create2]: 'CREA', [OpCode.createContainer]: 'CREA', [OpCode.createTTL]: 'CREA',
  [OpCode.delete]: 'DELE', [OpCode.exists]: 'EXIS', [OpCode.getData]: 'GETD', [OpCode.setData]: 'SETD',
  [OpCode.getACL]: 'GACL', [OpCode.setACL]: 'SACL', [OpCode.getChildren]: 'GETC', [OpCode.getChildren2]: 'GETC',
  [OpCode.sync]: 'SYNC', [OpCode.check]: 'CHEC', [OpCode.multi]: 'MULT', [OpCode.multiRead]: 'MLTR',
  [OpCode.getEphemerals]: 'GETE', [OpCode.getAllChildrenNumber]: 'GETACN', [OpCode.whoAmI]: 'HOMI',
  [OpCode.addWatch]: 'ADDW', [OpCode.removeWatches]: 'REMW', [OpCode.checkWatches]: 'CHKW',
};
