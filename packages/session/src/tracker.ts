// A pure session tracker: ZooKeeper's SessionTrackerImpl + ExpiryQueue without the thread.
// Time arrives as `now` (ms, any monotonic origin); nothing here reads a clock.
import { ErrorCode } from '@zkts/protocol';
import { initialSessionId, sessionPassword, SESSION_SECRET_DEFAULT, CONTAINER_EPHEMERAL_OWNER } from './ids.js';

/** Default cap on sessions this tracker creates; a server refuses new sessions beyond it. */
export const SESSIONS_MAX_DEFAULT = 1 << 20;
/** ZooKeeper's defaults: minSessionTimeout = 2 ticks, maxSessionTimeout = 20 ticks. */
export const MIN_SESSION_TIMEOUT_TICKS = 2;
export const MAX_SESSION_TIMEOUT_TICKS = 20;

export interface SessionTrackerOptions {
  /** This server's id (0..255), stored in the top byte of the ids it creates. */
  readonly serverId: number;
  /** Bucket width for expiry, ZooKeeper's tickTime. */
  readonly tickTimeMs: number;
  /** Lower bound for negotiated timeouts; default 2 * tickTimeMs. */
  readonly minSessionTimeoutMs?: number | undefined;
  /** Upper bound for negotiated timeouts; default 20 * tickTimeMs. */
  readonly maxSessionTimeoutMs?: number | undefined;
  /** Start time: seeds the session id counter (ZooKeeper uses its elapsed-time clock). */
  readonly now: number;
  /** Cap on createSession; default SESSIONS_MAX_DEFAULT. */
  readonly maxSessions?: number | undefined;
  /** Mixed into passwords; default ZooKeeper's superSecret (0xB3415C00), see sessionPassword. */
  readonly secret?: bigint | undefined;
}

/** A tracked session, read-only to callers. */
export interface Session {
  readonly id: bigint;
  /** The negotiated timeout. */
  readonly timeoutMs: number;
  /** The tick bucket this session expires in, unless touched before. */
  readonly expiresAtMs: number;
  /** Set by expiry or closeSession: the session takes no more requests. */
  readonly closing: boolean;
  /** A local session lives on this server only (not replicated) until upgraded. */
  readonly local: boolean;
  /** Opaque owner (the connection or server that serves it), for SessionMoved checks. */
  readonly owner: unknown;
}

interface MutableSession {
  id: bigint;
  timeoutMs: number;
  expiresAtMs: number;
  closing: boolean;
  local: boolean;
  owner: unknown;
}

export type ReopenResult =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly reason: 'badPassword' | 'unknownSession' | 'closing' };

export class SessionLimitError extends Error {
  constructor(readonly maxSessions: number) {
    super(`session limit reached: maxSessions=${maxSessions}`);
    this.name = 'SessionLimitError';
  }
}

