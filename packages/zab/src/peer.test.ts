import { describe, expect, it } from 'vitest';
import {
  MajorityQuorum, NotLeaderError, NotSyncedError, TooManyOutstandingError, ZabConfigError, ZabPeer, ZabUsageError, ZxidRolloverError,
  EPOCH_MAX, makeZxid, type ZabConfig,
} from './index.js';
import { drain, sentTo } from './test-support/drive.js';

const base: ZabConfig = { selfId: 1, voters: [1, 2, 3], initLimitTicks: 5, syncLimitTicks: 3 };
const data = (s: string) => new TextEncoder().encode(s);

/** Peer 1 leads voters 1..3; follower 2 joins (fresh logs); returns the established leader. */
function establishedLeader(config: Partial<ZabConfig> = {}): ZabPeer {
  const leader = new ZabPeer({ ...base, ...config });
  drain(leader);
  leader.becomeLeader();
  leader.step(2, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
  leader.step(2, { type: 'ackEpoch', currentEpoch: 0, lastZxid: 0, epochAlreadyAccepted: false, truncFloorZxid: 0 });
  leader.step(2, { type: 'ack', zxid: makeZxid(1, 0) });
  drain(leader);
  expect(leader.isServing).toBe(true);
  return leader;
}

describe('ZabPeer config and recovered state', () => {
  it('names the bad field', () => {
    expect(() => new ZabPeer({ ...base, selfId: 9 })).toThrow(/selfId: 9 is neither a voter nor an observer/);
    expect(() => new ZabPeer({ ...base, voters: [] })).toThrow(/voters: needs at least one voter/);
    expect(() => new ZabPeer({ ...base, voters: [1, 1] })).toThrow(/voters: server id 1 listed twice/);
    expect(() => new ZabPeer({ ...base, observers: [3] })).toThrow(/observers: server 3 is also a voter/);
    expect(() => new ZabPeer({ ...base, initLimitTicks: 0 })).toThrow(/initLimitTicks: must be an integer in 1\.\./);
    expect(() => new ZabPeer({ ...base, syncLimitTicks: 1.5 })).toThrow(/syncLimitTicks/);
    expect(() => new ZabPeer({ ...base, committedLogMax: 0 })).toThrow(/committedLogMax/);
    expect(() => new ZabPeer({ ...base, committedLogMax: 2_000_000 })).toThrow(/committedLogMax: must be an integer in 1\.\.1000000/);
    expect(() => new ZabPeer({ ...base, outstandingProposalsMax: 0 })).toThrow(/outstandingProposalsMax/);
    expect(() => new ZabPeer({ ...base, zxidCounterLast: 2 ** 32 })).toThrow(/zxidCounterLast/);
    const recovered = { acceptedEpoch: 1, currentEpoch: 1, lastZxid: makeZxid(1, 2), logTail: [] };
    expect(() => new ZabPeer(base, { ...recovered, currentEpoch: 2 })).toThrow(/currentEpoch: 2 is after acceptedEpoch 1/);
    expect(() => new ZabPeer(base, { ...recovered, acceptedEpoch: 2 ** 21 })).toThrow(/recovered.acceptedEpoch/);
    expect(() => new ZabPeer(base, { ...recovered, lastZxid: -1 })).toThrow(/recovered.lastZxid/);
    expect(() => new ZabPeer(base, { ...recovered, logTail: [{ zxid: makeZxid(1, 1), data: data('a') }] }))
      .toThrow(/logTail: ends at 0x100000001, not at lastZxid 0x100000002/);
    expect(() => new ZabPeer(base, { ...recovered, logTail: [{ zxid: 5, data: data('a') }, { zxid: 5, data: data('b') }] }))
      .toThrow(/logTail\[1\]: zxid 0x5 not after 0x5/);
    expect(() => new ZabPeer(base, { ...recovered, snapshotZxid: makeZxid(1, 3) })).toThrow(/snapshotZxid/);
    expect(() => new ZabPeer({ ...base, selfId: 9 })).toThrow(ZabConfigError);
  });

  it('starts looking, asks for an election once, and reports its recovered position', () => {
    const peer = new ZabPeer(base, { acceptedEpoch: 3, currentEpoch: 2, lastZxid: makeZxid(2, 5), logTail: [] });
    const [first, ...rest] = drain(peer);
    expect(first!.needsElection).toBe(true);
    expect(first!.roleChanged).toMatchObject({ role: 'looking', phase: 'election', leader: null });
    expect(rest).toEqual([]);
    expect(peer.status()).toMatchObject({ role: 'looking', acceptedEpoch: 3, currentEpoch: 2, lastLoggedZxid: makeZxid(2, 5), lastCommittedZxid: makeZxid(2, 5) });
  });
});

describe('ZabPeer usage errors', () => {
  it('enforces the Ready/advance contract', () => {
    const peer = new ZabPeer(base);
    const r = peer.ready();
    expect(() => peer.ready()).toThrow(ZabUsageError);
    expect(() => peer.advance({ ...r })).toThrow(/not the one in flight/);
    peer.advance(r);
    expect(peer.hasReady()).toBe(false);
  });

  it('takes an election result only while looking, and only a fitting one', () => {
    const peer = new ZabPeer(base);
    drain(peer);
    expect(() => peer.becomeFollower(1)).toThrow(/not another voter/);
    expect(() => peer.becomeObserver(2)).toThrow(/is a voter: use becomeFollower/);
    peer.becomeFollower(2);
    expect(() => peer.becomeLeader()).toThrow(/cannot become leading while following/);
    const observer = new ZabPeer({ ...base, selfId: 4, observers: [4] });
    drain(observer);
    expect(() => observer.becomeLeader()).toThrow(/observer and cannot lead/);
    expect(() => observer.becomeFollower(1)).toThrow(/use becomeObserver/);
  });

  it('refuses client operations in the wrong role', () => {
    const peer = new ZabPeer(base);
    expect(() => peer.propose(data('x'))).toThrow(NotLeaderError);
    expect(() => peer.peekNextZxid()).toThrow(NotLeaderError);
    expect(() => peer.forward(data('x'))).toThrow(NotSyncedError);
    expect(() => peer.requestSync(1)).toThrow(NotSyncedError);
    drain(peer);
    peer.becomeFollower(2);
    expect(() => peer.forward(data('x'))).toThrow(/not synced with a leader \(role following, phase discovery\)/);
    expect(() => peer.requestSync(-1)).toThrow(RangeError);
    const leader = new ZabPeer(base);
    drain(leader);
    leader.becomeLeader();
    expect(() => leader.propose(data('x'))).toThrow(/not an established leader/);
  });
});

describe('ZabPeer as a single voter', () => {
  it('counts its own ack only after advance(): commit comes in the next Ready', () => {
    const peer = new ZabPeer({ ...base, voters: [1] });
    drain(peer);
    peer.becomeLeader();
    drain(peer);
    expect(peer.status()).toMatchObject({ role: 'leading', phase: 'broadcast', epoch: 1, currentEpoch: 1 });
    expect(peer.peekNextZxid()).toBe(makeZxid(1, 1));
    const zxid = peer.propose(data('a'));
    expect(zxid).toBe(makeZxid(1, 1));
    expect(peer.peekNextZxid()).toBe(makeZxid(1, 2));
    const r1 = peer.ready();
    expect(r1.entries.map((e) => e.zxid)).toEqual([zxid]);
    expect(r1.committed).toEqual([]);
    expect(peer.hasReady()).toBe(false);
    peer.advance(r1);
    const r2 = peer.ready();
    expect(r2.committed.map((e) => e.zxid)).toEqual([zxid]);
    peer.advance(r2);
    expect(peer.status().lastCommittedZxid).toBe(zxid);
  });

  it('answers its own sync once its outstanding proposals commit', () => {
    const peer = new ZabPeer({ ...base, voters: [1] });
    drain(peer);
    peer.becomeLeader();
    drain(peer);
    peer.requestSync(7);
    expect(drain(peer).flatMap((r) => r.syncsDone)).toEqual([7]);
    peer.propose(data('a'));
    peer.requestSync(8);
    expect(peer.status().pendingSyncs).toBe(1);
    const readies = drain(peer);
    const done = readies.findIndex((r) => r.syncsDone.includes(8));
    const committed = readies.findIndex((r) => r.committed.length > 0);
    expect(done).toBeGreaterThanOrEqual(committed);
    expect(committed).toBeGreaterThanOrEqual(0);
  });

  it('forces a new epoch when the zxid counter runs out (ZooKeeper rolls over at 0xffffffff)', () => {
    const peer = new ZabPeer({ ...base, voters: [1], zxidCounterLast: 3 });
    drain(peer);
    peer.becomeLeader();
    drain(peer);
    for (let i = 1; i <= 3; i++) expect(peer.propose(data(`${i}`))).toBe(makeZxid(1, i));
    expect(() => peer.propose(data('4'))).toThrow(ZxidRolloverError);
    const readies = drain(peer);
    expect(readies.some((r) => r.needsElection && r.roleChanged?.reason?.includes('zxid counter exhausted'))).toBe(true);
    expect(peer.currentRole).toBe('looking');
    peer.becomeLeader();
    drain(peer);
    expect(peer.status().epoch).toBe(2);
    expect(peer.propose(data('5'))).toBe(makeZxid(2, 1));
  });

  it('refuses to create an epoch past EPOCH_MAX (zxids would lose precision)', () => {
    const peer = new ZabPeer({ ...base, voters: [1] }, { acceptedEpoch: EPOCH_MAX, currentEpoch: EPOCH_MAX, lastZxid: 0, logTail: [] });
    drain(peer);
    peer.becomeLeader();
    const readies = drain(peer);
    expect(readies.at(-1)?.roleChanged?.reason).toMatch(/epoch 2097152 would exceed EPOCH_MAX \(2097151\)/);
    expect(readies.some((r) => r.hardState !== undefined)).toBe(false);
    expect(peer.currentRole).toBe('looking');
  });

  it('limits outstanding proposals', () => {
    const leader = establishedLeader({ outstandingProposalsMax: 2 });
    leader.propose(data('a'));
    leader.propose(data('b'));
    expect(() => leader.propose(data('c'))).toThrow(TooManyOutstandingError);
    expect(leader.status().outstandingProposals).toBe(2);
  });
});

describe('ZabPeer leader discovery and sync (driven by hand)', () => {
  it('proposes max(accepted epochs of a quorum) + 1 and persists it before LEADERINFO goes out', () => {
    const leader = new ZabPeer(base, { acceptedEpoch: 4, currentEpoch: 4, lastZxid: 0, logTail: [] });
    drain(leader);
    leader.becomeLeader();
    expect(drain(leader).flatMap((r) => r.messages)).toEqual([]);
    leader.step(3, { type: 'followerInfo', attempt: 1, acceptedEpoch: 7, lastZxid: 0 });
    const readies = drain(leader);
    const r = readies.find((x) => x.messages.length > 0)!;
    expect(r.hardState).toEqual({ acceptedEpoch: 8, currentEpoch: 4 });
    expect(sentTo(readies, 3, 'leaderInfo')).toEqual([{ type: 'leaderInfo', attempt: 1, epoch: 8 }]);
  });

  it('a learner repeats its FOLLOWERINFO each tick until LEADERINFO (the leader may have been looking when it first came)', () => {
    const follower = new ZabPeer({ ...base, selfId: 2, initLimitTicks: 5 });
    drain(follower);
    follower.becomeFollower(1);
    expect(sentTo(drain(follower), 1, 'followerInfo')).toHaveLength(1);
    follower.tick();
    const again = sentTo(drain(follower), 1, 'followerInfo');
    expect(again).toHaveLength(1);
    // A leader that only now started leading accepts the repeat (same attempt; a duplicate is ignored).
    const leader = new ZabPeer(base);
    drain(leader);
    leader.becomeLeader();
    drain(leader);
    leader.step(2, again[0]!);
    leader.step(2, again[0]!);
    const infos = sentTo(drain(leader), 2, 'leaderInfo');
    expect(infos).toHaveLength(1);
    follower.step(1, infos[0]!);
    drain(follower);
    follower.tick();
    expect(sentTo(drain(follower), 1, 'followerInfo')).toHaveLength(0);
  });

  it('steps down when a learner is ahead of it', () => {
    const leader = new ZabPeer(base, { acceptedEpoch: 2, currentEpoch: 2, lastZxid: makeZxid(2, 3), logTail: [] });
    drain(leader);
    leader.becomeLeader();
    leader.step(2, { type: 'followerInfo', attempt: 1, acceptedEpoch: 2, lastZxid: makeZxid(2, 9) });
    leader.step(2, { type: 'ackEpoch', currentEpoch: 2, lastZxid: makeZxid(2, 9), epochAlreadyAccepted: false, truncFloorZxid: 0 });
    const readies = drain(leader);
    expect(readies.find((r) => r.roleChanged?.role === 'looking')?.roleChanged?.reason).toMatch(/learner 2 is ahead of this leader/);
    expect(leader.currentRole).toBe('looking');
  });

  it('does not count an ACKEPOCH for an epoch the learner had already accepted', () => {
    const leader = new ZabPeer(base);
    drain(leader);
    leader.becomeLeader();
    leader.step(2, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
    leader.step(2, { type: 'ackEpoch', currentEpoch: 0, lastZxid: 0, epochAlreadyAccepted: true, truncFloorZxid: 0 });
    drain(leader);
    expect(leader.phase).toBe('discovery');
    leader.step(3, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
    leader.step(3, { type: 'ackEpoch', currentEpoch: 0, lastZxid: 0, epochAlreadyAccepted: false, truncFloorZxid: 0 });
    drain(leader);
    expect(leader.phase).toBe('synchronization');
  });

  it('keeps a SNAP and a later commit in separate Readies, so the state sent is the state at the SNAP zxid', () => {
    const leader = establishedLeader({ committedLogMax: 2 });
    for (let i = 0; i < 4; i++) leader.propose(data(`w${i}`));
    drain(leader);
    leader.step(2, { type: 'ack', zxid: makeZxid(1, 4) });
    drain(leader);
    expect(leader.lastCommittedZxid).toBe(makeZxid(1, 4));
    const outstanding = leader.propose(data('w4'));
    drain(leader);
    // Learner 3 is far behind the 2-entry window: SNAP at the last committed zxid, then the outstanding proposal.
    leader.step(3, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
    leader.step(3, { type: 'ackEpoch', currentEpoch: 0, lastZxid: 0, epochAlreadyAccepted: false, truncFloorZxid: 0 });
    leader.step(2, { type: 'ack', zxid: outstanding }); // commits w4 before the runtime takes the Ready
    const first = leader.ready();
    const snap = first.messages.find((m) => m.msg.type === 'snap');
    expect(snap?.msg).toEqual({ type: 'snap', zxid: makeZxid(1, 4) });
    expect(first.messages.map((m) => m.msg.type)).toEqual(['leaderInfo', 'snap', 'commit', 'proposal', 'newLeader']);
    expect(first.committed).toEqual([]);
    leader.advance(first);
    const second = leader.ready();
    expect(second.committed.map((e) => e.zxid)).toEqual([outstanding]);
    expect(second.messages.map((m) => [m.to, m.msg.type])).toEqual([[2, 'commit'], [3, 'commit']]);
    leader.advance(second);
    expect(leader.status().learners.find((l) => l.id === 3)).toMatchObject({ syncMode: 'snap', state: 'awaitNewLeaderAck' });
  });

  it('lets an established leader send PROPOSAL before its flush, but never counts itself before advance()', () => {
    const leader = establishedLeader();
    leader.step(3, { type: 'followerInfo', attempt: 1, acceptedEpoch: 1, lastZxid: 0 });
    leader.step(3, { type: 'ackEpoch', currentEpoch: 1, lastZxid: 0, epochAlreadyAccepted: true, truncFloorZxid: 0 });
    leader.step(3, { type: 'ack', zxid: makeZxid(1, 0) });
    drain(leader);
    const zxid = leader.propose(data('w'));
    const r = leader.ready();
    expect(r.entries.map((e) => e.zxid)).toEqual([zxid]);
    expect(r.messagesBeforePersist).toBe(2);
    expect(r.messages.slice(0, 2).map((m) => [m.to, m.msg.type])).toEqual([[2, 'proposal'], [3, 'proposal']]);
    // The same message object for every follower: a runtime can encode it once.
    expect(r.messages[0]!.msg).toBe(r.messages[1]!.msg);
    // Both followers ack while the leader's own flush is still running: 2 and 3 are a quorum of 3
    // without the leader, so the commit (in the next Ready) is durable on them.
    leader.step(2, { type: 'ack', zxid });
    leader.step(3, { type: 'ack', zxid });
    expect(leader.hasReady()).toBe(false);
    leader.advance(r);
    expect(drain(leader).flatMap((x) => x.committed).map((e) => e.zxid)).toEqual([zxid]);
  });

  it('counts the leader toward a quorum only after advance() of the Ready that logged the entry', () => {
    const leader = establishedLeader();
    const zxid = leader.propose(data('w'));
    const r = leader.ready();
    expect(r.messages[0]).toMatchObject({ to: 2, msg: { type: 'proposal', zxid } });
    expect(r.messagesBeforePersist).toBe(1);
    leader.step(2, { type: 'ack', zxid }); // {2} alone is no quorum of 3; the leader is not durable yet
    leader.advance(r);
    const after = leader.ready();
    // The ack from 2 arrived during the flush: nothing was committed before the leader's own ack.
    expect(after.committed.map((e) => e.zxid)).toEqual([zxid]);
    expect(after.messages.map((m) => [m.to, m.msg.type])).toEqual([[2, 'commit']]);
    expect(after.messagesBeforePersist).toBe(1);
    leader.advance(after);
    // Had the leader stopped before its flush, 2's ack alone commits nothing.
    const fresh = establishedLeader();
    const z2 = fresh.propose(data('x'));
    const r2 = fresh.ready();
    fresh.step(2, { type: 'ack', zxid: z2 });
    expect(fresh.lastCommittedZxid).toBeLessThan(z2);
    fresh.advance(r2);
    expect(fresh.lastCommittedZxid).toBe(z2);
  });

  it('keeps every message of a Ready with new epochs or a sync behind the flush, and each recipient in order', () => {
    const leader = new ZabPeer(base);
    drain(leader);
    leader.becomeLeader();
    leader.step(2, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
    const epochReady = leader.ready();
    expect(epochReady.hardState).toBeDefined();
    expect(epochReady.messagesBeforePersist).toBe(0);
    leader.advance(epochReady);
    leader.step(2, { type: 'ackEpoch', currentEpoch: 0, lastZxid: 0, epochAlreadyAccepted: false, truncFloorZxid: 0 });
    leader.step(2, { type: 'ack', zxid: makeZxid(1, 0) });
    drain(leader);
    // Learner 3 joins in broadcast: its sync waits for the flush, and so does the proposal after it.
    leader.step(3, { type: 'followerInfo', attempt: 1, acceptedEpoch: 1, lastZxid: 0 });
    leader.step(3, { type: 'ackEpoch', currentEpoch: 1, lastZxid: 0, epochAlreadyAccepted: true, truncFloorZxid: 0 });
    const zxid = leader.propose(data('w'));
    const r = leader.ready();
    expect(r.messagesBeforePersist).toBe(1);
    expect(r.messages[0]).toMatchObject({ to: 2, msg: { type: 'proposal', zxid } });
    expect(r.messages.filter((m) => m.to === 3).map((m) => m.msg.type)).toEqual(['leaderInfo', 'diff', 'commit', 'newLeader', 'proposal']);
    leader.advance(r);
  });

  it('answers a FOLLOWERINFO with NOTLEADER when it follows someone, and a learner told so looks again at once', () => {
    const follower = new ZabPeer({ ...base, selfId: 2 });
    drain(follower);
    follower.becomeFollower(3);
    drain(follower);
    follower.step(1, { type: 'followerInfo', attempt: 7, acceptedEpoch: 0, lastZxid: 0 });
    expect(sentTo(drain(follower), 1, 'notLeader')).toEqual([{ type: 'notLeader', attempt: 7 }]);
    expect(follower.currentRole).toBe('following');

    const learner = new ZabPeer(base);
    drain(learner);
    learner.becomeFollower(2);
    const [info] = sentTo(drain(learner), 2, 'followerInfo');
    learner.step(2, { type: 'notLeader', attempt: info!.attempt + 1 }); // an older attempt's answer: ignored
    learner.step(3, { type: 'notLeader', attempt: info!.attempt }); // not from the chosen leader: ignored
    expect(learner.currentRole).toBe('following');
    learner.step(2, { type: 'notLeader', attempt: info!.attempt });
    const readies = drain(learner);
    expect(learner.currentRole).toBe('looking');
    expect(readies.some((r) => r.needsElection && /server 2 is not leading/.test(r.roleChanged?.reason ?? ''))).toBe(true);
  });

  it('commits up to the highest zxid a quorum acked, in one step', () => {
    const leader = new ZabPeer({ ...base, voters: [1, 2, 3, 4, 5] });
    drain(leader);
    leader.becomeLeader();
    for (const id of [2, 3]) leader.step(id, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
    for (const id of [2, 3]) leader.step(id, { type: 'ackEpoch', currentEpoch: 0, lastZxid: 0, epochAlreadyAccepted: false, truncFloorZxid: 0 });
    for (const id of [2, 3]) leader.step(id, { type: 'ack', zxid: makeZxid(1, 0) });
    drain(leader);
    expect(leader.isServing).toBe(true);
    const zxids = [1, 2, 3, 4].map((i) => leader.propose(data(`w${i}`)));
    drain(leader); // the leader's own ack: up to w4
    leader.step(2, { type: 'ack', zxid: zxids[3]! });
    expect(leader.lastCommittedZxid).toBe(0); // {1, 2} of 5
    leader.step(3, { type: 'ack', zxid: zxids[1]! });
    expect(leader.lastCommittedZxid).toBe(zxids[1]); // {1, 2, 3} hold w1..w2
    const [r] = drain(leader);
    expect(r!.committed.map((e) => e.zxid)).toEqual(zxids.slice(0, 2));
    leader.step(3, { type: 'ack', zxid: zxids[3]! });
    expect(drain(leader).flatMap((x) => x.committed).map((e) => e.zxid)).toEqual(zxids.slice(2));
  });

  it('reports synced followers and drops a learner on peerDisconnected', () => {
    const leader = establishedLeader();
    expect(leader.status().syncedFollowers).toEqual([2]);
    leader.peerDisconnected(2);
    expect(leader.status().syncedFollowers).toEqual([]);
    leader.tick();
    expect(drain(leader).some((r) => r.roleChanged?.reason?.includes('lost the quorum'))).toBe(true);
  });

  it('ignores messages from unknown servers and from itself', () => {
    const leader = establishedLeader();
    leader.step(9, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
    leader.step(1, { type: 'followerInfo', attempt: 1, acceptedEpoch: 0, lastZxid: 0 });
    expect(drain(leader).flatMap((r) => r.messages)).toEqual([]);
    expect(new MajorityQuorum([1, 2, 3]).containsQuorum(new Set([1, 9, 10]))).toBe(false);
  });
});
