// One test per claim of the protocol, on whole in-memory clusters (3 and 5 servers, several seeds).
import { describe, expect, it } from 'vitest';
import { zxidEpoch } from './index.js';
import { SimCluster, bytes, str, type SimNode } from './test-support/cluster.js';

const SEEDS = [1, 2, 3];
const SIZES = [3, 5];

function followersOf(c: SimCluster, leader: SimNode): SimNode[] {
  return c.upNodes().filter((n) => n.id !== leader.id && !n.observer);
}

function lastSyncMode(c: SimCluster, learner: number): string | undefined {
  return c.syncEvents.filter((e) => e.learner === learner).at(-1)?.mode;
}

describe.each(SIZES)('%i voters', (voters) => {
  describe.each(SEEDS)('seed %i', (seed) => {
    it('elects one leader per epoch through repeated leader crashes', () => {
      const c = new SimCluster({ voters, seed });
      for (let round = 0; round < 4; round++) {
        const leader = c.waitForLeader();
        c.write(3, leader);
        c.runTicks(2);
        c.crash(leader.id);
        c.waitForLeader();
        c.restart(leader.id);
      }
      c.waitForConvergence();
      expect(c.leadersByEpoch.size).toBeGreaterThanOrEqual(5);
      for (const [, ids] of c.leadersByEpoch) expect(ids.size).toBe(1);
    });

    it('hands out strictly increasing zxids and applies them in order everywhere', () => {
      const c = new SimCluster({ voters, seed, partialDelivery: true, initLimitTicks: 50, syncLimitTicks: 50 });
      const leader = c.waitForLeader();
      const zxids: number[] = [];
      for (let t = 0; t < 10; t++) {
        zxids.push(...c.write(1 + c.prng.int(4), leader));
        c.tick();
      }
      for (let i = 1; i < zxids.length; i++) expect(zxids[i]).toBeGreaterThan(zxids[i - 1]!);
      c.partialDeliveryEnabled = false;
      c.waitForConvergence();
      for (const n of c.upNodes()) {
        expect(n.applied.map((e) => e.zxid)).toEqual(zxids);
        for (let i = 1; i < n.committedOut.length; i++) expect(n.committedOut[i]!.zxid).toBeGreaterThan(n.committedOut[i - 1]!.zxid);
      }
    });

    it('commits a write only once a majority holds it durably', () => {
      // The cluster driver checks this on every commit; here the claim is also checked at the end.
      const c = new SimCluster({ voters, seed, partialDelivery: true, initLimitTicks: 50, syncLimitTicks: 50 });
      const leader = c.waitForLeader();
      for (let t = 0; t < 10; t++) {
        c.write(2, leader);
        c.tick();
      }
      expect(c.leaderCommits.length).toBeGreaterThan(0);
      for (const e of c.leaderCommits) {
        const holders = c.voterIds.filter((id) => c.node(id).hasDurably(e.zxid));
        expect(holders.length).toBeGreaterThan(voters / 2);
      }
    });

    it('keeps every committed write across a leader crash', () => {
      const c = new SimCluster({ voters, seed, partialDelivery: true, initLimitTicks: 50, syncLimitTicks: 50 });
      const leader = c.waitForLeader();
      for (let t = 0; t < 6; t++) {
        c.write(3, leader);
        c.tick();
      }
      const committed = [...c.leaderCommits];
      expect(committed.length).toBeGreaterThan(0);
      c.crash(leader.id); // with messages still in flight
      c.partialDeliveryEnabled = false;
      const next = c.waitForLeader();
      expect(next.id).not.toBe(leader.id);
      const applied = new Map(next.applied.map((e) => [e.zxid, str(e.data)]));
      for (const e of committed) expect(applied.get(e.zxid)).toBe(str(e.data));
      expect(zxidEpoch(next.peer.peekNextZxid())).toBeGreaterThan(zxidEpoch(committed.at(-1)!.zxid));
    });

    it('survives leaders that crash after sending proposals and before their own flush', () => {
      // Proposals leave while the leader logs them; a crash in that window must lose nothing
      // committed (the leader only counts itself after its flush) and leave one history.
      const c = new SimCluster({ voters, seed, crashBeforePersistRate: 0.2, initLimitTicks: 20, syncLimitTicks: 10 });
      for (let round = 0; round < 30 && c.crashesBeforePersist < 3; round++) {
        const leader = c.waitForLeader(400);
        try { c.write(1 + c.prng.int(3), leader); } catch { /* stepped down */ }
        c.tick();
        for (const n of c.nodes.values()) if (!n.up) c.restart(n.id);
      }
      expect(c.earlySends).toBeGreaterThan(0);
      expect(c.crashesBeforePersist).toBeGreaterThan(0);
      c.waitForConvergence(400);
      const final = c.upNodes()[0]!;
      const applied = new Map(final.applied.map((e) => [e.zxid, str(e.data)]));
      for (const e of c.leaderCommits) expect(applied.get(e.zxid)).toBe(str(e.data));
    });

    it('sends a learner whose chosen leader follows someone else back to looking at once (NOTLEADER), not after initLimit', () => {
      // Issue 5: server 1 decided to follow 2 while 2 was still looking; 2 then followed 3.
      const c = new SimCluster({ voters, seed, initLimitTicks: 50, syncLimitTicks: 10 });
      const n1 = c.node(1);
      c.process(n1);
      n1.needsElection = false;
      n1.peer.becomeFollower(2);
      c.process(n1);
      c.runUntil('server 1 follows the real leader', () => n1.peer.isServing && n1.peer.leaderId !== 2 && c.leader()?.id === n1.peer.leaderId, 20);
      const back = c.roleEvents.find((e) => e.id === 1 && e.role === 'looking' && e.reason?.includes('not leading'));
      expect(back?.reason).toMatch(/server 2 is not leading/);
      expect(back!.tick).toBeLessThan(5);
    });

    it('brings a follower a few writes behind up to date with DIFF', () => {
      const c = new SimCluster({ voters, seed, committedLogMax: 20 });
      const leader = c.waitForLeader();
      c.write(3, leader);
      c.runTicks(1);
      const lagging = followersOf(c, leader)[0]!;
      c.isolate(lagging.id);
      c.write(5, leader);
      c.runUntil('the isolated follower gives up on its leader', () => lagging.peer.currentRole === 'looking');
      c.heal();
      c.waitForConvergence();
      expect(lastSyncMode(c, lagging.id)).toBe('diff');
      expect(lagging.peer.status().syncMode).toBe('diff');
      expect(lagging.applied.length).toBe(8);
    });

    it('truncates an uncommitted tail from an old epoch with TRUNC', () => {
      const c = new SimCluster({ voters, seed });
      const old = c.waitForLeader();
      c.write(4, old);
      c.runTicks(1);
      // The leader is cut off and keeps logging proposals nobody else sees.
      c.isolate(old.id);
      const doomed = c.write(3, old);
      expect(old.log.map((e) => e.zxid)).toEqual(expect.arrayContaining(doomed));
      c.runUntil('the old leader steps down', () => old.peer.currentRole === 'looking');
      const next = c.waitForLeader();
      expect(next.id).not.toBe(old.id);
      c.write(2, next);
      c.heal();
      c.waitForConvergence();
      expect(lastSyncMode(c, old.id)).toBe('trunc');
      const applied = old.applied.map((e) => e.zxid);
      for (const z of doomed) expect(applied).not.toContain(z);
      expect(old.log.map((e) => e.zxid)).not.toContain(doomed[0]);
      expect(applied.length).toBe(6);
    });

    it('sends a SNAP to a follower behind the committed-log window', () => {
      const c = new SimCluster({ voters, seed, committedLogMax: 5 });
      const leader = c.waitForLeader();
      c.write(2, leader);
      c.runTicks(1);
      const lagging = followersOf(c, leader)[0]!;
      c.crash(lagging.id);
      for (let i = 0; i < 4; i++) {
        c.write(5, leader);
        c.tick();
      }
      c.restart(lagging.id);
      c.waitForConvergence();
      expect(lastSyncMode(c, lagging.id)).toBe('snap');
      expect(lagging.snapshot?.zxid).toBeGreaterThan(0);
      expect(lagging.digest()).toBe(leader.digest());
    });

    it('commits nothing in a minority partition, and converges once healed', () => {
      const c = new SimCluster({ voters, seed });
      const old = c.waitForLeader();
      c.write(2, old);
      c.runTicks(1);
      const minority = [old.id, ...followersOf(c, old).slice(0, Math.floor((voters - 1) / 2) - 1).map((n) => n.id)];
      const majority = c.voterIds.filter((id) => !minority.includes(id));
      c.partition(minority, majority);
      const before = old.peer.lastCommittedZxid;
      const stranded = c.write(3, old);
      c.runTicks(2);
      expect(old.peer.lastCommittedZxid).toBe(before);
      for (const id of minority) expect(c.node(id).applied.map((e) => e.zxid)).not.toContain(stranded[0]);
      c.runUntil('a leader in the majority', () => majority.includes(c.leader()?.id ?? -1));
      const next = c.leader()!;
      c.write(3, next);
      c.runTicks(3);
      expect(old.peer.currentRole).not.toBe('leading');
      c.heal();
      c.waitForConvergence();
      expect(new Set(c.upNodes().map((n) => n.digest())).size).toBe(1);
      expect(next.applied.length).toBe(5);
      for (const z of stranded) expect(c.committedByZxid.has(z)).toBe(false);
    });

    it('steps a leader down when it loses its quorum, within syncLimit ticks', () => {
      const c = new SimCluster({ voters, seed, syncLimitTicks: 3 });
      const leader = c.waitForLeader();
      c.isolate(leader.id);
      const start = c.now;
      c.runUntil('the isolated leader steps down', () => leader.peer.currentRole === 'looking', 10);
      expect(c.now - start).toBeLessThanOrEqual(3 + 2);
      expect(c.roleEvents.filter((e) => e.id === leader.id).at(-1)?.reason).toMatch(/lost the quorum/);
    });

    it('sends followers of a crashed leader looking at once (peerDisconnected), not after syncLimit', () => {
      const c = new SimCluster({ voters, seed, syncLimitTicks: 10 });
      const leader = c.waitForLeader();
      c.crash(leader.id);
      for (const f of c.upNodes()) expect(f.peer.currentRole).toBe('looking');
      const next = c.waitForLeader(3);
      expect(next.id).not.toBe(leader.id);
    });
  });
});

