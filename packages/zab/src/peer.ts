// ZabPeer: the facade the runtime drives. It owns the persisted-state view (hard state, log) and
// the Ready queue, and delegates inputs to the current role (looking, leading, following, observing).
import {
  EMPTY_RECOVERED_STATE, checkRecovered, resolveConfig,
  type HardState, type RecoveredState, type ResolvedConfig, type ZabConfig,
} from './config.js';
import { NotLeaderError, NotSyncedError, ZabUsageError } from './errors.js';
import { LeaderRole, type LearnerView } from './leader.js';
import { LearnerRole, type SyncMode } from './learner.js';
import { PeerLog } from './log.js';
import type { ZabMessage } from './messages.js';
import { ReadyQueue, type Ready, type ZabPhase, type ZabRole } from './ready.js';
import { LookingRole, type PeerContext, type RoleHandler } from './role.js';
import { EPOCH_MAX, type Zxid } from './zxid.js';

/** What 4lw/mntr and the harness show. */
export interface ZabStatus {
  readonly id: number;
  readonly role: ZabRole;
  readonly phase: ZabPhase;
  /** The epoch of the current role (the accepted epoch while looking). */
  readonly epoch: number;
  readonly leaderId: number | null;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  readonly lastLoggedZxid: Zxid;
  readonly lastCommittedZxid: Zxid;
  /** On a leader: voters / observers that finished syncing (ZooKeeper's synced_followers / observers). */
  readonly syncedFollowers: readonly number[];
  readonly syncedObservers: readonly number[];
  /** On a leader: every connected learner with its state and how it was synced. */
  readonly learners: readonly LearnerView[];
  /** On a learner: how it synced with its current leader. */
  readonly syncMode: SyncMode | undefined;
  readonly pendingSyncs: number;
  readonly outstandingProposals: number;
  readonly ticks: number;
}

export class ZabPeer {
  readonly config: ResolvedConfig;
  private readonly out = new ReadyQueue();
  private readonly log: PeerLog;
  private hard: HardState;
  private ticks = 0;
  private attempts = 0;
  private pingPayload: Uint8Array | undefined;
  private role: RoleHandler;
  private inFlight: Ready | undefined;
  private readonly ctx: PeerContext;

  constructor(config: ZabConfig, recovered: RecoveredState = EMPTY_RECOVERED_STATE) {
    this.config = resolveConfig(config);
    checkRecovered(recovered);
    this.hard = { acceptedEpoch: recovered.acceptedEpoch, currentEpoch: recovered.currentEpoch };
    this.log = new PeerLog(this.config.committedLogMax, recovered, this.out);
    const peer = this;
    this.ctx = {
      config: this.config,
      log: this.log,
      out: this.out,
      get hardState() { return peer.hard; },
      get now() { return peer.ticks; },
      setAcceptedEpoch: (epoch) => this.setHardState({ acceptedEpoch: epoch, currentEpoch: this.hard.currentEpoch }),
      setCurrentEpoch: (epoch) => this.setHardState({ acceptedEpoch: Math.max(epoch, this.hard.acceptedEpoch), currentEpoch: epoch }),
      send: (to, msg) => this.out.send(to, msg),
      sendBeforePersist: (to, msg) => this.out.sendBeforePersist(to, msg),
      takePingPayload: () => {
        const p = this.pingPayload;
        this.pingPayload = undefined;
        return p;
      },
      roleChanged: (change) => this.out.roleChanged({ role: this.role.role, ...change }),
      stepDown: (reason) => this.enterLooking(reason),
      nextAttempt: () => ++this.attempts,
    };
    this.role = new LookingRole(this.ctx);
    this.out.roleChanged({ role: 'looking', phase: 'election', epoch: this.hard.acceptedEpoch, leader: null, reason: 'started' });
  }

  private setHardState(next: HardState): void {
    if (next.acceptedEpoch > EPOCH_MAX || next.currentEpoch > next.acceptedEpoch) {
      throw new Error(`zab: invalid hard state ${JSON.stringify(next)}`);
    }
    this.hard = next;
    this.out.hardState(next);
  }

  private enterLooking(reason: string): void {
    this.role = new LookingRole(this.ctx);
    this.out.roleChanged({ role: 'looking', phase: 'election', epoch: this.hard.acceptedEpoch, leader: null, reason });
  }

  // ---- inputs ----

  /** One tick of ZooKeeper's tickTime: pings, and the initLimit / syncLimit deadlines. */
  tick(): void {
    this.ticks++;
    this.role.tick();
  }

  /** A message from peer `from` (decoded by the runtime). Unknown senders are ignored. */
  step(from: number, msg: ZabMessage): void {
    if (from === this.config.selfId || (!this.config.voters.has(from) && !this.config.observers.has(from))) return;
    this.role.step(from, msg);
  }

  /** The transport lost the link to `id`: a learner of that leader looks for a new one at once. */
  peerDisconnected(id: number): void {
    this.role.peerDisconnected(id);
  }

  becomeLeader(): void {
    this.checkCanBecome('leading');
    if (!this.config.selfIsVoter) throw new ZabUsageError(`server ${this.config.selfId} is an observer and cannot lead`);
    this.swapRole(new LeaderRole(this.ctx));
  }

