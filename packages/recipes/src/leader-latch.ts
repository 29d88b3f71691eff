// Leader election with the node layout of Curator's LeaderLatch.
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import type { ZooKeeperClient } from '@zkts/client';
import { createProtectedSequential, joinPath, protectedPrefix, sortChildren, waitForDeletion } from './internals.js';

/** Curator's LeaderLatch LOCK_NAME. */
export const LATCH_NAME = 'latch-';

/**
 * `new LeaderLatch(client, '/election')`, then `start()`: creates EPHEMERAL_SEQUENTIAL
 * `_c_<uuid>-latch-NNNNNNNNNN` under the latch path; the lowest sequence is the leader, every other
 * participant watches only its predecessor. `close()` deletes the node (handing leadership on).
 * Not handled: re-creating the node after the session expires (Curator resets the latch).
 */
export class LeaderLatch {
  private readonly leader = new BehaviorSubject<boolean>(false);
  private ours: string | undefined;
  private closed = false;
  private closeSignal!: () => void;
  private readonly closing = new Promise<void>((r) => (this.closeSignal = r));
  private loop: Promise<void> | undefined;

  /** Emits false first, then every change of leadership; completes on close(). */
  readonly leader$: Observable<boolean> = this.leader.pipe(distinctUntilChanged());

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
  ) {}

  get isLeader(): boolean {
    return this.leader.value;
  }

  /** The full path of this participant's node once created. */
  get nodePath(): string | undefined {
    return this.ours === undefined ? undefined : joinPath(this.path, this.ours);
  }

  /** Creates the node; resolves once it exists (leadership may come later: see leader$). */
  async start(): Promise<void> {
    if (this.ours !== undefined || this.closed) throw new Error('LeaderLatch already started or closed');
    this.ours = await createProtectedSequential(this.client, this.path, LATCH_NAME, protectedPrefix());
    this.loop = this.run().catch((e: unknown) => {
      if (!this.closed) this.leader.error(e);
    });
  }

  /** Resolves when this participant is the leader (rejects if the latch fails or closes first). */
  async awaitLeadership(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sub = this.leader$.subscribe({
        next: (l) => {
          if (l) {
            resolve();
            queueMicrotask(() => sub.unsubscribe());
          }
        },
        error: reject,
        complete: () => reject(new Error('LeaderLatch closed')),
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeSignal();
    await this.loop;
    const node = this.nodePath;
    this.leader.next(false);
    this.leader.complete();
    if (node === undefined) return;
    try {
      await this.client.delete(node);
    } catch {
      // already gone, or the client is closed (the session takes it)
    }
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const sorted = sortChildren(await this.client.getChildren(this.path), LATCH_NAME);
      const i = sorted.indexOf(this.ours!);
      if (i < 0) throw new Error(`latch node ${this.nodePath} disappeared (session lost?)`);
      if (i === 0) {
        this.leader.next(true);
        return; // leader until close() or the session ends
      }
      this.leader.next(false);
      await waitForDeletion(this.client, joinPath(this.path, sorted[i - 1]!), undefined, undefined, this.closing);
    }
  }
}
