// Leader election with the node layout of Curator's LeaderLatch.
import { BehaviorSubject, distinctUntilChanged, type Observable, type Subscription } from 'rxjs';
import type { Data, ZooKeeperClient } from '@zkts/client';
import {
  Wakeup,
  createProtectedSequential,
  deleteQuietly,
  firstMatching,
  joinPath,
  protectedPrefix,
  sessionLostError,
  sortChildren,
  waitForDeletion,
  watchSession,
} from './internals.js';

/** Curator's LeaderLatch LOCK_NAME. */
export const LATCH_NAME = 'latch-';

/** Pause before reading the children again after a failed request while connected. */
export const LATCH_RETRY_DELAY_MS = 100;

export type LatchState = 'latent' | 'started' | 'closed' | 'lost';

export interface LeaderLatchOptions {
  /** Data of the participant node (Curator: the participant id). */
  data?: Data;
}

/**
 * `new LeaderLatch(client, '/election')`, then `start()`: creates EPHEMERAL_SEQUENTIAL
 * `_c_<uuid>-latch-NNNNNNNNNN` under the latch path; the lowest sequence is the leader, every other
 * participant watches only its predecessor. `close()` deletes the node (handing leadership on).
 *
 * Session (as Curator's LeaderLatch with the standard error policy): 'disconnected' -> leadership
 * is given up at once (`leader$` false: the session may be expiring and another participant may
 * take over); the same session reconnecting -> the children are read again and leadership comes
 * back if the node is still the lowest; expiry or client close -> `state` 'lost', `leader$` emits
 * false and completes, `awaitLeadership()` rejects with `lostReason`. A zkts client cannot renew an
 * expired session, so a new latch on a new client has to take over (Curator re-creates the node itself).
 * If the node is deleted by someone else while the session lives, it is created again (at the back).
 */
export class LeaderLatch {
  private readonly leader = new BehaviorSubject<boolean>(false);
  private ours: string | undefined;
  private latchState: LatchState = 'latent';
  private suspended = false;
  private lostWith: Error | undefined;
  private readonly wakeup = new Wakeup();
  private loop: Promise<void> | undefined;
  private sessionSub: Subscription | undefined;

  /** Emits the current value (false at first), then every change of leadership; completes on close() or session loss. */
  readonly leader$: Observable<boolean> = this.leader.pipe(distinctUntilChanged());

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    private readonly options: LeaderLatchOptions = {},
  ) {}

  get isLeader(): boolean {
    return this.leader.value;
  }

  get state(): LatchState {
    return this.latchState;
  }

  /** Why leadership was lost for good (SessionExpiredError / ClientClosedError), once state is 'lost'. */
  get lostReason(): Error | undefined {
    return this.lostWith;
  }

  /** The full path of this participant's node once created. */
  get nodePath(): string | undefined {
    return this.ours === undefined ? undefined : joinPath(this.path, this.ours);
  }

  /** Creates the node; resolves once it exists (leadership may come later: see leader$). */
  async start(): Promise<void> {
    if (this.latchState !== 'latent') throw new Error(`LeaderLatch ${this.path}: start() on a latch that is ${this.latchState}`);
    this.latchState = 'started';
    this.ours = await this.createNode();
    this.sessionSub = watchSession(this.client, (e, s) => {
      if (this.latchState !== 'started') return;
      if (e === 'suspended') {
        this.suspended = true;
        this.leader.next(false);
      } else if (e === 'reconnected') {
        if (this.suspended) {
          this.suspended = false;
          this.wakeup.wake();
        }
      } else {
        this.lose(sessionLostError(s));
      }
    });
    this.loop = this.run();
  }

  /** Resolves when this participant is the leader; rejects if the latch is closed or loses its session first. */
  async awaitLeadership(): Promise<void> {
    const v = await firstMatching(this.leader$, (l) => l);
    if (v === undefined) throw this.lostWith ?? new Error(`LeaderLatch ${this.path} closed`);
  }

  /** Gives leadership up and deletes the node (the next participant becomes leader). */
  async close(): Promise<void> {
    if (this.latchState === 'closed') return;
    const wasLost = this.latchState === 'lost';
    this.latchState = 'closed';
    this.sessionSub?.unsubscribe();
    this.wakeup.wake();
    await this.loop;
    this.leader.next(false);
    this.leader.complete();
    const node = this.nodePath;
    if (node !== undefined && !wasLost) await deleteQuietly(this.client, node);
  }

  private lose(reason: Error): void {
    this.latchState = 'lost';
    this.lostWith = reason;
    queueMicrotask(() => this.sessionSub?.unsubscribe());
    this.leader.next(false);
    this.leader.complete();
    this.wakeup.wake();
  }

  private createNode(): Promise<string> {
    return createProtectedSequential(this.client, this.path, LATCH_NAME, protectedPrefix(), this.options.data ?? null);
  }

  private async run(): Promise<void> {
    while (this.latchState === 'started') {
      const wake = this.wakeup.wait;
      try {
        const sorted = sortChildren(await this.client.getChildren(this.path), LATCH_NAME);
        if (this.latchState !== 'started') return;
        const i = sorted.indexOf(this.ours!);
        if (i < 0) {
          // deleted behind our back while the session lives: join again at the back (Curator's reset)
          this.leader.next(false);
          this.ours = await this.createNode();
          continue;
        }
        if (i === 0) {
          if (!this.suspended) this.leader.next(true);
          await wake; // leader until close(), suspension or loss
          continue;
        }
        this.leader.next(false);
        await waitForDeletion(this.client, joinPath(this.path, sorted[i - 1]!), undefined, undefined, wake);
      } catch {
        // connection lost mid-request, or the session ended: the session handler decides; wait for it
        if (this.latchState === 'started' && !this.suspended) {
          await Promise.race([wake, new Promise((r) => setTimeout(r, LATCH_RETRY_DELAY_MS))]);
          continue;
        }
        await wake;
      }
    }
  }
}
