// Distributed locks with the node layout of Curator's LockInternals: InterProcessMutex here, the
// read/write lock's two halves in read-write-lock.ts. One class, a pluggable "driver" deciding
// who holds the lock and whom a waiter watches.
import type { Observable } from 'rxjs';
import type { Data, WatchedEvent, ZooKeeperClient } from '@zkts/client';
import { NoNodeError } from '@zkts/client';
import {
  HoldTracker,
  createProtectedSequential,
  deleteQuietly,
  joinPath,
  protectedPrefix,
  sortChildren,
  waitForDeletion,
  type HoldState,
} from './internals.js';

/** Curator's InterProcessMutex LOCK_NAME. */
export const LOCK_NAME = 'lock-';

export interface LockOptions {
  /** Data stored in the lock node (Curator stores the client's IP address by default; zkts: empty). */
  data?: Data;
  /** Called with every watch event a waiting acquire() receives (instrumentation, tests). */
  onWatchEvent?: (event: WatchedEvent) => void;
  /** Called once a waiting acquire() has set its watch on `predecessor` (a full path). */
  onWaiting?: (predecessor: string) => void;
}

export interface AcquireOptions {
  /** Give up after this long: acquire() then resolves false and its node is deleted. */
  timeoutMs?: number;
  /** Give up when aborted: acquire() then resolves false and its node is deleted. */
  signal?: AbortSignal;
}

export class LockNotHeldError extends Error {
  constructor(path: string) {
    super(`lock ${path} is not held by this Lock`);
    this.name = 'LockNotHeldError';
  }
}

/** Decides, from the sorted children, whether `ours` holds the lock, and else which node to watch. */
export interface LockDriver {
  readonly lockName: string;
  sort(children: readonly string[]): string[];
  check(sorted: readonly string[], ours: string): { acquired: true } | { acquired: false; watch: string };
}

/** InterProcessMutex (and the write half of the read/write lock): the lowest node holds it; a waiter watches its predecessor. */
export function mutexDriver(lockName: string, sort: (children: readonly string[]) => string[] = (c) => sortChildren(c, lockName)): LockDriver {
  return {
    lockName,
    sort,
    check(sorted, ours) {
      const i = sorted.indexOf(ours);
      if (i < 0) throw new NoNodeError(ours, 'lock node disappeared (session lost?)');
      return i === 0 ? { acquired: true } : { acquired: false, watch: sorted[i - 1]! };
    },
  };
}

/**
 * The shared algorithm (Curator's LockInternals.attemptLock): create a protected EPHEMERAL_SEQUENTIAL
 * node, read and sort the children, and either hold the lock or set a data watch on the one node
 * the driver names and wait for it to go. Reentrant per instance.
 *
 * Session: while held, `state` is 'held'; the client's 'disconnected' makes it 'suspended' (the
 * server may expire the session meanwhile and hand the lock on: stop relying on it), 'reconnected'
 * makes it 'held' again, and expiry or close makes it 'lost' (final; `release()` is then a no-op).
 * A waiting acquire() rejects with SessionExpiredError / ClientClosedError.
 */
export class SequentialLock {
  private ourPath: string | undefined;
  private holds = 0;
  private pending: Promise<boolean> | undefined;
  private readonly tracker: HoldTracker;

  constructor(
    protected readonly client: ZooKeeperClient,
    readonly path: string,
    private readonly driver: LockDriver,
    private readonly options: LockOptions = {},
  ) {
    this.tracker = new HoldTracker(client);
  }

  /** 'idle' | 'held' | 'suspended' | 'lost' (see the class comment); replays the current value. */
  get state$(): Observable<HoldState> {
    return this.tracker.state$;
  }

  get state(): HoldState {
    return this.tracker.state;
  }

  /** True while held and connected with the session that holds it ('held'). */
  get isHeld(): boolean {
    return this.tracker.state === 'held';
  }

  /** Why the lock was lost, once `state` is 'lost'. */
  get lostReason(): Error | undefined {
    return this.tracker.lostReason;
  }

  /** The full path of the node this instance holds, if any. */
  get lockNodePath(): string | undefined {
    return this.holds > 0 ? this.ourPath : undefined;
  }

  /** Resolves true once held, or false when `timeoutMs` passes first. */
  async acquire(opts: AcquireOptions = {}): Promise<boolean> {
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs >= 0)) throw new RangeError(`acquire: timeoutMs must be >= 0, got ${opts.timeoutMs}`);
    if (this.holds > 0) {
      if (this.tracker.state === 'lost') throw this.tracker.lostReason!;
      this.holds++;
      return true;
    }
    if (this.pending) throw new Error('acquire() already in progress on this lock instance');
    this.pending = this.attempt(opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs, opts.signal);
    try {
      const ok = await this.pending;
      if (ok) {
        this.holds = 1;
        this.tracker.hold();
      }
      return ok;
    } finally {
      this.pending = undefined;
    }
  }

  /** Releases one hold; the last one deletes the lock node (waking the next contender only). */
  async release(): Promise<void> {
    if (this.holds === 0) throw new LockNotHeldError(this.path);
    if (--this.holds > 0) return;
    const node = this.ourPath!;
    this.ourPath = undefined;
    const lost = this.tracker.state === 'lost';
    this.tracker.release();
    if (!lost) await deleteQuietly(this.client, node);
  }

  private async attempt(deadline: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return false;
    const aborted = signal === undefined ? undefined : new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    const ours = await createProtectedSequential(this.client, this.path, this.driver.lockName, protectedPrefix(), this.options.data ?? null);
    this.ourPath = joinPath(this.path, ours);
    try {
      for (;;) {
        const verdict = this.driver.check(this.driver.sort(await this.client.getChildren(this.path)), ours);
        if (verdict.acquired) return true;
        if ((deadline !== undefined && Date.now() >= deadline) || signal?.aborted) break;
        const r = await waitForDeletion(this.client, joinPath(this.path, verdict.watch), deadline, this.options.onWatchEvent, aborted, this.options.onWaiting);
        if (r === 'timeout' || r === 'cancelled') break;
      }
    } catch (e) {
      await this.dropOurs();
      throw e;
    }
    await this.dropOurs();
    return false;
  }

  private async dropOurs(): Promise<void> {
    const node = this.ourPath;
    this.ourPath = undefined;
    if (node !== undefined) await deleteQuietly(this.client, node);
  }
}

/**
 * `new Lock(client, '/locks/x')`: Curator's InterProcessMutex. Contenders create EPHEMERAL_SEQUENTIAL
 * `_c_<uuid>-lock-NNNNNNNNNN` children of the lock path; the lowest sequence holds the lock, every
 * other contender watches only its predecessor (a release wakes exactly one waiter). Reentrant per
 * Lock instance (each acquire() needs a release()), like Curator's per-thread reentrancy.
 */
export class Lock extends SequentialLock {
  constructor(client: ZooKeeperClient, path: string, options: LockOptions = {}) {
    super(client, path, mutexDriver(LOCK_NAME), options);
  }
}
