// The election SPI: what a strategy is, what drives it, and what it answers. A strategy is a
// pure state machine: the runtime feeds it messages and ticks with the current time in ms and
// carries out the outputs (send these bytes; this peer is now leading/following/observing).

import type { ElectionMessage } from './messages.js';
import type { ElectionTiming } from './timing.js';
import type { PeerState, QuorumCheck, ServerId, Vote } from './vote.js';

export interface ElectionSetup {
  readonly self: ServerId;
  /** Every voting member (participant), including `self` when it votes. */
  readonly voters: readonly ServerId[];
  /** Non-voting members; they learn the leader but never vote or lead. */
  readonly observers: readonly ServerId[];
  /** Defaults to a majority of `voters`. */
  readonly quorum?: QuorumCheck;
  /** Uniform in [0, 1): the only source of randomness a strategy may use (jitter). */
  readonly random: () => number;
  readonly timing?: Partial<ElectionTiming>;
}

export type ElectionInput =
  | { readonly kind: 'message'; readonly from: ServerId; readonly msg: ElectionMessage }
  | { readonly kind: 'tick' };

export interface SendOutput {
  readonly kind: 'send';
  readonly to: ServerId;
  readonly msg: ElectionMessage;
}

export interface ElectedOutput {
  readonly kind: 'elected';
  readonly leader: ServerId;
  /** The election instance (logical clock) the decision belongs to. */
  readonly electionEpoch: number;
  readonly vote: Vote;
  /** This peer's role from now on. */
  readonly state: 'leading' | 'following' | 'observing';
  /** How many vote exchanges this peer ran in this election (fast: notification broadcasts; basic: polling rounds). */
  readonly rounds: number;
}

export type ElectionOutput = SendOutput | ElectedOutput;

export interface LookingPeer {
  /** This peer's last logged zxid. */
  readonly lastZxid: number;
  /** This peer's current (accepted) epoch. */
  readonly currentEpoch: number;
}

export interface ElectionStrategy {
  /** 'fast' | 'basic' | ... */
  readonly name: string;
  /** Start (or restart) looking, with this peer's last logged zxid and current (peer) epoch. */
  lookForLeader(self: LookingPeer, nowMs: number): ElectionOutput[];
  /** A message arrived or a tick passed; `nowMs` is the runtime clock, never decreasing. */
  step(input: ElectionInput, nowMs: number): ElectionOutput[];
  /**
   * The runtime reports the settled state after ZAB established (or the peer's epoch changed), so
   * the strategy answers lookers correctly: a following/leading peer replies to a looking peer
   * with its current vote and state.
   */
  settle(state: Exclude<PeerState, 'looking'>, vote: Vote, nowMs: number): void;
  readonly state: PeerState;
}

export interface ElectionStrategyFactory {
  readonly name: string;
  create(setup: ElectionSetup): ElectionStrategy;
}
