// A distributed mutex with the node layout of Curator's InterProcessMutex.
import type { WatchedEvent, ZooKeeperClient } from '@zkts/client';
import { NoNodeError } from '@zkts/client';
import { createProtectedSequential, joinPath, protectedPrefix, sortChildren, waitForDeletion } from './internals.js';

/** Curator's InterProcessMutex LOCK_NAME. */
export const LOCK_NAME = 'lock-';

export interface LockOptions {
  /** Called with every watch event a waiting acquire() receives (instrumentation, tests). */
  onWatchEvent?: (event: WatchedEvent) => void;
  /** Called once a waiting acquire() has set its watch on `predecessor` (a full path). */
  onWaiting?: (predecessor: string) => void;
}

export interface AcquireOptions {
  /** Give up after this long: acquire() then resolves false and its node is deleted. */
  timeoutMs?: number;
}

export class LockNotHeldError extends Error {
  constructor(path: string) {
    super(`lock ${path} is not held by this Lock`);
    this.name = 'LockNotHeldError';
  }
}

/**
 * `new Lock(client, '/locks/x')`: contenders create EPHEMERAL_SEQUENTIAL `_c_<uuid>-lock-NNNNNNNNNN`
 * children of the lock path; the lowest sequence holds the lock, every other contender watches only
 * its predecessor. Reentrant per Lock instance (each acquire() needs a release()), like Curator's
 * per-thread reentrancy. One Lock instance per contender.
 */
export class Lock {
  private ourPath: string | undefined;
  private holds = 0;
  private pending: Promise<boolean> | undefined;

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    private readonly options: LockOptions = {},
  ) {}

  /** True while this instance holds the lock (as far as it knows: a lost session is not noticed here). */
  get isHeld(): boolean {
    return this.holds > 0;
  }

  /** The full path of the node this instance holds, if any. */
  get lockNodePath(): string | undefined {
    return this.holds > 0 ? this.ourPath : undefined;
  }

  /** Resolves true once held, or false when `timeoutMs` passes first. */
  async acquire(opts: AcquireOptions = {}): Promise<boolean> {
    if (this.holds > 0) {
      this.holds++;
      return true;
    }
    if (this.pending) throw new Error('acquire() already in progress on this Lock instance');
    this.pending = this.attempt(opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs);
    try {
      const ok = await this.pending;
      if (ok) this.holds = 1;
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
    try {
      await this.client.delete(node);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  private async attempt(deadline: number | undefined): Promise<boolean> {
    const ours = await createProtectedSequential(this.client, this.path, LOCK_NAME, protectedPrefix());
    this.ourPath = joinPath(this.path, ours);
    try {
      for (;;) {
        const sorted = sortChildren(await this.client.getChildren(this.path), LOCK_NAME);
        const i = sorted.indexOf(ours);
        if (i < 0) throw new NoNodeError(this.ourPath, "lock node disappeared (session lost?)");
        if (i === 0) return true;
        if (deadline !== undefined && Date.now() >= deadline) break;
        const r = await waitForDeletion(this.client, joinPath(this.path, sorted[i - 1]!), deadline, this.options.onWatchEvent, undefined, this.options.onWaiting);
        if (r === 'timeout') break;
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
    if (node === undefined) return;
    try {
      await this.client.delete(node);
    } catch {
      // gone already, or the client is closed: the session takes the ephemeral with it
    }
  }
}
