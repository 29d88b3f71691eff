// Whole-ensemble scenarios for both strategies over the deterministic simulated network.
import { describe, expect, it } from 'vitest';
import { basicElection } from './basic.js';
import { fastElection } from './fast.js';
import { mixSeed, seededRandom } from './random.js';
import { ElectionCluster, type ElectionClusterOptions } from './simulation.js';
import type { ElectionStrategyFactory } from './spi.js';
import { compareVotes, type ServerId, type Vote } from './vote.js';

const SEEDS = 30;
const STABLE_WITHIN_MS = 30_000;

/** Per-seed logs with ties, so both zxid and sid break them. */
function logs(seed: number, ids: readonly ServerId[]): Map<ServerId, Vote> {
  const random = seededRandom(mixSeed(seed, 99));
  return new Map(ids.map((id) => {
    const epoch = 1 + Math.floor(random() * 2);
    return [id, { leader: id, zxid: epoch * 2 ** 32 + Math.floor(random() * 3), peerEpoch: epoch }];
  }));
}

function cluster(strategy: ElectionStrategyFactory, voters: number, observers: number, seed: number, extra: Partial<ElectionClusterOptions> = {}) {
  const voterIds = Array.from({ length: voters }, (_, i) => i + 1);
  const observerIds = Array.from({ length: observers }, (_, i) => voters + i + 1);
  const initial = logs(seed, voterIds);
  const c = new ElectionCluster({
    strategy, voters: voterIds, observers: observerIds, seed,
    lastZxid: (id) => initial.get(id)?.zxid ?? 0,
    currentEpoch: (id) => initial.get(id)?.peerEpoch ?? 0,
    ...extra,
  });
  return { c, initial, voterIds, observerIds };
}

function stable(c: ElectionCluster): ServerId {
  expect(c.runUntil(() => c.stableLeader() !== null, STABLE_WITHIN_MS)).toBe(true);
  return c.stableLeader()!;
}

/** Exactly one leader, everyone live and reachable settled on it with the same vote. */
function expectAgreement(c: ElectionCluster, leader: ServerId): void {
  const leading = c.serverIds.filter((id) => c.role(id) === 'leading');
  expect(leading).toEqual([leader]);
  const votes = c.serverIds.filter((id) => c.role(id) !== 'down' && c.connected(id, leader)).map((id) => c.strategyOf(id)!);
  for (const s of votes) expect(s.state).not.toBe('looking');
  expect(new Set(votes.map((s) => JSON.stringify((s as unknown as { currentVote: Vote }).currentVote))).size).toBe(1);
}

/** The leader's starting vote is at least as good as that of a quorum of the voters. */
function expectBestOfQuorum(c: ElectionCluster, initial: ReadonlyMap<ServerId, Vote>, leader: ServerId): void {
  const leaderVote = initial.get(leader)!;
  const beaten = new Set([...initial].filter(([, v]) => compareVotes(v, leaderVote) <= 0).map(([id]) => id));
  expect(c.quorum.containsQuorum(beaten)).toBe(true);
}

