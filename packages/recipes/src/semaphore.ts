// A counting semaphore with the node layout and protocol of Curator's InterProcessSemaphoreV2.
import type { Observable } from 'rxjs';
import type { Data, ZooKeeperClient } from '@zkts/client';
import { NoNodeError } from '@zkts/client';
import { HoldTracker, awaitWatch, createProtectedSequential, deleteQuietly, joinPath, protectedPrefix, type HoldState } from './internals.js';
import { Lock } from './lock.js';

/** Curator's InterProcessSemaphoreV2 names: `<path>/locks` (a mutex), `<path>/leases/_c_<uuid>-lease-N`. */
export const SEMAPHORE_LOCK_PARENT = 'locks';
export const SEMAPHORE_LEASE_PARENT = 'leases';
export const LEASE_NAME = 'lease-';
/** Upper bound on maxLeases (a lease is a znode; keep the leases directory listable). */
export const SEMAPHORE_MAX_LEASES_MAX = 100_000;

/** One lease: an ephemeral node under `<path>/leases`. */
export class Lease {
  private readonly tracker: HoldTracker;
  private released = false;

  constructor(
    private readonly client: ZooKeeperClient,
    /** Full path of the lease node. */
    readonly nodePath: string,
  ) {
    this.tracker = new HoldTracker(client);
    this.tracker.hold();
  }

  /** 'held' | 'suspended' (disconnected) | 'lost' (session expired / client closed) | 'idle' (released). */
  get state$(): Observable<HoldState> {
    return this.tracker.state$;
  }
  get state(): HoldState {
    return this.tracker.state;
  }
  get lostReason(): Error | undefined {
    return this.tracker.lostReason;
  }

  /** Deletes the lease node (a waiting acquirer is woken by its children watch). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const lost = this.tracker.state === 'lost';
    this.tracker.release();
    if (!lost) await deleteQuietly(this.client, this.nodePath);
  }
}

export interface SemaphoreOptions {
  /** Data stored in each lease node (Curator: the participant's node data). */
  data?: Data;
}

/**
 * `new Semaphore(client, '/sem', 3)`: at most 3 leases at once, across processes (and with Curator's
 * InterProcessSemaphoreV2 on the same path and count). Acquiring: take the mutex `<path>/locks`, create
 * `<path>/leases/_c_<uuid>-lease-` EPHEMERAL_SEQUENTIAL, and while there are more than maxLeases lease
 * nodes wait on a children watch of `<path>/leases` (only the mutex holder waits, so a release wakes one
 * process); then release the mutex. Every process must use the same maxLeases.
 */
export class Semaphore {
  private readonly lock: Lock;
  private readonly leasesPath: string;

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    readonly maxLeases: number,
    private readonly options: SemaphoreOptions = {},
  ) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1 || maxLeases > SEMAPHORE_MAX_LEASES_MAX) {
      throw new RangeError(`Semaphore: maxLeases must be an integer in 1..${SEMAPHORE_MAX_LEASES_MAX}, got ${maxLeases}`);
    }
    this.lock = new Lock(client, joinPath(path, SEMAPHORE_LOCK_PARENT));
    this.leasesPath = joinPath(path, SEMAPHORE_LEASE_PARENT);
  }

  /** A lease, or null when `timeoutMs` passes first (nothing is left behind then). */
  async acquire(opts: { timeoutMs?: number } = {}): Promise<Lease | null> {
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs >= 0)) throw new RangeError(`acquire: timeoutMs must be >= 0, got ${opts.timeoutMs}`);
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    const locked = await this.lock.acquire(deadline === undefined ? {} : { timeoutMs: Math.max(0, deadline - Date.now()) });
    if (!locked) return null;
    try {
      const name = await createProtectedSequential(this.client, this.leasesPath, LEASE_NAME, protectedPrefix(), this.options.data ?? null);
      const nodePath = joinPath(this.leasesPath, name);
      try {
        for (;;) {
          const { children, watch } = await this.client.getChildren(this.leasesPath, { watch: true });
          if (!children.includes(name)) throw new NoNodeError(nodePath, 'lease node disappeared (session lost?)');
          if (children.length <= this.maxLeases) return new Lease(this.client, nodePath);
          if ((await awaitWatch(watch, deadline)) === 'timeout') break;
        }
      } catch (e) {
        await deleteQuietly(this.client, nodePath);
        throw e;
      }
      await deleteQuietly(this.client, nodePath);
      return null;
    } finally {
      await this.lock.release(); // a no-op delete when the session is gone
    }
  }

  /** The names of the current lease nodes. */
  async participantNodes(): Promise<string[]> {
    try {
      return await this.client.getChildren(this.leasesPath);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }
}