describe('observers', () => {
  it.each(SEEDS)('never count toward a quorum, yet apply every commit (seed %i)', (seed) => {
    // 5 voters + 3 observers: with only 2 voters up, 5 of 8 servers are up but there is no quorum.
    const c = new SimCluster({ voters: 5, observers: 3, seed });
    const leader = c.waitForLeader();
    c.write(4, leader);
    c.waitForConvergence();
    for (const id of c.observerIds) expect(c.node(id).applied.length).toBe(4);
    expect(leader.peer.status().syncedObservers).toEqual(c.observerIds);
    const others = c.voterIds.filter((id) => id !== leader.id);
    for (const id of others.slice(0, 3)) c.crash(id);
    const before = leader.peer.lastCommittedZxid;
    c.write(2, leader);
    c.runUntil('the leader steps down', () => leader.peer.currentRole === 'looking', 10);
    expect(leader.peer.lastCommittedZxid).toBe(before);
    c.runTicks(10);
    expect(c.leader()).toBeUndefined();
    expect(c.leadersByEpoch.size).toBe(1);
    for (const id of others.slice(0, 3)) c.restart(id);
    const next = c.waitForLeader();
    c.write(3, next);
    c.waitForConvergence();
    for (const id of c.observerIds) {
      expect(c.node(id).digest()).toBe(next.digest());
      expect(c.node(id).peer.status().role).toBe('observing');
    }
  });

  it('a leader with one follower and observers commits with the follower (3 voters), not without it', () => {
    const c = new SimCluster({ voters: 3, observers: 3, seed: 7 });
    const leader = c.waitForLeader();
    const [f1, f2] = followersOf(c, leader);
    c.crash(f1!.id);
    c.write(2, leader);
    c.runTicks(1);
    expect(leader.peer.lastCommittedZxid).toBe(leader.peer.lastLoggedZxid);
    c.crash(f2!.id);
    c.write(1, leader);
    c.runTicks(1);
    expect(leader.peer.lastCommittedZxid).toBeLessThan(leader.peer.lastLoggedZxid);
    for (const id of c.observerIds) expect(c.node(id).applied.length).toBe(2);
  });
});

