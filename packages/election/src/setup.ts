// Validates an ElectionSetup once, so the strategies can trust their membership and timing.

import type { ElectionSetup } from './spi.js';
import { resolveTiming, type ElectionTiming } from './timing.js';
import { isServerId, majorityOf, type QuorumCheck, type ServerId } from './vote.js';

/** Most members (voters + observers) one election may have. */
export const ELECTION_MEMBERS_MAX = 1_024;

export interface ResolvedSetup {
  readonly self: ServerId;
  readonly voters: ReadonlySet<ServerId>;
  readonly observers: ReadonlySet<ServerId>;
  readonly isVoter: boolean;
  /** Voters other than self, in the order given. */
  readonly otherVoters: readonly ServerId[];
  readonly quorum: QuorumCheck;
  readonly random: () => number;
  readonly timing: ElectionTiming;
}

export function resolveSetup(setup: ElectionSetup): ResolvedSetup {
  if (!isServerId(setup.self)) throw new RangeError(`election setup: self must be a non-negative integer, got ${String(setup.self)}`);
  const ids = (field: 'voters' | 'observers'): Set<ServerId> => {
    const list = setup[field];
    if (!Array.isArray(list)) throw new RangeError(`election setup: ${field} must be an array`);
    const set = new Set<ServerId>();
    for (const id of list) {
      if (!isServerId(id)) throw new RangeError(`election setup: ${field} holds ${String(id)}, not a non-negative integer`);
      if (set.has(id)) throw new RangeError(`election setup: ${field} lists server ${id} twice`);
      set.add(id);
    }
    return set;
  };
  const voters = ids('voters');
  const observers = ids('observers');
  if (voters.size === 0) throw new RangeError('election setup: voters must not be empty');
  if (voters.size + observers.size > ELECTION_MEMBERS_MAX) {
    throw new RangeError(`election setup: ${voters.size + observers.size} members exceed ELECTION_MEMBERS_MAX ${ELECTION_MEMBERS_MAX}`);
  }
  for (const id of observers) if (voters.has(id)) throw new RangeError(`election setup: server ${id} is both a voter and an observer`);
  if (!voters.has(setup.self) && !observers.has(setup.self)) {
    throw new RangeError(`election setup: self ${setup.self} is neither a voter nor an observer`);
  }
  if (typeof setup.random !== 'function') throw new RangeError('election setup: random must be a function returning [0, 1)');
  const quorum = setup.quorum ?? majorityOf(voters);
  if (typeof quorum.containsQuorum !== 'function') throw new RangeError('election setup: quorum must have containsQuorum(ids)');
  return {
    self: setup.self,
    voters,
    observers,
    isVoter: voters.has(setup.self),
    otherVoters: [...voters].filter((id) => id !== setup.self),
    quorum,
    random: setup.random,
    timing: resolveTiming(setup.timing),
  };
}

/** Checks the numbers a runtime hands to lookForLeader. */
export function checkLookingPeer(self: { lastZxid: number; currentEpoch: number }): void {
  if (!Number.isSafeInteger(self.lastZxid) || self.lastZxid < 0) throw new RangeError(`lookForLeader: lastZxid must be a non-negative safe integer, got ${String(self.lastZxid)}`);
  if (!Number.isSafeInteger(self.currentEpoch) || self.currentEpoch < 0) throw new RangeError(`lookForLeader: currentEpoch must be a non-negative safe integer, got ${String(self.currentEpoch)}`);
}

export function checkNow(nowMs: number): void {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new RangeError(`election: nowMs must be a finite number, got ${String(nowMs)}`);
}

/** Checks what a runtime hands to settle(): a real vote, and a role that fits this member. */
export function checkSettle(setup: ResolvedSetup, state: string, vote: { leader: number; zxid: number; peerEpoch: number }): void {
  if (state !== 'leading' && state !== 'following' && state !== 'observing') {
    throw new RangeError(`settle: state must be leading, following or observing (call lookForLeader to look), got '${state}'`);
  }
  if (!isServerId(vote.leader) || !Number.isSafeInteger(vote.zxid) || vote.zxid < 0 || !Number.isSafeInteger(vote.peerEpoch) || vote.peerEpoch < 0) {
    throw new RangeError(`settle: vote must name a server with a non-negative zxid and peerEpoch, got ${JSON.stringify(vote)}`);
  }
  if (!setup.voters.has(vote.leader)) throw new RangeError(`settle: leader ${vote.leader} is not a voter`);
  if (state === 'leading' && vote.leader !== setup.self) throw new RangeError(`settle: leading, but the vote names ${vote.leader}, not self ${setup.self}`);
  if (state !== 'leading' && vote.leader === setup.self) throw new RangeError(`settle: ${state}, but the vote names self ${setup.self}`);
  if (state === 'observing' && setup.isVoter) throw new RangeError(`settle: server ${setup.self} is a voter, it cannot observe`);
  if (state === 'following' && !setup.isVoter) throw new RangeError(`settle: server ${setup.self} is an observer, it cannot follow`);
}
