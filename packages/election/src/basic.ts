// Basic election: round-based polling in the style of ZooKeeper's removed LeaderElection
// (algorithm 0). Each round a looking peer asks every voter for its current vote; after all
// answered (or the round timed out) it adopts the best live vote it heard and decides once a
// quorum of voters report exactly its vote. Settled peers answer with their settled vote, so a
// newcomer joins an ensemble that already has a leader. Undecided rounds repeat after a pause with
// seeded jitter, which keeps lookers from polling in lockstep.

import type { AnswerMessage, QueryMessage } from './messages.js';
import { checkLookingPeer, checkNow, checkSettle, resolveSetup, type ResolvedSetup } from './setup.js';
import type { ElectionInput, ElectionOutput, ElectionSetup, ElectionStrategy, ElectionStrategyFactory, LookingPeer } from './spi.js';
import { NO_VOTE, sameVote, totalOrderPredicate, type PeerState, type ServerId, type Vote } from './vote.js';

interface Answer {
  readonly state: PeerState;
  readonly vote: Vote;
  readonly electionEpoch: number;
}

export class BasicElection implements ElectionStrategy {
  readonly name = 'basic';
  private readonly setup: ResolvedSetup;
  private currentState: PeerState = 'looking';
  private started = false;
  private electionCounter = 0;
  private initialVote: Vote = NO_VOTE;
  private proposal: Vote = NO_VOTE;
  private settledVote: Vote = NO_VOTE;
  private settledElectionEpoch = 0;
  /** Round numbers only grow (across elections too), so a late answer never lands in a newer round. */
  private round = 0;
  private roundOpen = false;
  private roundDeadlineMs = 0;
  private nextRoundAtMs: number | null = null;
  private readonly answers = new Map<ServerId, Answer>();
  private roundsThisElection = 0;

  constructor(setup: ElectionSetup) {
    this.setup = resolveSetup(setup);
  }

  get state(): PeerState {
    return this.currentState;
  }

  get electionEpoch(): number {
    return this.electionCounter;
  }

  get currentVote(): Vote {
    return this.currentState === 'looking' ? this.proposal : this.settledVote;
  }

  lookForLeader(self: LookingPeer, nowMs: number): ElectionOutput[] {
    checkLookingPeer(self);
    checkNow(nowMs);
    this.started = true;
    this.currentState = 'looking';
    this.electionCounter += 1;
    this.initialVote = this.setup.isVoter
      ? { leader: this.setup.self, zxid: self.lastZxid, peerEpoch: self.currentEpoch }
      : NO_VOTE;
    this.proposal = this.initialVote;
    this.roundsThisElection = 0;
    const out: ElectionOutput[] = [];
    this.startRound(out, nowMs);
    return out;
  }

  step(input: ElectionInput, nowMs: number): ElectionOutput[] {
    checkNow(nowMs);
    const out: ElectionOutput[] = [];
    if (!this.started) return out;
    if (input.kind === 'message') {
      const { from, msg } = input;
      if (msg.type === 'query') this.onQuery(from, msg, out);
      else if (msg.type === 'answer') this.onAnswer(from, msg, out, nowMs);
    }
    if (this.currentState === 'looking') {
      if (this.roundOpen && nowMs >= this.roundDeadlineMs) this.endRound(out, nowMs);
      else if (!this.roundOpen && this.nextRoundAtMs !== null && nowMs >= this.nextRoundAtMs) this.startRound(out, nowMs);
    }
    return out;
  }

  settle(state: Exclude<PeerState, 'looking'>, vote: Vote, nowMs: number): void {
    checkNow(nowMs);
    checkSettle(this.setup, state, vote);
    this.started = true;
    this.currentState = state;
    this.settledVote = { leader: vote.leader, zxid: vote.zxid, peerEpoch: vote.peerEpoch };
    this.settledElectionEpoch = Math.max(this.settledElectionEpoch, this.electionCounter);
    this.roundOpen = false;
    this.nextRoundAtMs = null;
  }

  private onQuery(from: ServerId, q: QueryMessage, out: ElectionOutput[]): void {
    if (from === this.setup.self || (!this.setup.voters.has(from) && !this.setup.observers.has(from))) return;
    const looking = this.currentState === 'looking';
    const answer: AnswerMessage = {
      type: 'answer',
      round: q.round,
      state: this.currentState,
      electionEpoch: looking ? this.electionCounter : this.settledElectionEpoch,
      vote: looking ? this.proposal : this.settledVote,
    };
    out.push({ kind: 'send', to: from, msg: answer });
  }