describe('client helpers', () => {
  it.each(SIZES)('sync on a follower is done only after it applied what the leader had proposed (%i voters)', (voters) => {
    const c = new SimCluster({ voters, seed: 11 });
    const leader = c.waitForLeader();
    c.write(1, leader);
    c.runTicks(1);
    const follower = followersOf(c, leader)[0]!;
    const pending = c.write(3, leader);
    follower.peer.requestSync(42);
    c.process(follower);
    expect(follower.peer.status().pendingSyncs).toBe(1);
    c.deliverAll();
    expect(follower.syncsDone).toEqual([42]);
    expect(follower.syncAppliedAt.get(42)).toBeGreaterThanOrEqual(pending.at(-1)!);
    expect(follower.peer.status().pendingSyncs).toBe(0);
    // With nothing outstanding the leader answers at once.
    follower.peer.requestSync(43);
    c.process(follower);
    c.deliverAll();
    expect(follower.syncsDone).toEqual([42, 43]);
  });

  it('forwards a follower request to the leader, which proposes it', () => {
    const c = new SimCluster({ voters: 3, seed: 5 });
    const leader = c.waitForLeader();
    const follower = followersOf(c, leader)[0]!;
    follower.peer.forward(bytes('from-follower'));
    c.process(follower);
    c.deliverAll();
    expect(leader.forwarded).toEqual([{ from: follower.id, data: 'from-follower' }]);
    c.waitForConvergence();
    expect(follower.applied.map((e) => str(e.data))).toEqual(['from-follower']);
  });

  it('carries ping payloads both ways', () => {
    const c = new SimCluster({ voters: 3, seed: 5 });
    const leader = c.waitForLeader();
    const follower = followersOf(c, leader)[0]!;
    follower.peer.setPingPayload(bytes('touch:1'));
    leader.peer.setPingPayload(bytes('hello'));
    c.tick();
    expect(leader.pingPayloads).toEqual([{ from: follower.id, data: 'touch:1' }]);
    expect(follower.pingPayloads).toEqual([{ from: leader.id, data: 'hello' }]);
    c.tick();
    expect(leader.pingPayloads).toHaveLength(1);
  });
});
