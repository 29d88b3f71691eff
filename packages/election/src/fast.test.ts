import { describe, expect, it } from 'vitest';
import { FastLeaderElection } from './fast.js';
import type { ElectionSetup } from './spi.js';
import { elected, half, message, notification, recipients, sends, tick, vote } from './test-support/helpers.js';

const FINALIZE = 50;
function fle(self: number, extra: Partial<ElectionSetup> = {}): FastLeaderElection {
  return new FastLeaderElection({ self, voters: [1, 2, 3], observers: [4], random: half, timing: { finalizeWaitMs: FINALIZE, notificationIntervalMinMs: 100, notificationIntervalMaxMs: 400 }, ...extra });
}

describe('FastLeaderElection', () => {
  it('starts by notifying the other voters (not observers) with its own vote', () => {
    const a = fle(1);
    const out = a.lookForLeader({ lastZxid: 7, currentEpoch: 2 }, 0);
    expect(recipients(out)).toEqual([2, 3]);
    expect(sends(out)[0]!.msg).toEqual(notification('looking', 1, vote(1, 7, 2)));
    expect(a.state).toBe('looking');
    expect(a.electionEpoch).toBe(1);
  });

  it('says nothing before the first lookForLeader', () => {
    const a = fle(1);
    expect(a.step(message(2, notification('looking', 1, vote(2))), 0)).toEqual([]);
    expect(a.step(tick, 10_000)).toEqual([]);
  });

  it('adopts a better vote and notifies everyone again; ignores a worse one', () => {
    const a = fle(1);
    a.lookForLeader({ lastZxid: 5, currentEpoch: 1 }, 0);
    expect(a.step(message(2, notification('looking', 1, vote(2, 4, 1))), 1)).toEqual([]);
    const out = a.step(message(3, notification('looking', 1, vote(3, 5, 1))), 2);
    expect(recipients(out)).toEqual([2, 3]);
    expect(a.currentVote).toEqual(vote(3, 5, 1));
  });

  it('on a higher logical clock drops the old tally and rejoins with the better of its own vote and theirs', () => {
    const a = fle(1);
    a.lookForLeader({ lastZxid: 9, currentEpoch: 1 }, 0);
    a.step(message(3, notification('looking', 1, vote(3, 10, 1))), 1); // adopt 3
    expect(a.currentVote).toEqual(vote(3, 10, 1));
    const out = a.step(message(2, notification('looking', 5, vote(2, 2, 1))), 2);
    expect(a.electionEpoch).toBe(5);
    expect(a.currentVote).toEqual(vote(1, 9, 1)); // its own initial vote beats 2's, the adopted 3 is forgotten
    expect(sends(out).map((s) => s.msg)).toEqual([notification('looking', 5, vote(1, 9, 1)), notification('looking', 5, vote(1, 9, 1))]);
  });

  it('tells a looker with a lagging clock where the election is', () => {
    const a = fle(1);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    a.step(message(2, notification('looking', 4, vote(2))), 1);
    const out = a.step(message(3, notification('looking', 2, vote(3))), 2);
    expect(sends(out)).toEqual([{ kind: 'send', to: 3, msg: notification('looking', 4, vote(2)) }]);
  });

  it('decides only after finalizeWaitMs with a quorum, leading when the vote is its own', () => {
    const a = fle(3);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    expect(elected(a.step(message(1, notification('looking', 1, vote(3))), 10))).toEqual([]);
    expect(elected(a.step(tick, 10 + FINALIZE - 1))).toEqual([]);
    const [decision] = elected(a.step(tick, 10 + FINALIZE));
    expect(decision).toEqual({ kind: 'elected', leader: 3, electionEpoch: 1, vote: vote(3), state: 'leading', rounds: 1 });
    expect(a.state).toBe('leading');
  });

  it('a better vote during the finalize wait restarts the wait for the new proposal', () => {
    const a = fle(1);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    a.step(message(2, notification('looking', 1, vote(2))), 1); // adopt 2; {1,2} agree
    a.step(tick, 20);
    a.step(message(3, notification('looking', 1, vote(3))), 30); // better: adopt 3; {1,3} agree
    expect(elected(a.step(tick, 1 + FINALIZE))).toEqual([]);
    const [decision] = elected(a.step(tick, 30 + FINALIZE));
    expect(decision).toMatchObject({ leader: 3, state: 'following' });
  });

  it('resends its notifications with exponential backoff up to the cap when nothing is decided', () => {
    const a = fle(1);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    const resendTimes: number[] = [];
    for (let now = 10; now <= 2_000; now += 10) if (sends(a.step(tick, now)).length > 0) resendTimes.push(now);
    expect(resendTimes.slice(0, 5)).toEqual([100, 300, 700, 1_100, 1_500]);
  });

  it('once settled answers lookers with its settled vote and state, and ignores the others', () => {
    const a = fle(2);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    a.settle('following', vote(3, 8, 4), 5);
    expect(a.state).toBe('following');
    expect(sends(a.step(message(1, notification('looking', 9, vote(1))), 6))).toEqual([{ kind: 'send', to: 1, msg: notification('following', 1, vote(3, 8, 4)) }]);
    expect(a.step(message(3, notification('leading', 1, vote(3, 8, 4))), 7)).toEqual([]);
  });

  it('joins an established ensemble only when a quorum follows the leader and the leader says it leads (checkLeader)', () => {
    const a = fle(1);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    // A follower alone (even with my vote) is no proof: the leader may have crashed.
    expect(elected(a.step(message(2, notification('following', 7, vote(3, 5, 2))), 1))).toEqual([]);
    const [decision] = elected(a.step(message(3, notification('leading', 7, vote(3, 5, 2))), 2));
    expect(decision).toMatchObject({ leader: 3, electionEpoch: 7, state: 'following', vote: vote(3, 5, 2) });
    expect(a.electionEpoch).toBe(7);
  });

  it('does not join when a quorum names a leader that never says it leads', () => {
    const a = new FastLeaderElection({ self: 1, voters: [1, 2, 3, 4, 5], observers: [], random: half });
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    for (const from of [2, 3, 4]) expect(elected(a.step(message(from, notification('following', 3, vote(5, 1, 1))), from))).toEqual([]);
  });

  it('ignores votes for non-voters and messages from unknown servers', () => {
    const a = fle(1);
    a.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    expect(a.step(message(2, notification('looking', 1, vote(4, 99, 99))), 1)).toEqual([]);
    expect(a.step(message(42, notification('looking', 1, vote(2, 99, 99))), 2)).toEqual([]);
    expect(a.currentVote).toEqual(vote(1));
  });

  it('answers an observer at once, looking or not; the observer never leads', () => {
    const voter = fle(3);
    voter.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    const observer = fle(4);
    const opening = observer.lookForLeader({ lastZxid: 50, currentEpoch: 9 }, 0);
    expect(recipients(opening)).toEqual([1, 2, 3]);
    const reply = sends(voter.step(message(4, sends(opening)[2]!.msg), 1));
    expect(reply).toEqual([{ kind: 'send', to: 4, msg: notification('looking', 1, vote(3)) }]);
    // The observer adopts the voters' vote (its own is NO_VOTE), yet only a quorum of voters decides.
    observer.step(message(3, reply[0]!.msg), 2);
    expect(observer.currentVote).toEqual(vote(3));
    observer.step(message(2, notification('looking', 1, vote(3))), 3);
    const [decision] = elected(observer.step(tick, 3 + FINALIZE));
    expect(decision).toMatchObject({ leader: 3, state: 'observing' });
  });

  it('a single voter elects itself after the finalize wait', () => {
    const solo = new FastLeaderElection({ self: 1, voters: [1], observers: [], random: half, timing: { finalizeWaitMs: 0 } });
    const out = solo.lookForLeader({ lastZxid: 0, currentEpoch: 0 }, 0);
    expect(elected(out)).toMatchObject([{ leader: 1, state: 'leading' }]);
  });

  it('checks what the runtime hands it', () => {
    const a = fle(1);
    expect(() => a.lookForLeader({ lastZxid: -1, currentEpoch: 0 }, 0)).toThrow(/lastZxid/);
    expect(() => a.lookForLeader({ lastZxid: 0, currentEpoch: 0.5 }, 0)).toThrow(/currentEpoch/);
    expect(() => a.step(tick, Number.NaN)).toThrow(/nowMs/);
    expect(() => a.settle('looking' as never, vote(1), 0)).toThrow(/call lookForLeader/);
    expect(() => a.settle('leading', vote(2), 0)).toThrow(/not self 1/);
    expect(() => a.settle('following', vote(1), 0)).toThrow(/names self/);
    expect(() => a.settle('following', vote(4), 0)).toThrow(/leader 4 is not a voter/);
    expect(() => a.settle('observing', vote(2), 0)).toThrow(/is a voter, it cannot observe/);
    expect(() => fle(4).settle('following', vote(2), 0)).toThrow(/is an observer, it cannot follow/);
  });
});
