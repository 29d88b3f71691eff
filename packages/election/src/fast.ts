// FastLeaderElection (ZooKeeper's election algorithm 3) as a pure state machine.
//
// Every looking voter broadcasts a notification (its proposal, its logical clock, its state) and
// adopts any better proposal it hears (totalOrderPredicate on peerEpoch, zxid, sid), broadcasting
// again on every change. When a quorum of voters' notifications in the current logical clock
// equal its proposal, it waits finalizeWaitMs for a better one, then decides. Peers that already
// follow or lead answer lookers with their settled vote, and a looker joins that ensemble once a
// quorum agrees on the leader and the leader itself says it is leading (checkLeader).

import type { NotificationMessage } from './messages.js';
import { checkLookingPeer, checkNow, checkSettle, resolveSetup, type ResolvedSetup } from './setup.js';
import type { ElectionInput, ElectionOutput, ElectionSetup, ElectionStrategy, ElectionStrategyFactory, LookingPeer } from './spi.js';
import { betterVote, NO_VOTE, sameVote, totalOrderPredicate, type PeerState, type ServerId, type Vote } from './vote.js';

/** A vote as heard from one peer: what it proposed, in which election round, in which state. */
interface HeardVote {
  readonly vote: Vote;
  readonly electionEpoch: number;
  readonly state: PeerState;
}

/**
 * ZooKeeper's vote equality for tallies: between votes in an election (either side looking) the
 * whole vote and the round must match; between settled votes only the leader and its epoch do,
 * because followers that joined at different times saw different zxids and rounds.
 */
function agrees(a: HeardVote, b: HeardVote): boolean {
  if (a.state === 'looking' || b.state === 'looking') {
    return sameVote(a.vote, b.vote) && a.electionEpoch === b.electionEpoch;
  }
  return a.vote.leader === b.vote.leader && a.vote.peerEpoch === b.vote.peerEpoch;
}

export class FastLeaderElection implements ElectionStrategy {
  readonly name = 'fast';
  private readonly setup: ResolvedSetup;
  private currentState: PeerState = 'looking';
  private started = false;
  /** The election instance; bumped by every lookForLeader, raised to any higher one heard. */
  private logicalClock = 0;
  private initialVote: Vote = NO_VOTE;
  private proposal: Vote = NO_VOTE;
  /** The decided (then settled) vote and its round, answered to lookers once not looking. */
  private settledVote: Vote = NO_VOTE;
  private settledElectionEpoch = 0;
  /** Votes heard in the current logical clock (ZooKeeper's recvset), including my own. */
  private readonly received = new Map<ServerId, HeardVote>();
  /** Following/leading peers' votes from any round (ZooKeeper's outofelection). */
  private readonly outOfElection = new Map<ServerId, HeardVote>();
  private finalizeAtMs: number | null = null;
  private finalizeVote: Vote = NO_VOTE;
  private finalizeClock = 0;
  private notificationIntervalMs: number;
  private nextResendAtMs = 0;
  private broadcasts = 0;

  constructor(setup: ElectionSetup) {
    this.setup = resolveSetup(setup);
    this.notificationIntervalMs = this.setup.timing.notificationIntervalMinMs;
  }

  get state(): PeerState {
    return this.currentState;
  }

  /** The current logical clock (for tests and status pages). */
  get electionEpoch(): number {
    return this.logicalClock;
  }

  /** My current proposal while looking, else the settled vote. */
  get currentVote(): Vote {
    return this.currentState === 'looking' ? this.proposal : this.settledVote;
  }