describe.each([
  ['fast', fastElection],
  ['basic', basicElection],
] as const)('%s election over a simulated ensemble', (_name, strategy) => {
  for (const voters of [3, 5]) {
    it(`elects exactly one leader that everyone agrees on, the best of a quorum (${voters} voters + an observer, ${SEEDS} seeds)`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const { c, initial, voterIds } = cluster(strategy, voters, 1, seed);
        c.start();
        const leader = stable(c);
        expect(voterIds).toContain(leader);
        expectAgreement(c, leader);
        expectBestOfQuorum(c, initial, leader);
      }
    });

    it(`terminates with 25% message loss and jittery delays (${voters} voters + an observer)`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const { c, initial } = cluster(strategy, voters, 1, seed, { network: { lossRate: 0.25, delayMsMin: 0, delayMsMax: 30 } });
        c.start();
        const leader = stable(c);
        expectAgreement(c, leader);
        expectBestOfQuorum(c, initial, leader);
      }
    });
  }

  it('with no loss and the same start, every first decision names the same leader (no re-election)', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { c } = cluster(strategy, 5, 1, seed);
      c.start();
      stable(c);
      expect(new Set(c.electedLog.map((e) => e.output.leader)).size).toBe(1);
      expect(c.electedLog).toHaveLength(6);
    }
  });

  it('a minority partition elects nobody while the majority side elects; after healing the minority joins without a new election', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { c } = cluster(strategy, 5, 1, seed);
      c.partition([1, 2, 3, 6], [4, 5]);
      c.start();
      const leader = stable(c);
      expect([1, 2, 3]).toContain(leader);
      c.runFor(3_000);
      expect(c.electedLog.filter((e) => e.id === 4 || e.id === 5)).toEqual([]);
      expect(c.role(4)).toBe('looking');
      const decisionsBefore = c.electedLog.length;
      c.heal();
      expect(c.runUntil(() => c.isSettled(4) && c.isSettled(5), STABLE_WITHIN_MS)).toBe(true);
      expect(c.stableLeader()).toBe(leader);
      const after = c.electedLog.slice(decisionsBefore);
      expect(after.map((e) => e.id).sort()).toEqual([4, 5]);
      for (const e of after) expect(e.output).toMatchObject({ leader, state: 'following' });
    }
  });

  it('a late server joins the existing leader without a new election', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { c, voterIds } = cluster(strategy, 5, 1, seed);
      c.start([1, 2, 3, 4, 6]);
      const leader = stable(c);
      const looks = voterIds.map((id) => c.looks(id));
      const decisions = c.electedLog.length;
      c.runFor(500);
      c.start([5]);
      expect(c.runUntil(() => c.isSettled(5), STABLE_WITHIN_MS)).toBe(true);
      expect(c.stableLeader()).toBe(leader);
      expect(c.electedLog.slice(decisions).map((e) => e.id)).toEqual([5]);
      expect(voterIds.slice(0, 4).map((id) => c.looks(id))).toEqual(looks.slice(0, 4));
    }
  });

  it('a restarted follower and a restarted observer rejoin the leader without a new election', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { c } = cluster(strategy, 3, 1, seed);
      c.start();
      const leader = stable(c);
      const follower = [1, 2, 3].find((id) => id !== leader)!;
      const decisions = c.electedLog.length;
      c.crash(follower);
      c.crash(4);
      c.runFor(1_000);
      expect(c.stableLeader()).toBe(leader); // 2 of 3 voters still form a quorum
      c.start([follower, 4]);
      expect(c.runUntil(() => c.isSettled(follower) && c.isSettled(4), STABLE_WITHIN_MS)).toBe(true);
      expect(c.stableLeader()).toBe(leader);
      expect(c.electedLog.slice(decisions).map((e) => e.id).sort()).toEqual([follower, 4].sort());
      expect(c.role(4)).toBe('observing');
    }
  });

  it('after the leader crashes the survivors elect the best of them', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { c, voterIds } = cluster(strategy, 5, 1, seed);
      c.start();
      const oldLeader = stable(c);
      // The ensemble wrote a little; some followers got more of it than others.
      const random = seededRandom(seed);
      for (const id of voterIds) c.setLastZxid(id, c.lastZxid(id) + Math.floor(random() * 3));
      const survivors = new Map(voterIds.filter((id) => id !== oldLeader).map((id) => [id, { leader: id, zxid: c.lastZxid(id), peerEpoch: c.currentEpoch(id) }]));
      c.crash(oldLeader);
      const leader = stable(c);
      expect(leader).not.toBe(oldLeader);
      expect([...survivors.keys()]).toContain(leader);
      expectAgreement(c, leader);
      // The best survivor wins: every survivor's vote is at most the leader's.
      for (const v of survivors.values()) expect(compareVotes(v, survivors.get(leader)!)).toBeLessThanOrEqual(0);
      expect(c.currentEpoch(leader)).toBeGreaterThan(survivors.get(leader)!.peerEpoch);
    }
  });

  it('observers never lead and never count toward a quorum', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { c, observerIds } = cluster(strategy, 3, 2, seed, {
        // Observers with the best logs: they must still never be proposed.
        lastZxid: (id) => (id > 3 ? 50 * 2 ** 32 : 2 ** 32),
        currentEpoch: (id) => (id > 3 ? 50 : 1),
      });
      c.start();
      const leader = stable(c);
      expect(observerIds).not.toContain(leader);
      for (const id of observerIds) expect(c.role(id)).toBe('observing');
      // Two voters down: one voter plus two observers is no quorum, so nobody may lead.
      const others = [1, 2, 3].filter((id) => id !== leader);
      c.crash(leader);
      c.crash(others[0]!);
      const decisions = c.electedLog.length;
      c.runFor(5_000);
      expect(c.stableLeader()).toBeNull();
      expect(c.electedLog.slice(decisions).filter((e) => e.output.state === 'leading')).toEqual([]);
      for (const e of c.electedLog) expect(observerIds).not.toContain(e.output.leader);
    }
  });

  it('is deterministic: the same seed gives the same run', () => {
    const run = () => {
      const { c } = cluster(strategy, 5, 1, 7, { network: { lossRate: 0.2, delayMsMin: 0, delayMsMax: 20 } });
      c.start();
      stable(c);
      return { log: c.electedLog, sent: c.messagesSent, now: c.nowMs };
    };
    expect(run()).toEqual(run());
  });
});

