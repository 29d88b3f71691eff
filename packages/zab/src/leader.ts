// The leader (ZooKeeper's Leader + LearnerHandler): discovery (collect learners' accepted epochs,
// propose a new epoch, collect ACKEPOCHs), synchronization (per learner DIFF / TRUNC / SNAP, then
// NEWLEADER; established once a quorum acked it) and broadcast (PROPOSAL, ACK, COMMIT / INFORM).
import type { Entry } from './config.js';
import { NotLeaderError, TooManyOutstandingError, ZxidRolloverError } from './errors.js';
import type { SyncMode } from './learner.js';
import type { ZabMessage } from './messages.js';
import type { Ready } from './ready.js';
import type { PeerContext, RoleHandler } from './role.js';
import { EPOCH_MAX, makeZxid, zxidCounter, zxidEpoch, zxidHex, type Zxid } from './zxid.js';

type LeaderPhase = 'discovery' | 'synchronization' | 'broadcast';

/** Per-learner progress (ZooKeeper's LearnerHandler without its thread). */
type HandlerState =
  | 'awaitEpoch' // FOLLOWERINFO received, the new epoch is not decided yet
  | 'awaitAckEpoch' // LEADERINFO sent
  | 'ackedEpoch' // ACKEPOCH received, discovery not finished yet
  | 'awaitNewLeaderAck' // sync + NEWLEADER sent; gets the broadcast from here on
  | 'newLeaderAcked' // waits for the leader to be established
  | 'broadcast'; // UPTODATE sent

interface LearnerHandler {
  readonly id: number;
  readonly observer: boolean;
  readonly attempt: number;
  state: HandlerState;
  /** When `state` was entered: a learner must be synced within initLimit. */
  stateSinceTick: number;
  lastHeardTick: number;
  syncMode?: SyncMode;
  /** The learner cannot truncate below this zxid. */
  truncFloor?: Zxid;
}

export interface LearnerView {
  readonly id: number;
  readonly observer: boolean;
  readonly state: HandlerState;
  readonly syncMode: SyncMode | undefined;
}

interface PendingSync {
  /** null: the leader's own requestSync. */
  readonly from: number | null;
  readonly id: number;
  /** Answered once this zxid is committed. */
  readonly zxid: Zxid;
}

const FORWARDING: ReadonlySet<HandlerState> = new Set(['awaitNewLeaderAck', 'newLeaderAcked', 'broadcast']);
const SYNCED: ReadonlySet<HandlerState> = new Set(['newLeaderAcked', 'broadcast']);

export class LeaderRole implements RoleHandler {
  readonly role = 'leading' as const;
  phase: LeaderPhase = 'discovery';
  private newEpoch: number | undefined;
  private readonly handlers = new Map<number, LearnerHandler>();
  /** Accepted epochs of the learners that connected before the epoch was decided (self included). */
  private readonly connectingEpochs = new Map<number, number>();
  private readonly epochAcks = new Set<number>();
  /** Last zxids of learners that acked the epoch before discovery finished. */
  private readonly ackedLastZxid = new Map<number, Zxid>();
  private readonly newLeaderAcks = new Set<number>();
  /**
   * Per voter (self included), the highest proposal of this epoch it acked. Acks are cumulative:
   * a follower persists and acks proposals in order and drops out on a gap, so ACK(z) covers all
   * proposals up to z (this also survives a lost ACK).
   */
  private readonly ackedUpTo = new Map<number, Zxid>();
  private readonly pendingSyncs: PendingSync[] = [];
  private phaseStartTick: number;
  private lastProposed: Zxid = 0;

  constructor(private readonly ctx: PeerContext) {
    this.phaseStartTick = ctx.now;
  }

  get epoch(): number {
    return this.newEpoch ?? this.ctx.hardState.acceptedEpoch;
  }

  get leaderId(): number {
    return this.ctx.config.selfId;
  }

  get established(): boolean {
    return this.phase === 'broadcast';
  }

  get pendingSyncCount(): number {
    return this.pendingSyncs.length;
  }

  get outstandingCount(): number {
    return this.established ? this.ctx.log.uncommitted.length : 0;
  }

