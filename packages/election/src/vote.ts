// Votes, peer states and the quorum rule: the vocabulary every election strategy shares.

/** A server's id (ZooKeeper's `myid`): a non-negative safe integer. */
export type ServerId = number;

/**
 * A vote for a leader. `zxid` is the candidate's last logged zxid (epoch * 2^32 + counter, a plain
 * number, exact below 2^53) and `peerEpoch` its current (accepted) epoch.
 */
export interface Vote {
  readonly leader: ServerId;
  readonly zxid: number;
  readonly peerEpoch: number;
}

/** ZooKeeper's ServerState; the order of this list is the wire ordinal. */
export const PEER_STATES = ['looking', 'following', 'leading', 'observing'] as const;
export type PeerState = (typeof PEER_STATES)[number];

/** The vote an observer starts with: it loses to every real vote and names no voter. */
export const NO_VOTE: Vote = Object.freeze({ leader: -1, zxid: -1, peerEpoch: -1 });

/**
 * Orders votes by (peerEpoch, zxid, leader id): positive when `a` is the better candidate.
 * It is a total order on votes; equal only when all three fields are equal.
 */
export function compareVotes(a: Vote, b: Vote): number {
  if (a.peerEpoch !== b.peerEpoch) return a.peerEpoch > b.peerEpoch ? 1 : -1;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid ? 1 : -1;
  if (a.leader !== b.leader) return a.leader > b.leader ? 1 : -1;
  return 0;
}

/**
 * FastLeaderElection's totalOrderPredicate: true when `candidate` should replace `current`
 * (a higher peer epoch, else a higher zxid, else a higher server id). Whether the candidate is a
 * voter at all is the caller's check.
 */
export function totalOrderPredicate(candidate: Vote, current: Vote): boolean {
  return compareVotes(candidate, current) > 0;
}

export function sameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.zxid === b.zxid && a.peerEpoch === b.peerEpoch;
}

/** The better of two votes by totalOrderPredicate. */
export function betterVote(a: Vote, b: Vote): Vote {
  return totalOrderPredicate(b, a) ? b : a;
}

/**
 * The quorum rule. The method name and signature match @zkts/zab's QuorumVerifier, so one object
 * (a majority today, a weighted or hierarchical rule later) can serve both without either package
 * importing the other.
 */
export interface QuorumCheck {
  /** True when `ids` holds a quorum of voters; ids that are not voters never count. */
  containsQuorum(ids: ReadonlySet<ServerId>): boolean;
}

/** More than half of `voters`. */
export function majorityOf(voters: Iterable<ServerId>): QuorumCheck {
  const members = new Set(voters);
  if (members.size === 0) throw new RangeError('majorityOf: voters must not be empty');
  const needed = Math.floor(members.size / 2) + 1;
  return {
    containsQuorum(ids: ReadonlySet<ServerId>): boolean {
      let count = 0;
      for (const id of ids) if (members.has(id)) count++;
      return count >= needed;
    },
  };
}

export function isServerId(value: unknown): value is ServerId {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A vote names a server and carries a non-negative zxid and epoch. */
export function isValidVote(vote: Vote): boolean {
  return isServerId(vote.leader) && Number.isSafeInteger(vote.zxid) && vote.zxid >= 0
    && Number.isSafeInteger(vote.peerEpoch) && vote.peerEpoch >= 0;
}

export function formatVote(vote: Vote): string {
  return `(leader ${vote.leader}, zxid 0x${vote.zxid.toString(16)}, peerEpoch ${vote.peerEpoch})`;
}