  lookForLeader(self: LookingPeer, nowMs: number): ElectionOutput[] {
    checkLookingPeer(self);
    checkNow(nowMs);
    this.started = true;
    this.currentState = 'looking';
    this.logicalClock += 1;
    this.initialVote = this.setup.isVoter
      ? { leader: this.setup.self, zxid: self.lastZxid, peerEpoch: self.currentEpoch }
      : NO_VOTE;
    this.proposal = this.initialVote;
    this.received.clear();
    this.outOfElection.clear();
    this.finalizeAtMs = null;
    this.notificationIntervalMs = this.setup.timing.notificationIntervalMinMs;
    this.broadcasts = 0;
    const out: ElectionOutput[] = [];
    this.recordOwnVote();
    this.broadcast(out, nowMs);
    this.updateFinalize(nowMs);
    this.checkDeadlines(out, nowMs);
    return out;
  }

  step(input: ElectionInput, nowMs: number): ElectionOutput[] {
    checkNow(nowMs);
    const out: ElectionOutput[] = [];
    if (!this.started) return out; // nothing to say before the first lookForLeader
    if (input.kind === 'message' && input.msg.type === 'notification') this.onNotification(input.from, input.msg, out, nowMs);
    if (this.currentState === 'looking') this.checkDeadlines(out, nowMs);
    return out;
  }

  settle(state: Exclude<PeerState, 'looking'>, vote: Vote, nowMs: number): void {
    checkNow(nowMs);
    checkSettle(this.setup, state, vote);
    this.started = true;
    this.currentState = state;
    this.settledVote = { leader: vote.leader, zxid: vote.zxid, peerEpoch: vote.peerEpoch };
    this.settledElectionEpoch = Math.max(this.settledElectionEpoch, this.logicalClock);
    this.finalizeAtMs = null;
  }

  private onNotification(from: ServerId, n: NotificationMessage, out: ElectionOutput[], nowMs: number): void {
    const { self, voters, observers } = this.setup;
    if (from === self) return;
    if (!voters.has(from)) {
      // A non-voter (observer) learns by asking: a voter answers it at once, whatever its state.
      if (observers.has(from) && this.setup.isVoter) this.reply(from, out);
      return;
    }
    if (this.currentState !== 'looking') {
      if (n.state === 'looking') this.reply(from, out);
      return;
    }
    if (n.state === 'looking' && n.electionEpoch < this.logicalClock) {
      // A looker behind my clock is told where the election is. Observers stay quiet: a voter
      // answers every observer message, so a reply here would ping-pong forever.
      if (this.setup.isVoter) this.reply(from, out);
      return;
    }
    if (!voters.has(n.vote.leader)) return; // votes only for voters count
    const heard: HeardVote = { vote: n.vote, electionEpoch: n.electionEpoch, state: n.state };
    switch (n.state) {
      case 'looking':
        if (n.electionEpoch > this.logicalClock) {
          // A newer election: drop this round's tally and rejoin with the better of my own vote and theirs.
          this.logicalClock = n.electionEpoch;
          this.received.clear();
          this.proposal = betterVote(this.initialVote, n.vote);
          this.recordOwnVote();
          this.broadcast(out, nowMs);
        } else if (totalOrderPredicate(n.vote, this.proposal)) {
          this.proposal = n.vote;
          this.recordOwnVote();
          this.broadcast(out, nowMs);
        }
        this.received.set(from, heard);
        this.updateFinalize(nowMs);
        return;
      case 'observing':
        return;
      case 'following':
      case 'leading':
        if (n.electionEpoch === this.logicalClock) {
          this.received.set(from, heard);
          if (this.hasQuorum(this.received, heard) && this.leaderConfirmed(this.received, n.vote.leader, n.electionEpoch)) {
            this.decide(n.vote, n.electionEpoch, out);
            return;
          }
        }
        // Join an ensemble that already has a leader: a quorum follows it and it says it leads.
        this.outOfElection.set(from, heard);
        if (this.hasQuorum(this.outOfElection, heard) && this.leaderConfirmed(this.outOfElection, n.vote.leader, n.electionEpoch)) {
          this.logicalClock = n.electionEpoch;
          this.decide(n.vote, n.electionEpoch, out);
          return;
        }
        this.updateFinalize(nowMs);
        return;
    }
  }