  learners(): LearnerView[] {
    return [...this.handlers.values()].map((h) => ({ id: h.id, observer: h.observer, state: h.state, syncMode: h.syncMode }));
  }

  /** Learners (voters or observers, never self) synced with this leader, as in ZooKeeper's synced_followers. */
  syncedIds(observers: boolean): number[] {
    return [...this.handlers.values()].filter((h) => h.observer === observers && SYNCED.has(h.state)).map((h) => h.id).sort((a, b) => a - b);
  }

  start(): void {
    const { ctx } = this;
    ctx.roleChanged({ phase: 'discovery', epoch: ctx.hardState.acceptedEpoch, leader: ctx.config.selfId });
    this.connectingEpochs.set(ctx.config.selfId, ctx.hardState.acceptedEpoch);
    this.tryDecideEpoch();
  }

  tick(): void {
    const { ctx } = this;
    const { initLimitTicks, syncLimitTicks } = ctx.config;
    for (const h of [...this.handlers.values()]) {
      const synced = SYNCED.has(h.state);
      const silent = ctx.now - h.lastHeardTick > (synced ? syncLimitTicks : initLimitTicks);
      const stuck = !synced && h.state !== 'awaitEpoch' && ctx.now - h.stateSinceTick > initLimitTicks;
      if (silent || stuck) this.handlers.delete(h.id);
    }
    if (this.phase !== 'broadcast') {
      if (ctx.now - this.phaseStartTick > initLimitTicks) {
        ctx.stepDown(`no quorum in ${this.phase} within initLimit (${initLimitTicks} ticks)`);
        return;
      }
    } else {
      const live = new Set([ctx.config.selfId, ...this.syncedIds(false)]);
      if (!ctx.config.quorum.containsQuorum(live)) {
        ctx.stepDown(`lost the quorum: synced with ${[...live].sort((a, b) => a - b).join(',')} within syncLimit (${syncLimitTicks} ticks)`);
        return;
      }
    }
    const payload = ctx.takePingPayload();
    const committedZxid = this.established ? ctx.log.lastCommitted : 0;
    for (const h of this.handlers.values()) {
      if (h.state === 'awaitEpoch') continue;
      // Followers were sent every proposal, observers every commit.
      const lastZxid = this.established ? (h.observer ? committedZxid : ctx.log.lastLogged) : 0;
      const ping: ZabMessage = { type: 'ping', lastZxid, committedZxid };
      // An established leader's ping only repeats what it sent: it need not wait for the disk.
      (this.established ? ctx.sendBeforePersist : ctx.send)(h.id, payload ? { ...ping, payload } : ping);
    }
  }

  peerDisconnected(id: number): void {
    this.handlers.delete(id);
  }

  advanced(ready: Ready): void {
    // The leader's own ack counts only once its log write is durable.
    if (!this.established || ready.entries.length === 0) return;
    this.onProposalAck(this.ctx.config.selfId, ready.entries[ready.entries.length - 1]!.zxid);
  }

  step(from: number, msg: ZabMessage): void {
    if (msg.type === 'followerInfo' || msg.type === 'observerInfo') {
      this.onLearnerInfo(from, msg.type === 'observerInfo', msg.attempt, msg.acceptedEpoch);
      return;
    }
    const h = this.handlers.get(from);
    if (!h) return;
    h.lastHeardTick = this.ctx.now;
    switch (msg.type) {
      case 'ackEpoch':
        if (h.state === 'awaitAckEpoch') this.onAckEpoch(h, msg.currentEpoch, msg.lastZxid, msg.epochAlreadyAccepted, msg.truncFloorZxid);
        return;
      case 'ack':
        this.onAck(h, msg.zxid);
        return;
      case 'ping':
        if (msg.payload) this.ctx.out.pingPayload(from, msg.payload);
        // What a synced follower logged is durable: it counts as an ack (covers a lost ACK).
        if (!h.observer && SYNCED.has(h.state)) this.onProposalAck(h.id, msg.lastZxid);
        return;
      case 'request':
        if (h.state === 'broadcast') this.ctx.out.forwarded(from, msg.data);
        return;
      case 'sync':
        if (h.state === 'broadcast') this.addSync(from, msg.id);
        return;
      default:
        return; // a learner cannot make a leader do anything else
    }
  }