function assertTime(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be a safe integer (ms), got ${v}`);
}

export class SessionTracker {
  readonly serverId: number;
  readonly tickTimeMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly maxSessions: number;
  private readonly secret: bigint;
  private nextId: bigint;
  private readonly byId = new Map<bigint, MutableSession>();
  /** Expiry buckets: bucket time -> sessions in it (ZooKeeper's ExpiryQueue.expiryMap). */
  private readonly buckets = new Map<number, Set<MutableSession>>();
  private createdCount = 0;

  constructor(opts: SessionTrackerOptions) {
    if (!Number.isSafeInteger(opts.tickTimeMs) || opts.tickTimeMs <= 0) {
      throw new RangeError(`tickTimeMs must be a positive integer, got ${opts.tickTimeMs}`);
    }
    assertTime('now', opts.now);
    this.serverId = opts.serverId;
    this.tickTimeMs = opts.tickTimeMs;
    this.minSessionTimeoutMs = opts.minSessionTimeoutMs ?? MIN_SESSION_TIMEOUT_TICKS * opts.tickTimeMs;
    this.maxSessionTimeoutMs = opts.maxSessionTimeoutMs ?? MAX_SESSION_TIMEOUT_TICKS * opts.tickTimeMs;
    if (!(this.minSessionTimeoutMs > 0 && this.minSessionTimeoutMs <= this.maxSessionTimeoutMs)) {
      throw new RangeError(
        `need 0 < minSessionTimeoutMs (${this.minSessionTimeoutMs}) <= maxSessionTimeoutMs (${this.maxSessionTimeoutMs})`,
      );
    }
    this.maxSessions = opts.maxSessions ?? SESSIONS_MAX_DEFAULT;
    if (!Number.isSafeInteger(this.maxSessions) || this.maxSessions < 1) {
      throw new RangeError(`maxSessions must be a positive integer, got ${this.maxSessions}`);
    }
    this.secret = opts.secret ?? SESSION_SECRET_DEFAULT;
    this.nextId = initialSessionId(opts.serverId, opts.now);
  }

  /** Sessions tracked (created here or learned via track), closing ones included. */
  get size(): number {
    return this.byId.size;
  }

  /** Whether createSession would refuse. */
  get isFull(): boolean {
    return this.byId.size >= this.maxSessions;
  }

  /** ZooKeeper's negotiation: the client's requested timeout clamped to [min, max]. */
  negotiateTimeout(requestedMs: number): number {
    return Math.min(Math.max(requestedMs, this.minSessionTimeoutMs), this.maxSessionTimeoutMs);
  }

  /**
   * A new session with the next id, expiring one timeout from `now` (rounded up to a tick).
   * `timeoutMs` is the negotiated timeout. Throws SessionLimitError when maxSessions are tracked.
   */
  createSession(timeoutMs: number, now: number, opts: { local?: boolean } = {}): Session {
    if (this.isFull) throw new SessionLimitError(this.maxSessions);
    let id = this.nextId;
    // Skip ids already known (e.g. tracked from a log) and the container marker.
    while (this.byId.has(id) || id === CONTAINER_EPHEMERAL_OWNER || id === 0n) id = BigInt.asIntN(64, id + 1n);
    this.nextId = BigInt.asIntN(64, id + 1n);
    this.createdCount++;
    return this.add(id, timeoutMs, now, opts.local ?? false);
  }

  /**
   * Tracks a session made elsewhere (a committed createSession, a snapshot, another server).
   * Not subject to maxSessions: committed state must be mirrored. Returns false when already
   * tracked, in which case only its expiry is refreshed, as ZooKeeper's trackSession.
   */
  trackSession(id: bigint, timeoutMs: number, now: number, opts: { local?: boolean } = {}): boolean {
    const s = this.byId.get(id);
    if (s !== undefined) {
      this.schedule(s, now);
      return false;
    }
    this.add(id, timeoutMs, now, opts.local ?? false);
    return true;
  }

  /** Sessions created by this tracker so far (not decremented by close). */
  get created(): number {
    return this.createdCount;
  }

  get(id: bigint): Session | undefined {
    return this.byId.get(id);
  }

  has(id: bigint): boolean {
    return this.byId.has(id);
  }

  sessions(): IterableIterator<Session> {
    return this.byId.values();
  }

  /** The password a client must present to reopen session `id` (see sessionPassword). */
  password(id: bigint): Uint8Array {
    return sessionPassword(id, this.secret);
  }

  /** ZooKeeper's checkPasswd: id is not 0 and the bytes equal the generated password. */
  checkPassword(id: bigint, passwd: Uint8Array): boolean {
    if (id === 0n) return false;
    const want = this.password(id);
    if (passwd.length !== want.length) return false;
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff |= want[i] ^ passwd[i];
    return diff === 0;
  }

  /**
   * A client reconnects with (id, passwd) and a newly negotiated timeout: on a good password and
   * a live session, the timeout is replaced and the session touched. ZooKeeper answers every
   * failure the same way (an expired-session ConnectResponse); the reason is for logs.
   */
  reopen(id: bigint, passwd: Uint8Array, timeoutMs: number, now: number): ReopenResult {
    if (!this.checkPassword(id, passwd)) return { ok: false, reason: 'badPassword' };
    const s = this.byId.get(id);
    if (s === undefined) return { ok: false, reason: 'unknownSession' };
    if (s.closing) return { ok: false, reason: 'closing' };
    s.timeoutMs = timeoutMs;
    this.schedule(s, now);
    return { ok: true, session: s };
  }

  /**
   * Any request or ping from the session: moves it to the bucket one timeout from `now`.
   * False for an unknown or closing session (ZooKeeper's touchSession).
   */
  touch(id: bigint, now: number): boolean {
    const s = this.byId.get(id);
    if (s === undefined || s.closing) return false;
    this.schedule(s, now);
    return true;
  }

  /**
   * ZooKeeper's checkSession before a write: unknownSession, sessionExpired (closing),
   * sessionMoved (a different owner holds it), else ok, taking ownership if it had none.
   */
  checkSession(id: bigint, owner: unknown): number {
    const s = this.byId.get(id);
    if (s === undefined) return ErrorCode.unknownSession;
    if (s.closing) return ErrorCode.sessionExpired;
    if (s.owner === undefined) s.owner = owner;
    else if (s.owner !== owner) return ErrorCode.sessionMoved;
    return ErrorCode.ok;
  }

  /**
   * checkSession for ephemeral creation: an unknown session counts as expired, and a local
   * session gets ephemeralOnLocalSession (it must be upgraded first).
   */
  checkGlobalSession(id: bigint, owner: unknown): number {
    const s = this.byId.get(id);
    if (s === undefined) return ErrorCode.sessionExpired;
    if (s.local) return ErrorCode.ephemeralOnLocalSession;
    return this.checkSession(id, owner);
  }

  /** Moves the session to a new owner (a reconnect); sessionExpired if unknown or closing. */
  setOwner(id: bigint, owner: unknown): number {
    const s = this.byId.get(id);
    if (s === undefined || s.closing) return ErrorCode.sessionExpired;
    s.owner = owner;
    return ErrorCode.ok;
  }

  /** Local -> global (the server then replicates a createSession). False if unknown or closing. */
  upgrade(id: bigint): boolean {
    const s = this.byId.get(id);
    if (s === undefined || s.closing) return false;
    s.local = false;
    return true;
  }

  /** Marks the session closing (closeSession received); it takes no more requests. */
  setClosing(id: bigint): boolean {
    const s = this.byId.get(id);
    if (s === undefined) return false;
    s.closing = true;
    return true;
  }

  /** Forgets the session (its closeSession is applied). Returns it, or undefined if unknown. */
  close(id: bigint): Session | undefined {
    const s = this.byId.get(id);
    if (s === undefined) return undefined;
    this.byId.delete(id);
    this.unschedule(s);
    return s;
  }

  /**
   * Sessions whose bucket time is <= now, oldest bucket first. Each is marked closing and taken
   * out of the expiry buckets but stays tracked (checkSession says sessionExpired) until close(),
   * as ZooKeeper keeps it until the closeSession transaction is applied.
   */
  expire(now: number): Session[] {
    assertTime('now', now);
    const due = [...this.buckets.keys()].filter((t) => t <= now).sort((a, b) => a - b);
    const out: Session[] = [];
    for (const t of due) {
      for (const s of this.buckets.get(t) ?? []) {
        s.closing = true;
        out.push(s);
      }
      this.buckets.delete(t);
    }
    return out;
  }

  /** The earliest bucket time with sessions in it: when the runtime should next call expire. */
  nextExpiryTime(): number | undefined {
    let min: number | undefined;
    for (const t of this.buckets.keys()) if (min === undefined || t < min) min = t;
    return min;
  }

  /** Bucket time -> session ids, ascending (for the dump/wchp-style four-letter words). */
  expiryBuckets(): Array<{ expiresAtMs: number; ids: bigint[] }> {
    return [...this.buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([expiresAtMs, set]) => ({ expiresAtMs, ids: [...set].map((s) => s.id) }));
  }

  /** ExpiryQueue.roundToNextInterval: the next tick boundary strictly after `t`. */
  private bucketOf(t: number): number {
    return (Math.floor(t / this.tickTimeMs) + 1) * this.tickTimeMs;
  }

  private add(id: bigint, timeoutMs: number, now: number, local: boolean): Session {
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
    }
    const s: MutableSession = { id, timeoutMs, expiresAtMs: 0, closing: false, local, owner: undefined };
    this.byId.set(id, s);
    this.schedule(s, now);
    return s;
  }

  private schedule(s: MutableSession, now: number): void {
    assertTime('now', now);
    const at = this.bucketOf(now + s.timeoutMs);
    if (at === s.expiresAtMs && this.buckets.get(at)?.has(s)) return;
    this.unschedule(s);
    s.expiresAtMs = at;
    let set = this.buckets.get(at);
    if (set === undefined) this.buckets.set(at, (set = new Set()));
    set.add(s);
  }

  private unschedule(s: MutableSession): void {
    const set = this.buckets.get(s.expiresAtMs);
    if (set === undefined) return;
    set.delete(s);
    if (set.size === 0) this.buckets.delete(s.expiresAtMs);
  }
}