  /**
   * ZooKeeper's checkLeader: another peer is only followed once it said itself that it leads
   * (so a crashed leader is not elected again and again); I only lead in my own current round.
   */
  private leaderConfirmed(votes: ReadonlyMap<ServerId, HeardVote>, leader: ServerId, electionEpoch: number): boolean {
    if (leader !== this.setup.self) return votes.get(leader)?.state === 'leading';
    return this.logicalClock === electionEpoch;
  }

  private hasQuorum(votes: ReadonlyMap<ServerId, HeardVote>, target: HeardVote): boolean {
    const acks = new Set<ServerId>();
    for (const [id, heard] of votes) if (agrees(target, heard)) acks.add(id);
    return this.setup.quorum.containsQuorum(acks);
  }

  private recordOwnVote(): void {
    if (this.setup.isVoter) {
      this.received.set(this.setup.self, { vote: this.proposal, electionEpoch: this.logicalClock, state: 'looking' });
    }
  }

  /** Starts (or restarts, on a changed proposal) the finalize wait while a quorum backs my proposal. */
  private updateFinalize(nowMs: number): void {
    const mine: HeardVote = { vote: this.proposal, electionEpoch: this.logicalClock, state: 'looking' };
    if (!this.setup.voters.has(this.proposal.leader) || !this.hasQuorum(this.received, mine)) {
      this.finalizeAtMs = null;
      return;
    }
    if (this.finalizeAtMs === null || !sameVote(this.finalizeVote, this.proposal) || this.finalizeClock !== this.logicalClock) {
      this.finalizeAtMs = nowMs + this.setup.timing.finalizeWaitMs;
      this.finalizeVote = this.proposal;
      this.finalizeClock = this.logicalClock;
    }
  }

  private checkDeadlines(out: ElectionOutput[], nowMs: number): void {
    if (this.finalizeAtMs !== null && nowMs >= this.finalizeAtMs) {
      this.decide(this.proposal, this.logicalClock, out);
      return;
    }
    if (nowMs >= this.nextResendAtMs) {
      // Nothing decided yet: say it again, less often each time (ZooKeeper's exponential backoff).
      this.notificationIntervalMs = Math.min(this.notificationIntervalMs * 2, this.setup.timing.notificationIntervalMaxMs);
      this.broadcast(out, nowMs);
    }
  }

  private broadcast(out: ElectionOutput[], nowMs: number): void {
    const msg: NotificationMessage = { type: 'notification', state: 'looking', electionEpoch: this.logicalClock, vote: this.proposal };
    for (const to of this.setup.otherVoters) out.push({ kind: 'send', to, msg });
    this.broadcasts += 1;
    this.nextResendAtMs = nowMs + this.notificationIntervalMs;
  }

  private reply(to: ServerId, out: ElectionOutput[]): void {
    const looking = this.currentState === 'looking';
    out.push({
      kind: 'send',
      to,
      msg: {
        type: 'notification',
        state: this.currentState,
        electionEpoch: looking ? this.logicalClock : this.settledElectionEpoch,
        vote: looking ? this.proposal : this.settledVote,
      },
    });
  }

  private decide(vote: Vote, electionEpoch: number, out: ElectionOutput[]): void {
    const state = vote.leader === this.setup.self ? 'leading' : this.setup.isVoter ? 'following' : 'observing';
    this.currentState = state;
    this.settledVote = vote;
    this.settledElectionEpoch = electionEpoch;
    this.received.clear();
    this.outOfElection.clear();
    this.finalizeAtMs = null;
    out.push({ kind: 'elected', leader: vote.leader, electionEpoch, vote, state, rounds: this.broadcasts });
  }
}

export const fastElection: ElectionStrategyFactory = {
  name: 'fast',
  create: (setup) => new FastLeaderElection(setup),
};