  // ---- discovery ----

  private onLearnerInfo(from: number, observer: boolean, attempt: number, acceptedEpoch: number): void {
    const { config } = this.ctx;
    if (from === config.selfId || (observer ? !config.observers.has(from) : !config.voters.has(from))) return;
    if (this.newEpoch !== undefined && acceptedEpoch > this.newEpoch) {
      // It would refuse our epoch forever (ZooKeeper leaves it out until the next leader change):
      // make room for an election whose epoch is above its promise.
      this.ctx.stepDown(`learner ${from} accepted epoch ${acceptedEpoch}, above this leader's ${this.newEpoch}`);
      return;
    }
    // A new attempt replaces whatever this learner had (ZooKeeper: a new connection, a new handler).
    if (this.handlers.get(from)?.attempt === attempt) return; // a duplicate
    const h: LearnerHandler = { id: from, observer, attempt, state: 'awaitEpoch', stateSinceTick: this.ctx.now, lastHeardTick: this.ctx.now };
    this.handlers.set(from, h);
    if (this.newEpoch === undefined) {
      this.connectingEpochs.set(from, acceptedEpoch);
      this.tryDecideEpoch();
    } else {
      this.sendLeaderInfo(h);
    }
  }

  private setState(h: LearnerHandler, state: HandlerState): void {
    h.state = state;
    h.stateSinceTick = this.ctx.now;
  }

  private sendLeaderInfo(h: LearnerHandler): void {
    this.setState(h, 'awaitAckEpoch');
    this.ctx.send(h.id, { type: 'leaderInfo', attempt: h.attempt, epoch: this.newEpoch! });
  }

  private tryDecideEpoch(): void {
    const { ctx } = this;
    if (!ctx.config.quorum.containsQuorum(new Set(this.connectingEpochs.keys()))) return;
    const epoch = Math.max(...this.connectingEpochs.values()) + 1;
    if (epoch > EPOCH_MAX) {
      ctx.stepDown(`epoch ${epoch} would exceed EPOCH_MAX (${EPOCH_MAX})`);
      return;
    }
    this.newEpoch = epoch;
    ctx.setAcceptedEpoch(epoch);
    this.epochAcks.add(ctx.config.selfId);
    this.phaseStartTick = ctx.now;
    for (const h of this.handlers.values()) {
      if (h.state === 'awaitEpoch') this.sendLeaderInfo(h);
    }
    this.tryFinishDiscovery();
  }

  private onAckEpoch(h: LearnerHandler, currentEpoch: number, lastZxid: Zxid, alreadyAccepted: boolean, truncFloor: Zxid): void {
    const { ctx } = this;
    h.truncFloor = truncFloor;
    if (this.phase !== 'discovery') {
      this.syncLearner(h, lastZxid);
      return;
    }
    const mine = ctx.hardState.currentEpoch;
    if (currentEpoch > mine || (currentEpoch === mine && lastZxid > ctx.log.lastLogged)) {
      ctx.stepDown(`learner ${h.id} is ahead of this leader: (epoch ${currentEpoch}, ${zxidHex(lastZxid)}) > (epoch ${mine}, ${zxidHex(ctx.log.lastLogged)})`);
      return;
    }
    // A learner that had accepted this epoch before may have promised it to another leader.
    if (!alreadyAccepted && !h.observer) this.epochAcks.add(h.id);
    this.setState(h, 'ackedEpoch');
    this.ackedLastZxid.set(h.id, lastZxid);
    this.tryFinishDiscovery();
  }

  private tryFinishDiscovery(): void {
    const { ctx } = this;
    if (this.phase !== 'discovery' || this.newEpoch === undefined) return;
    if (!ctx.config.quorum.containsQuorum(this.epochAcks)) return;
    this.phase = 'synchronization';
    this.phaseStartTick = ctx.now;
    ctx.roleChanged({ phase: 'synchronization', epoch: this.newEpoch, leader: ctx.config.selfId });
    this.newLeaderAcks.add(ctx.config.selfId);
    for (const h of this.handlers.values()) {
      if (h.state === 'ackedEpoch') this.syncLearner(h, this.ackedLastZxid.get(h.id)!);
    }
    this.ackedLastZxid.clear();
    this.tryEstablish();
  }

