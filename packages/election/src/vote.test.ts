import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { betterVote, compareVotes, majorityOf, NO_VOTE, sameVote, totalOrderPredicate } from './vote.js';

const vote = fc.record({
  leader: fc.integer({ min: 0, max: 6 }),
  zxid: fc.integer({ min: 0, max: 4 }),
  peerEpoch: fc.integer({ min: 0, max: 3 }),
});

describe('totalOrderPredicate', () => {
  it('prefers a higher peer epoch, then a higher zxid, then a higher server id', () => {
    expect(totalOrderPredicate({ leader: 1, zxid: 0, peerEpoch: 2 }, { leader: 9, zxid: 99, peerEpoch: 1 })).toBe(true);
    expect(totalOrderPredicate({ leader: 1, zxid: 5, peerEpoch: 1 }, { leader: 9, zxid: 4, peerEpoch: 1 })).toBe(true);
    expect(totalOrderPredicate({ leader: 2, zxid: 5, peerEpoch: 1 }, { leader: 1, zxid: 5, peerEpoch: 1 })).toBe(true);
    expect(totalOrderPredicate({ leader: 1, zxid: 5, peerEpoch: 1 }, { leader: 2, zxid: 5, peerEpoch: 1 })).toBe(false);
    expect(totalOrderPredicate({ leader: 1, zxid: 0, peerEpoch: 0 }, NO_VOTE)).toBe(true);
  });

  it('is irreflexive', () => {
    fc.assert(fc.property(vote, (a) => !totalOrderPredicate(a, a)));
  });

  it('is asymmetric', () => {
    fc.assert(fc.property(vote, vote, (a, b) => !(totalOrderPredicate(a, b) && totalOrderPredicate(b, a))));
  });

  it('is transitive', () => {
    fc.assert(fc.property(vote, vote, vote, (a, b, c) => !(totalOrderPredicate(a, b) && totalOrderPredicate(b, c)) || totalOrderPredicate(a, c)));
  });

  it('is total: two different votes are always ordered one way', () => {
    fc.assert(fc.property(vote, vote, (a, b) => sameVote(a, b) || totalOrderPredicate(a, b) !== totalOrderPredicate(b, a)));
  });

  it('agrees with compareVotes, and betterVote picks the maximum whatever the order', () => {
    fc.assert(fc.property(fc.array(vote, { minLength: 1, maxLength: 8 }), (votes) => {
      for (const a of votes) for (const b of votes) expect(totalOrderPredicate(a, b)).toBe(compareVotes(a, b) > 0);
      const best = votes.reduce(betterVote);
      const bestReversed = [...votes].reverse().reduce(betterVote);
      expect(sameVote(best, bestReversed)).toBe(true);
      for (const v of votes) expect(totalOrderPredicate(v, best)).toBe(false);
    }));
  });
});

describe('majorityOf', () => {
  it('needs more than half of the voters and ignores ids that are not voters', () => {
    const q = majorityOf([1, 2, 3, 4, 5]);
    expect(q.containsQuorum(new Set([1, 2]))).toBe(false);
    expect(q.containsQuorum(new Set([1, 2, 3]))).toBe(true);
    expect(q.containsQuorum(new Set([1, 2, 6, 7, 8]))).toBe(false);
    const even = majorityOf([1, 2, 3, 4]);
    expect(even.containsQuorum(new Set([1, 2]))).toBe(false);
    expect(even.containsQuorum(new Set([1, 2, 3]))).toBe(true);
    expect(majorityOf([7]).containsQuorum(new Set([7]))).toBe(true);
  });

  it('refuses an empty voter set', () => {
    expect(() => majorityOf([])).toThrow(/voters must not be empty/);
  });

  it('is structurally a zab QuorumVerifier (same method, same signature)', () => {
    const verifier: { containsQuorum(ids: ReadonlySet<number>): boolean } = majorityOf([1, 2, 3]);
    expect(verifier.containsQuorum(new Set([2, 3]))).toBe(true);
  });
});