describe.each([
  ['fast', fastElection],
  ['basic', basicElection],
] as const)('%s election under a nemesis', (_name, strategy) => {
  it('after random crashes, restarts, partitions and loss stop, one leader is established and everyone follows it', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const { c, voterIds, observerIds } = cluster(strategy, 5, 1, seed, { network: { lossRate: 0.1, delayMsMin: 0, delayMsMax: 20 } });
      const all = [...voterIds, ...observerIds];
      const random = seededRandom(mixSeed(seed, 0xfa17));
      c.start();
      // Fault phase: 20 random faults, 200 ms apart.
      for (let fault = 0; fault < 20; fault++) {
        const pick = all[Math.floor(random() * all.length)]!;
        const roll = random();
        if (roll < 0.3) c.crash(pick);
        else if (roll < 0.6) c.restart(pick);
        else if (roll < 0.8) c.partition(all.filter(() => random() < 0.5));
        else c.heal();
        c.runFor(200);
      }
      // Liveness phase: everything back, no loss.
      c.heal();
      c.setNetwork({ lossRate: 0 });
      for (const id of all) if (c.role(id) === 'down') c.start([id]);
      const leader = stable(c);
      expect(voterIds).toContain(leader);
      expectAgreement(c, leader);
    }
  });
});

describe.each([
  ['fast', fastElection],
  ['basic', basicElection],
] as const)('%s election with staggered starts (issue 5: the straggler)', (name, strategy) => {
  // Members boot 0-300 ms apart, in every order, with fresh logs (the best vote is the highest id).
  // A member can decide to follow a candidate that then follows a later, better member; zab's
  // NOTLEADER reply sends it back to looking at once instead of after the sync timeout
  // (ZooKeeper's initLimit; the simulation's syncTimeoutMs).
  const SYNC_TIMEOUT_MS = 5_000;
  const STABLE_MS = 1_000;
  const ORDERS = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]];
  const SEEDS_STAGGERED = 100;
  /** Runs every seed and order; returns how many runs were not stable within STABLE_MS, and how many re-looked. */
  function staggered(notLeaderReply: boolean): { slow: number; relooked: number } {
    let slow = 0;
    let relooked = 0;
    for (let seed = 1; seed <= SEEDS_STAGGERED; seed++) {
      for (const order of ORDERS) {
        const c = new ElectionCluster({ strategy, voters: [1, 2, 3], seed, syncTimeoutMs: SYNC_TIMEOUT_MS, notLeaderReply });
        const random = seededRandom(mixSeed(seed, 7));
        c.start([order[0]!]);
        for (const id of order.slice(1)) {
          c.runFor(Math.floor(random() * 300));
          c.start([id]);
        }
        if (!c.runUntil(() => c.stableLeader() !== null, STABLE_MS)) slow++;
        expect(c.runUntil(() => c.stableLeader() !== null, STABLE_WITHIN_MS)).toBe(true);
        if ([1, 2, 3].some((id) => c.looks(id) > 1)) relooked++;
      }
    }
    return { slow, relooked };
  }

  it(`is stable within ${STABLE_MS} ms in every run (${ORDERS.length} orders x ${SEEDS_STAGGERED} seeds)`, () => {
    expect(staggered(true).slow).toBe(0);
  });

  it('without the NOTLEADER reply, the runs where a member re-looks wait the sync timeout (the check can fail)', () => {
    const { slow, relooked } = staggered(false);
    expect(slow).toBe(relooked);
    // basic hit it in 53 of these 600 runs, fast in 2 (its decision needs the leader's own vote).
    if (name === 'basic') expect(slow).toBeGreaterThan(0);
  });
});