  // ---- synchronization ----

  /** Brings one learner to this leader's history (ZooKeeper's LearnerHandler.syncFollower). */
  private syncLearner(h: LearnerHandler, peerLast: Zxid): void {
    const { ctx } = this;
    const { log } = ctx;
    // The history: everything committed, plus (before establishment) the tail this leader will commit.
    const historyLast = this.established ? log.lastCommitted : log.lastLogged;
    let mode: SyncMode;
    let start: Zxid;
    if (log.contains(peerLast)) {
      mode = 'diff';
      start = peerLast;
    } else if (peerLast > log.lastLogged) {
      // The learner has entries past anything here (an old epoch's uncommitted tail).
      mode = 'trunc';
      start = historyLast;
    } else {
      const prev = log.knownBefore(peerLast);
      if (prev === undefined) {
        mode = 'snap';
        start = log.lastCommitted;
      } else {
        // The learner's last entry is not ours: it diverged after `prev`.
        mode = 'trunc';
        start = Math.min(prev, historyLast);
      }
    }
    if (mode === 'trunc' && start < (h.truncFloor ?? 0)) {
      // Its state starts from a snapshot past the point it must go back to: replace it instead.
      mode = 'snap';
      start = log.lastCommitted;
    }
    h.syncMode = mode;
    if (mode === 'diff') ctx.send(h.id, { type: 'diff', zxid: historyLast });
    else if (mode === 'trunc') ctx.send(h.id, { type: 'trunc', zxid: start });
    else ctx.send(h.id, { type: 'snap', zxid: start });
    let prevZxid = start;
    for (const e of log.entriesBetween(start, historyLast)) {
      ctx.send(h.id, { type: 'proposal', zxid: e.zxid, prevZxid, data: e.data });
      prevZxid = e.zxid;
    }
    ctx.send(h.id, { type: 'commit', zxid: historyLast });
    if (!h.observer) {
      for (const e of log.uncommitted) {
        if (e.zxid <= Math.max(start, historyLast)) continue;
        ctx.send(h.id, { type: 'proposal', zxid: e.zxid, prevZxid, data: e.data });
        prevZxid = e.zxid;
      }
    }
    ctx.send(h.id, { type: 'newLeader', epoch: this.newEpoch!, lastZxid: Math.max(prevZxid, historyLast) });
    this.setState(h, 'awaitNewLeaderAck');
  }

  private onAck(h: LearnerHandler, zxid: Zxid): void {
    if (h.state === 'awaitNewLeaderAck') {
      if (zxid !== makeZxid(this.newEpoch!, 0)) return;
      this.setState(h, 'newLeaderAcked');
      if (!h.observer) this.newLeaderAcks.add(h.id);
      if (this.established) this.sendUpToDate(h);
      else this.tryEstablish();
      return;
    }
    if (h.observer || !SYNCED.has(h.state)) return;
    this.onProposalAck(h.id, zxid);
  }

  private onProposalAck(id: number, zxid: Zxid): void {
    if (!this.established || zxidEpoch(zxid) !== this.newEpoch || zxid > this.lastProposed) return;
    if ((this.ackedUpTo.get(id) ?? 0) >= zxid) return;
    this.ackedUpTo.set(id, zxid);
    this.tryCommit();
  }

  private tryEstablish(): void {
    const { ctx } = this;
    if (this.phase !== 'synchronization' || !ctx.config.quorum.containsQuorum(this.newLeaderAcks)) return;
    const epoch = this.newEpoch!;
    ctx.setCurrentEpoch(epoch);
    // A quorum now holds this leader's history: all of it is committed.
    ctx.log.commitUpTo(ctx.log.lastLogged);
    this.lastProposed = makeZxid(epoch, 0);
    this.phase = 'broadcast';
    ctx.roleChanged({ phase: 'broadcast', epoch, leader: ctx.config.selfId });
    for (const h of this.handlers.values()) if (h.state === 'newLeaderAcked') this.sendUpToDate(h);
  }

  private sendUpToDate(h: LearnerHandler): void {
    this.setState(h, 'broadcast');
    this.ctx.send(h.id, { type: 'upToDate' });
  }