  becomeFollower(leaderId: number): void {
    this.checkCanBecome('following');
    if (!this.config.selfIsVoter) throw new ZabUsageError(`server ${this.config.selfId} is an observer: use becomeObserver`);
    this.checkLeaderId(leaderId);
    this.swapRole(new LearnerRole(this.ctx, leaderId, true));
  }

  becomeObserver(leaderId: number): void {
    this.checkCanBecome('observing');
    if (this.config.selfIsVoter) throw new ZabUsageError(`server ${this.config.selfId} is a voter: use becomeFollower`);
    this.checkLeaderId(leaderId);
    this.swapRole(new LearnerRole(this.ctx, leaderId, false));
  }

  private checkCanBecome(role: ZabRole): void {
    if (this.role.role !== 'looking') throw new ZabUsageError(`cannot become ${role} while ${this.role.role}: only a looking peer takes an election result`);
    // A sync starts by truncating or replacing the log: older writes must be handed out first.
    if (this.out.hasPendingStorage()) throw new ZabUsageError(`cannot become ${role}: take the pending Ready first`);
  }

  private checkLeaderId(leaderId: number): void {
    if (leaderId === this.config.selfId || !this.config.voters.has(leaderId)) {
      throw new ZabUsageError(`leader ${leaderId} is not another voter`);
    }
  }

  private swapRole(role: RoleHandler): void {
    this.out.clearNeedsElection();
    this.role = role;
    role.start();
  }

  // ---- client-facing helpers ----

  /** Leader only: appends a proposal and returns its zxid. */
  propose(data: Uint8Array): Zxid {
    if (!(this.role instanceof LeaderRole)) throw new NotLeaderError(this.role.role, this.role.leaderId);
    return this.role.propose(data);
  }

  /** The zxid the next propose() will get (stable until something is proposed). */
  peekNextZxid(): Zxid {
    if (!(this.role instanceof LeaderRole)) throw new NotLeaderError(this.role.role, this.role.leaderId);
    return this.role.peekNextZxid();
  }

  /** A learner sends a client request to its leader; a leader hands it to itself (Ready.forwarded). */
  forward(data: Uint8Array): void {
    if (this.role instanceof LeaderRole || this.role instanceof LearnerRole) this.role.forward(data);
    else throw new NotSyncedError(this.role.role, this.role.phase);
  }

  /** ZooKeeper's sync: `id` shows up in Ready.syncsDone once this peer applied every write the leader had proposed when the sync reached it. */
  requestSync(id: number): void {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`sync id must be a non-negative safe integer, got ${id}`);
    if (this.role instanceof LeaderRole || this.role instanceof LearnerRole) this.role.requestSync(id);
    else throw new NotSyncedError(this.role.role, this.role.phase);
  }

  /** The runtime purged what it needed to rebuild its state below `zxid` (old snapshots / log). */
  setSnapshotFloor(zxid: Zxid): void {
    if (!Number.isSafeInteger(zxid) || zxid < 0 || zxid > this.log.lastLogged) throw new RangeError(`snapshot floor ${zxid} is not a zxid up to the last logged one`);
    this.log.truncFloor = Math.max(this.log.truncFloor, zxid);
  }

  /** Attached to the next ping this peer sends (replaces an unsent one). */
  setPingPayload(data: Uint8Array | undefined): void {
    this.pingPayload = data;
  }

  // ---- Ready / advance ----

  hasReady(): boolean {
    return this.inFlight === undefined && this.out.hasReady();
  }

  ready(): Ready {
    if (this.inFlight) throw new ZabUsageError('ready() called again before advance() of the previous Ready');
    this.inFlight = this.out.take();
    return this.inFlight;
  }

  advance(ready: Ready): void {
    if (ready !== this.inFlight) throw new ZabUsageError('advance() with a Ready that is not the one in flight');
    this.inFlight = undefined;
    this.role.advanced(ready);
  }

  // ---- observation ----

  get currentRole(): ZabRole { return this.role.role; }
  get phase(): ZabPhase { return this.role.phase; }
  get leaderId(): number | null { return this.role.leaderId; }
  get hardState(): HardState { return this.hard; }
  get lastLoggedZxid(): Zxid { return this.log.lastLogged; }
  get lastCommittedZxid(): Zxid { return this.log.lastCommitted; }
  /** True for an established leader or a learner that got UPTODATE: it may serve clients. */
  get isServing(): boolean { return this.role.phase === 'broadcast'; }

  status(): ZabStatus {
    const role = this.role;
    const leader = role instanceof LeaderRole ? role : undefined;
    const learner = role instanceof LearnerRole ? role : undefined;
    return {
      id: this.config.selfId,
      role: role.role,
      phase: role.phase,
      epoch: role.epoch,
      leaderId: role.leaderId,
      acceptedEpoch: this.hard.acceptedEpoch,
      currentEpoch: this.hard.currentEpoch,
      lastLoggedZxid: this.log.lastLogged,
      lastCommittedZxid: this.log.lastCommitted,
      syncedFollowers: leader?.syncedIds(false) ?? [],
      syncedObservers: leader?.syncedIds(true) ?? [],
      learners: leader?.learners() ?? [],
      syncMode: learner?.lastSyncMode,
      pendingSyncs: leader?.pendingSyncCount ?? learner?.pendingSyncCount ?? 0,
      outstandingProposals: leader?.outstandingCount ?? 0,
      ticks: this.ticks,
    };
  }
}

