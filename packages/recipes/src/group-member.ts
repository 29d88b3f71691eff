// Group membership with the layout of Curator's GroupMember: one EPHEMERAL node per member.
import { BehaviorSubject, distinctUntilChanged, type Observable, type Subscription } from 'rxjs';
import type { Data, ZooKeeperClient } from '@zkts/client';
import { NodeExistsError, NoNodeError } from '@zkts/client';
import { deleteQuietly, ensureContainers, joinPath, sessionLostError, watchSession } from './internals.js';
import { watchChildrenData } from './node-watch.js';

export type MemberState = 'latent' | 'member' | 'suspended' | 'lost' | 'closed';

/**
 * `new GroupMember(client, '/group', 'me', payload)`: Curator's GroupMember layout, an EPHEMERAL
 * node `<path>/<id>` holding the payload (parents as containers). `members$` is the live view of the
 * group: a Map id -> payload on every membership change.
 *
 * Session: 'disconnected' -> state 'suspended' (the member may be expiring); the same session back ->
 * 'member'; expiry or client close -> 'lost': the server has removed the member node, the others see
 * it leave, and `members$` of this client ends (SessionExpiredError; completes on close). Curator
 * re-creates the node on a new session; a zkts client cannot renew one, so join again with a new client.
 */
export class GroupMember {
  private readonly stateSubject = new BehaviorSubject<MemberState>('latent');
  private sessionSub: Subscription | undefined;
  private lostWith: Error | undefined;
  readonly state$: Observable<MemberState> = this.stateSubject.pipe(distinctUntilChanged());

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    readonly id: string,
    private readonly payload: Data = null,
  ) {
    if (id.length === 0 || id.includes('/')) throw new RangeError(`GroupMember: id must be a non-empty node name without '/', got ${JSON.stringify(id)}`);
  }

  get state(): MemberState {
    return this.stateSubject.value;
  }
  get lostReason(): Error | undefined {
    return this.lostWith;
  }
  get nodePath(): string {
    return joinPath(this.path, this.id);
  }

  /** Creates the member node; NodeExistsError when another live session already uses this id. */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error(`GroupMember ${this.nodePath}: start() while ${this.state}`);
    for (;;) {
      try {
        await this.client.create(this.nodePath, this.payload, { mode: 'ephemeral' });
        break;
      } catch (e) {
        if (e instanceof NoNodeError) {
          await ensureContainers(this.client, this.path);
          continue;
        }
        if (e instanceof NodeExistsError && (await this.client.exists(this.nodePath))?.ephemeralOwner === this.client.sessionId) break; // our retried create
        throw e;
      }
    }
    this.stateSubject.next('member');
    this.sessionSub = watchSession(this.client, (e, s) => {
      const now = this.stateSubject.value;
      if (now !== 'member' && now !== 'suspended') return;
      if (e === 'suspended') this.stateSubject.next('suspended');
      else if (e === 'reconnected') this.stateSubject.next('member');
      else {
        this.lostWith = sessionLostError(s);
        this.stateSubject.next('lost');
        queueMicrotask(() => this.sessionSub?.unsubscribe());
      }
    });
  }

  /** Replaces this member's payload. */
  async setPayload(payload: Data): Promise<void> {
    await this.client.setData(this.nodePath, payload ?? null);
  }

  /** The group: member id -> payload, now and on every membership change. */
  get members$(): Observable<Map<string, Uint8Array | null>> {
    return watchChildrenData(this.client, this.path);
  }

  /** Leaves the group (deletes the member node). */
  async close(): Promise<void> {
    const was = this.state;
    if (was === 'closed') return;
    this.sessionSub?.unsubscribe();
    this.stateSubject.next('closed');
    this.stateSubject.complete();
    if (was === 'member' || was === 'suspended') await deleteQuietly(this.client, this.nodePath);
  }
}
