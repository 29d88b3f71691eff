import { describe, expect, it } from 'vitest';
import { BasicElection } from './basic.js';
import type { AnswerMessage, QueryMessage } from './messages.js';
import type { ElectionSetup } from './spi.js';
import { elected, half, message, recipients, sends, tick, vote } from './test-support/helpers.js';
import type { PeerState, Vote } from './vote.js';

const ROUND_TIMEOUT = 50;
const PAUSE = 10;
function basic(self: number, extra: Partial<ElectionSetup> = {}): BasicElection {
  return new BasicElection({ self, voters: [1, 2, 3], observers: [4], random: half, timing: { roundTimeoutMs: ROUND_TIMEOUT, roundPauseMs: PAUSE }, ...extra });
}
const answer = (round: number, state: PeerState, v: Vote, electionEpoch = 1): AnswerMessage => ({ type: 'answer', round, state, electionEpoch, vote: v });
const query = (round: number): QueryMessage => ({ type: 'query', round });

describe('BasicElection', () => {
  it('opens a round by asking every other voter for its vote', () => {
    const a = basic(1);
    const out = a.lookForLeader({ lastZxid: 3, currentEpoch: 1 }, 0);
    expect(recipients(out)).toEqual([2, 3]);
    expect(sends(out)[0]!.msg).toEqual(query(1));
  });

  it('answers a query with its current vote, echoing the round', () => {
    const a = basic(2);
    a.lookForLeader({ lastZxid: 3, currentEpoch: 1 }, 0);
    expect(sends(a.step(message(1, query(17)), 1))).toEqual([{ kind: 'send', to: 1, msg: answer(17, 'looking', vote(2, 3, 1)) }]);
    a.settle('following', vote(3, 9, 2), 2);
    expect(sends(a.step(message(4, query(5)), 3))).toEqual([{ kind: 'send', to: 4, msg: answer(5, 'following', vote(3, 9, 2)) }]);
    expect(a.step(message(42, query(5)), 4)).toEqual([]);
  });

  it('adopts the best live vote after a round and decides when a quorum reports it', () => {
    const a = basic(1, { voters: [1, 2, 3, 4, 5], observers: [] });
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    for (const from of [2, 3, 4]) a.step(message(from, answer(1, 'looking', vote(from))), from);
    const out = a.step(message(5, answer(1, 'looking', vote(5))), 5); // everyone answered: round over
    expect(elected(out)).toEqual([]); // only {1, 5} vote for 5 so far
    expect(a.currentVote).toEqual(vote(5));
    expect(sends(a.step(tick, 5 + PAUSE - 1))).toEqual([]);
    const round2 = a.step(tick, 5 + PAUSE + Math.floor(0.5 * PAUSE));
    expect(sends(round2).map((s) => s.msg)).toEqual([query(2), query(2), query(2), query(2)]);
    a.step(message(2, answer(2, 'looking', vote(5))), 20);
    expect(elected(a.step(message(3, answer(2, 'looking', vote(3))), 21))).toEqual([]);
    a.step(message(4, answer(2, 'looking', vote(4))), 22);
    const [decision] = elected(a.step(message(5, answer(2, 'looking', vote(5))), 23));
    expect(decision).toEqual({ kind: 'elected', leader: 5, electionEpoch: 1, vote: vote(5), state: 'following', rounds: 2 });
  });

  it('leads when a quorum backs its own vote, counting peers that already follow it', () => {
    const a = basic(3);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    a.step(message(1, answer(1, 'following', vote(3))), 1);
    const [decision] = elected(a.step(tick, ROUND_TIMEOUT));
    expect(decision).toMatchObject({ leader: 3, state: 'leading' });
  });

  it('ends a round at the timeout with the answers it has, and ignores answers for other rounds', () => {
    const a = basic(1);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    a.step(message(2, answer(9, 'looking', vote(2, 99))), 1);
    expect(a.step(tick, ROUND_TIMEOUT - 1)).toEqual([]);
    a.step(tick, ROUND_TIMEOUT);
    expect(a.currentVote).toEqual(vote(1)); // the stray answer did not count
  });

  it('forgets a candidate that stopped answering, so a crashed peer cannot hold the election', () => {
    const a = basic(1, { voters: [1, 2, 3, 4, 5], observers: [] });
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    for (const from of [2, 3, 4, 5]) a.step(message(from, answer(1, 'looking', vote(from))), from);
    expect(a.currentVote).toEqual(vote(5));
    a.step(tick, 5 + 2 * PAUSE); // round 2 opens; 5 has crashed, 2 still votes for 5, 3 for itself
    a.step(message(2, answer(2, 'looking', vote(5))), 30);
    a.step(message(3, answer(2, 'looking', vote(3))), 31);
    a.step(tick, 100);
    expect(a.currentVote).toEqual(vote(3)); // 5 is dropped; the best live candidate is 3
  });

  it('joins a leader that says it leads when a quorum names it', () => {
    const a = basic(1);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    a.step(message(2, answer(1, 'following', vote(3, 7, 4), 6)), 1);
    const [decision] = elected(a.step(message(3, answer(1, 'leading', vote(3, 7, 4), 6)), 2));
    expect(decision).toMatchObject({ leader: 3, electionEpoch: 6, vote: vote(3, 7, 4), state: 'following' });
  });

  it('does not follow a named leader that does not answer as leading', () => {
    const a = new BasicElection({ self: 1, voters: [1, 2, 3, 4, 5], observers: [], random: half });
    a.lookForLeader({ lastZxid: 0, currentEpoch: 9 }, 0);
    for (const from of [2, 3, 4]) a.step(message(from, answer(1, 'following', vote(5, 1, 1))), from);
    expect(elected(a.step(tick, 1_000))).toEqual([]);
  });

  it('an observer polls the voters and observes; it is never a candidate', () => {
    const o = basic(4);
    const out = o.lookForLeader({ lastZxid: 99, currentEpoch: 99 }, 0);
    expect(recipients(out)).toEqual([1, 2, 3]);
    o.step(message(1, answer(1, 'following', vote(2))), 1);
    o.step(message(2, answer(1, 'leading', vote(2))), 1);
    const [decision] = elected(o.step(message(3, answer(1, 'looking', vote(3))), 2));
    expect(decision).toMatchObject({ leader: 2, state: 'observing' });
  });

  it('jitters the pause between rounds with the injected random source', () => {
    const pauses = [0, 0.99].map((r) => {
      const a = basic(1, { random: () => r });
      a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
      a.step(tick, ROUND_TIMEOUT); // nobody answered
      for (let now = ROUND_TIMEOUT; now < ROUND_TIMEOUT + 3 * PAUSE; now++) if (sends(a.step(tick, now)).length > 0) return now - ROUND_TIMEOUT;
      return -1;
    });
    expect(pauses).toEqual([PAUSE, PAUSE + Math.floor(0.99 * PAUSE)]);
  });

  it('a single voter leads at once', () => {
    const solo = new BasicElection({ self: 1, voters: [1], observers: [], random: half });
    expect(elected(solo.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0))).toMatchObject([{ leader: 1, state: 'leading', rounds: 1 }]);
  });
});
