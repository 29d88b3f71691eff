// Leader election in Curator's LeaderSelector style: take leadership, run, release; requeue.
import { BehaviorSubject, distinctUntilChanged, type Observable, type Subscription } from 'rxjs';
import type { Data, ZooKeeperClient } from '@zkts/client';
import { isSessionLostState, sessionLostError } from './internals.js';
import { Lock } from './lock.js';

/** Runs while this participant leads; returning (or throwing) gives leadership up. `signal` aborts on suspension or session loss. */
export type TakeLeadership = (signal: AbortSignal) => Promise<void>;

export interface LeaderSelectorOptions {
  /** Queue again after each leadership ends (Curator's autoRequeue). Default false: lead once. */
  autoRequeue?: boolean;
  /** Stored in the participant's lock node (Curator: the participant id). */
  id?: string;
  /** Called when takeLeadership throws (the error does not stop the selector). */
  onError?: (error: unknown) => void;
}

export type SelectorState = 'latent' | 'queued' | 'leading' | 'idle' | 'closed' | 'lost';

/**
 * `new LeaderSelector(client, '/election/x', async (signal) => { ... })`, then `start()`. Curator's
 * LeaderSelector layout: an InterProcessMutex at the path (`_c_<uuid>-lock-NNNNNNNNNN`, data = id);
 * holding the mutex is leadership. takeLeadership runs while held; when it returns the mutex is
 * released and, with autoRequeue, the participant queues again.
 *
 * Session: on 'disconnected' (and on expiry) the signal aborts (Curator's CancelLeadershipException)
 * — takeLeadership must stop acting as leader then and return. After expiry or client close the
 * selector ends in state 'lost' (`lostReason`); a new client is needed to take part again.
 */
export class LeaderSelector {
  private readonly lock: Lock;
  private readonly stateSubject = new BehaviorSubject<SelectorState>('latent');
  private readonly closer = new AbortController();
  private loop: Promise<void> | undefined;
  private requeueWanted = false;
  private lostWith: Error | undefined;

  /** latent -> queued -> leading -> (queued again with autoRequeue | idle) ... -> closed | lost. */
  readonly state$: Observable<SelectorState> = this.stateSubject.pipe(distinctUntilChanged());

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    private readonly takeLeadership: TakeLeadership,
    private readonly options: LeaderSelectorOptions = {},
  ) {
    const data: Data = options.id ?? null;
    this.lock = new Lock(client, path, { data });
  }

  get state(): SelectorState {
    return this.stateSubject.value;
  }
  get hasLeadership(): boolean {
    return this.stateSubject.value === 'leading' && this.lock.isHeld;
  }
  get lostReason(): Error | undefined {
    return this.lostWith;
  }

  start(): void {
    if (this.state !== 'latent') throw new Error(`LeaderSelector ${this.path}: start() on a selector that is ${this.state}`);
    this.requeueWanted = true;
    this.loop = this.run();
  }

  /** Queues again after an ended leadership (without autoRequeue). No-op while queued or leading. */
  requeue(): void {
    if (this.state === 'closed' || this.state === 'lost' || this.state === 'latent') throw new Error(`LeaderSelector ${this.path}: requeue() while ${this.state}`);
    if (this.state !== 'idle') return;
    this.requeueWanted = true;
    this.loop = this.run();
  }

  /** Leaves the queue; a running takeLeadership is aborted and awaited, then the mutex released. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.closer.abort(new Error(`LeaderSelector ${this.path} closed`));
    await this.loop;
    if (this.state !== 'lost') this.stateSubject.next('closed');
    this.stateSubject.complete();
  }

  private async run(): Promise<void> {
    while (this.requeueWanted && !this.closer.signal.aborted) {
      this.requeueWanted = this.options.autoRequeue ?? false;
      this.stateSubject.next('queued');
      let held: boolean;
      try {
        held = await this.lock.acquire({ signal: this.closer.signal });
      } catch (e) {
        if (this.closer.signal.aborted) break;
        this.lostWith = e instanceof Error ? e : new Error(String(e));
        this.stateSubject.next('lost');
        return;
      }
      if (!held) break;
      await this.lead();
      const lostWhileLeading = this.lock.lostReason;
      await this.lock.release(); // waits for a reconnection when suspended; a no-op delete once lost
      if (lostWhileLeading !== undefined || isSessionLostState(this.client.state)) {
        this.lostWith = lostWhileLeading ?? sessionLostError(this.client.state);
        this.stateSubject.next('lost');
        return;
      }
    }
    if (this.state !== 'lost') this.stateSubject.next('idle');
  }

  private async lead(): Promise<void> {
    const leadership = new AbortController();
    const onClose = (): void => leadership.abort(this.closer.signal.reason);
    this.closer.signal.addEventListener('abort', onClose, { once: true });
    const sub: Subscription = this.lock.state$.subscribe((s) => {
      if (s === 'suspended' || s === 'lost') leadership.abort(new Error(`leadership of ${this.path} ${s === 'lost' ? 'lost' : 'suspended'}`));
    });
    this.stateSubject.next('leading');
    try {
      if (!leadership.signal.aborted) await this.takeLeadership(leadership.signal);
    } catch (e) {
      this.options.onError?.(e);
    } finally {
      sub.unsubscribe();
      this.closer.signal.removeEventListener('abort', onClose);
    }
  }
}