  private onAnswer(from: ServerId, a: AnswerMessage, out: ElectionOutput[], nowMs: number): void {
    if (this.currentState !== 'looking' || !this.roundOpen || a.round !== this.round) return;
    if (from === this.setup.self || !this.setup.voters.has(from)) return;
    this.answers.set(from, { state: a.state, vote: a.vote, electionEpoch: a.electionEpoch });
    if (this.setup.otherVoters.every((id) => this.answers.has(id))) this.endRound(out, nowMs);
  }

  private startRound(out: ElectionOutput[], nowMs: number): void {
    this.round += 1;
    this.roundsThisElection += 1;
    this.roundOpen = true;
    this.nextRoundAtMs = null;
    this.roundDeadlineMs = nowMs + this.setup.timing.roundTimeoutMs;
    this.answers.clear();
    this.recordOwnAnswer();
    const msg: QueryMessage = { type: 'query', round: this.round };
    for (const to of this.setup.otherVoters) out.push({ kind: 'send', to, msg });
    if (this.setup.otherVoters.length === 0) this.endRound(out, nowMs);
  }

  private recordOwnAnswer(): void {
    if (this.setup.isVoter) this.answers.set(this.setup.self, { state: 'looking', vote: this.proposal, electionEpoch: this.electionCounter });
  }

  private endRound(out: ElectionOutput[], nowMs: number): void {
    this.roundOpen = false;
    const { self, voters, quorum } = this.setup;

    // 1. Join an established leader: a quorum of voters name it and it says itself that it leads.
    const namers = new Map<ServerId, Set<ServerId>>();
    for (const [id, answer] of this.answers) {
      const leader = answer.vote.leader;
      if (!voters.has(leader)) continue;
      let set = namers.get(leader);
      if (!set) namers.set(leader, (set = new Set()));
      set.add(id);
    }
    for (const [leader, ids] of namers) {
      const leaderAnswer = this.answers.get(leader);
      if (leader !== self && leaderAnswer?.state === 'leading' && leaderAnswer.vote.leader === leader && quorum.containsQuorum(ids)) {
        this.decide(leaderAnswer.vote, leaderAnswer.electionEpoch, out);
        return;
      }
    }

    // 2. Adopt the best vote for a live candidate. A candidate that did not answer this round is
    // forgotten, so a crashed peer cannot hold the best vote forever. Only looking peers' votes are
    // adopted: a settled vote is a fact about an old ensemble, not a proposal.
    const answered = new Set(this.answers.keys());
    if (this.proposal.leader !== self && !answered.has(this.proposal.leader)) this.proposal = this.initialVote;
    for (const answer of this.answers.values()) {
      if (answer.state !== 'looking') continue;
      this.electionCounter = Math.max(this.electionCounter, answer.electionEpoch);
      if (answered.has(answer.vote.leader) && voters.has(answer.vote.leader) && totalOrderPredicate(answer.vote, this.proposal)) {
        this.proposal = answer.vote;
      }
    }
    this.recordOwnAnswer();

    // 3. Decide when a quorum of voters back my vote (looking ones report exactly it, or they
    // already decided to follow its candidate) and the candidate backs itself.
    const backers = new Set<ServerId>();
    for (const [id, answer] of this.answers) {
      const backs = answer.state === 'looking'
        ? sameVote(answer.vote, this.proposal)
        : answer.state === 'following' && answer.vote.leader === this.proposal.leader;
      if (backs) backers.add(id);
    }
    const candidate = this.proposal.leader;
    const candidateAnswer = this.answers.get(candidate);
    const candidateBacksItself = candidate === self || (candidateAnswer?.state === 'looking' && sameVote(candidateAnswer.vote, this.proposal));
    if (voters.has(candidate) && candidateBacksItself && quorum.containsQuorum(backers)) {
      this.decide(this.proposal, this.electionCounter, out);
      return;
    }
    const pauseMs = this.setup.timing.roundPauseMs;
    this.nextRoundAtMs = nowMs + pauseMs + Math.floor(clampUnit(this.setup.random()) * pauseMs);
  }

  private decide(vote: Vote, electionEpoch: number, out: ElectionOutput[]): void {
    const state = vote.leader === this.setup.self ? 'leading' : this.setup.isVoter ? 'following' : 'observing';
    this.currentState = state;
    this.settledVote = vote;
    this.settledElectionEpoch = electionEpoch;
    this.nextRoundAtMs = null;
    out.push({ kind: 'elected', leader: vote.leader, electionEpoch, vote, state, rounds: this.roundsThisElection });
  }
}

/** Keeps a misbehaving random source from producing negative or huge pauses. */
function clampUnit(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 0.999_999) : 0;
}

export const basicElection: ElectionStrategyFactory = {
  name: 'basic',
  create: (setup) => new BasicElection(setup),
};