  // ---- broadcast ----

  peekNextZxid(): Zxid {
    if (!this.established) throw new NotLeaderError(this.role, this.ctx.config.selfId);
    return makeZxid(this.newEpoch!, zxidCounter(this.lastProposed) + 1);
  }

  propose(data: Uint8Array): Zxid {
    const { ctx } = this;
    if (!this.established) throw new NotLeaderError(this.role, ctx.config.selfId);
    if (ctx.log.uncommitted.length >= ctx.config.outstandingProposalsMax) throw new TooManyOutstandingError(ctx.config.outstandingProposalsMax);
    const counter = zxidCounter(this.lastProposed) + 1;
    if (counter > ctx.config.zxidCounterLast) {
      // ZooKeeper: "zxid lower 32 bits have rolled over, forcing re-election".
      ctx.stepDown(`zxid counter exhausted after ${zxidHex(this.lastProposed)}`);
      throw new ZxidRolloverError(this.lastProposed);
    }
    const entry: Entry = { zxid: makeZxid(this.newEpoch!, counter), data };
    const prevZxid = ctx.log.lastLogged;
    ctx.log.append(entry);
    this.lastProposed = entry.zxid;
    // ZooKeeper sends the proposal while it logs it: followers persist in parallel with this leader,
    // whose own ack counts only after advance() (its flush). One message object for all followers.
    const proposal: ZabMessage = { type: 'proposal', zxid: entry.zxid, prevZxid, data };
    for (const h of this.handlers.values()) {
      if (!h.observer && FORWARDING.has(h.state)) ctx.sendBeforePersist(h.id, proposal);
    }
    return entry.zxid;
  }

  /** Commits, in zxid order, every outstanding proposal a quorum acked. */
  private tryCommit(): void {
    const { ctx } = this;
    const committed: Entry[] = [];
    for (const e of ctx.log.uncommitted) {
      const acks = new Set<number>();
      for (const [id, upTo] of this.ackedUpTo) if (upTo >= e.zxid) acks.add(id);
      if (!ctx.config.quorum.containsQuorum(acks)) break;
      committed.push(e);
    }
    if (committed.length === 0) return;
    const last = committed[committed.length - 1]!.zxid;
    const prevCommitted = ctx.log.lastCommitted;
    ctx.log.commitUpTo(last);
    // A commit is durable on a quorum already: it may leave before this Ready's own flush.
    let informs: ZabMessage[] | undefined;
    const commit: ZabMessage = { type: 'commit', zxid: last };
    for (const h of this.handlers.values()) {
      if (!FORWARDING.has(h.state)) continue;
      if (h.observer) {
        if (!informs) {
          informs = [];
          let prevZxid = prevCommitted;
          for (const e of committed) {
            informs.push({ type: 'inform', zxid: e.zxid, prevZxid, data: e.data });
            prevZxid = e.zxid;
          }
        }
        for (const m of informs) ctx.sendBeforePersist(h.id, m);
      } else {
        ctx.sendBeforePersist(h.id, commit);
      }
    }
    while (this.pendingSyncs.length > 0 && this.pendingSyncs[0]!.zxid <= last) this.answerSync(this.pendingSyncs.shift()!);
  }

  requestSync(id: number): void {
    if (!this.established) throw new NotLeaderError(this.role, this.ctx.config.selfId);
    this.addSync(null, id);
  }

  private addSync(from: number | null, id: number): void {
    // Answered once everything proposed so far is committed.
    const sync: PendingSync = { from, id, zxid: this.ctx.log.lastLogged };
    if (this.ctx.log.uncommitted.length === 0) this.answerSync(sync);
    else this.pendingSyncs.push(sync);
  }

  private answerSync(sync: PendingSync): void {
    if (sync.from === null) {
      this.ctx.out.syncDone(sync.id);
      return;
    }
    const h = this.handlers.get(sync.from);
    if (h?.state === 'broadcast') this.ctx.send(h.id, { type: 'syncDone', id: sync.id });
  }

  forward(data: Uint8Array): void {
    if (!this.established) throw new NotLeaderError(this.role, this.ctx.config.selfId);
    this.ctx.out.forwarded(this.ctx.config.selfId, data);
  }
}
