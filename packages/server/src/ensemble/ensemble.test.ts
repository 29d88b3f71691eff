// In-process 3-server ensembles over loopback TCP: writes through any member, follower
// forwarding, sync, leader failover with sessions and ephemerals kept, minority refusal, 4lw.
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, ErrorCode, JuteWriter, OpCode, encodeRequest } from '@zkts/protocol';
import { startTestEnsemble, type TestEnsemble } from '../test-support/ensemble.js';
import { until } from '../test-support/raw-client.js';

const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const create = (path: string, data = 'x', flags = 0) => ({ path, data: Buffer.from(data), acl: OPEN_ACL, flags });

let ensemble: TestEnsemble | null = null;
afterEach(async () => {
  await ensemble?.stop();
  ensemble = null;
});

describe.each(['fast', 'basic'] as const)('ensemble of 3 (%s election)', (election) => {
  it('elects one leader; writes through a follower are forwarded, visible on every member after sync', async () => {
    ensemble = await startTestEnsemble({ servers: 3, election });
    const leader = await ensemble.waitForQuorum();
    const follower = ensemble.members.find((m) => m !== leader)!;
    expect(await leader.word('srvr')).toMatch(/Mode: leader/);
    expect(await follower.word('srvr')).toMatch(/Mode: follower/);
    const mntr = await leader.word('mntr');
    expect(mntr).toMatch(/zk_server_state\tleader/);
    expect(mntr).toMatch(/zk_synced_followers\t2/);

    const c = await follower.connect();
    const r = await c.request(OpCode.create, create('/a', 'one'));
    expect(r.header.err).toBe(0);
    expect(r.body).toEqual({ path: '/a' });
    // A read after a write of the same session sees it.
    const get = await c.request(OpCode.getData, { path: '/a', watch: false });
    expect(Buffer.from((get.body as { data: Uint8Array }).data).toString()).toBe('one');
    // An error txn is answered too.
    expect((await c.request(OpCode.create, create('/a'))).header.err).toBe(ErrorCode.nodeExists);

    for (const m of ensemble.members) {
      const mc = await m.connect();
      expect((await mc.request(OpCode.sync, { path: '/' })).header.err).toBe(0);
      const d = await mc.request(OpCode.getData, { path: '/a', watch: false });
      expect(d.header.err).toBe(0);
      expect(Buffer.from((d.body as { data: Uint8Array }).data).toString()).toBe('one');
    }
  });

  it('the leader dies: a new one is elected, the client keeps its session and ephemeral on another member', async () => {
    ensemble = await startTestEnsemble({ servers: 3, election });
    const leader = await ensemble.waitForQuorum();
    const [f1, f2] = ensemble.members.filter((m) => m !== leader);
    const c = await f1!.connect({ timeoutMs: 6000 });
    expect((await c.request(OpCode.create, create('/eph', 'e', CreateMode.ephemeral))).header.err).toBe(0);
    const { sessionId, passwd } = c.session;
    const lastZxid = Number(((await c.request(OpCode.exists, { path: '/eph', watch: false })).header.zxid));

    // Writes in flight when the leader dies are dropped with the role: nothing stays counted.
    const inflight = await f1!.connect();
    for (let i = 0; i < 20; i++) inflight.send(OpCode.create, create(`/inflight-${i}`));
    await leader.stop();
    const next = await ensemble.waitForQuorum();
    expect(next).not.toBe(leader);
    await until(() => f1!.server!.outstandingRequests === 0 && f2!.server!.outstandingRequests === 0, 5000, 'no outstanding requests');
    // Reconnect the same session to the other survivor.
    const c2 = await f2!.connect({ sessionId, passwd, timeoutMs: 6000, lastZxidSeen: lastZxid });
    expect(c2.session.sessionId).toBe(sessionId);
    expect((await c2.request(OpCode.exists, { path: '/eph', watch: false })).header.err).toBe(0);
    expect((await c2.request(OpCode.create, create('/after'))).header.err).toBe(0);
    // The old leader comes back and catches up.
    await leader.start();
    await ensemble.waitForQuorum();
    const c3 = await leader.connect();
    await c3.request(OpCode.sync, { path: '/' });
    expect((await c3.request(OpCode.exists, { path: '/after', watch: false })).header.err).toBe(0);
    expect((await c3.request(OpCode.exists, { path: '/eph', watch: false })).header.err).toBe(0);
  });
});

describe('ensemble sessions and quorum', () => {
  it('a closed session removes its ephemerals on every member; a minority member refuses clients', async () => {
    ensemble = await startTestEnsemble({ servers: 3 });
    const leader = await ensemble.waitForQuorum();
    const [f1, f2] = ensemble.members.filter((m) => m !== leader);
    const c = await f1!.connect();
    expect((await c.request(OpCode.create, create('/e', 'x', CreateMode.ephemeral))).header.err).toBe(0);
    expect((await c.request(OpCode.closeSession)).header.err).toBe(0);
    const l = await leader.connect();
    await until(() => leader.server!.tree.getNode('/e') === undefined, 5000, '/e gone on the leader');
    expect((await l.request(OpCode.exists, { path: '/e', watch: false })).header.err).toBe(ErrorCode.noNode);

    await leader.stop();
    await f2!.stop();
    await until(() => f1!.mode === 'looking', 10_000, 'the lone follower to look');
    expect(await f1!.word('srvr')).toMatch(/not currently serving/);
    expect(await f1!.word('isro')).toBe('null');
    await expect(f1!.connect({ waitMs: 2000 })).rejects.toThrow();
  });
});

describe('ensemble members serving clients', () => {
  it('an observer serves reads and forwards writes; 4lw show each role', async () => {
    ensemble = await startTestEnsemble({ servers: 3, observers: 1 });
    const leader = await ensemble.waitForQuorum();
    const observer = ensemble.member(4);
    expect(await observer.word('srvr')).toMatch(/Mode: observer/);
    expect(await observer.word('isro')).toBe('rw');
    const c = await observer.connect();
    expect((await c.request(OpCode.create, create('/via-observer', 'o'))).header.err).toBe(0);
    const l = await leader.connect();
    await l.request(OpCode.sync, { path: '/' });
    expect((await l.request(OpCode.exists, { path: '/via-observer', watch: false })).header.err).toBe(0);
    await until(() => leader.runtime!.zab.status().syncedObservers.length === 1, 5000, 'the observer synced');
    const mntr = await leader.word('mntr');
    expect(mntr).toMatch(/zk_synced_observers\t1/);
    expect(mntr).toMatch(/zk_pending_syncs\t0/);
    expect(await leader.word('srvr')).toMatch(/Proposal sizes/);
    expect(await observer.word('mntr')).toMatch(/zk_server_state\tobserver/);
  });

  it('ACLs of forwarded writes are checked on the leader with the client\'s auth ids', async () => {
    ensemble = await startTestEnsemble({ servers: 3 });
    const leader = await ensemble.waitForQuorum();
    const follower = ensemble.members.find((m) => m !== leader)!;
    const owner = await follower.connect();
    owner.send(OpCode.auth, { type: 0, scheme: 'digest', auth: Buffer.from('alice:secret') }, -4);
    expect((await owner.reply(-4)).header.err).toBe(0);
    const creatorAll = [{ perms: 31, id: { scheme: 'auth', id: '' } }];
    expect((await owner.request(OpCode.create, { path: '/secure', data: Buffer.from('s'), acl: creatorAll, flags: 0 })).header.err).toBe(0);
    const stranger = await follower.connect();
    expect((await stranger.request(OpCode.setData, { path: '/secure', data: Buffer.from('no'), version: -1 })).header.err).toBe(ErrorCode.noAuth);
    expect((await owner.request(OpCode.setData, { path: '/secure', data: Buffer.from('yes'), version: -1 })).header.err).toBe(0);
  });

  it('the leader expires a session once its client is gone; touches from a follower keep a live one', async () => {
    ensemble = await startTestEnsemble({ servers: 3 });
    const leader = await ensemble.waitForQuorum();
    const follower = ensemble.members.find((m) => m !== leader)!;
    const live = await follower.connect({ timeoutMs: 1000 });
    const gone = await follower.connect({ timeoutMs: 1000 });
    expect((await live.request(OpCode.create, create('/live', 'l', CreateMode.ephemeral))).header.err).toBe(0);
    expect((await gone.request(OpCode.create, create('/gone', 'g', CreateMode.ephemeral))).header.err).toBe(0);
    gone.close();
    // Only the follower sees the live client's pings; the leader must hear of them.
    const until3s = Date.now() + 3000;
    while (Date.now() < until3s) {
      await live.ping();
      await new Promise((r) => setTimeout(r, 250));
    }
    const l = await leader.connect();
    expect((await l.request(OpCode.exists, { path: '/live', watch: false })).header.err).toBe(0);
    expect((await l.request(OpCode.exists, { path: '/gone', watch: false })).header.err).toBe(ErrorCode.noNode);
    await follower.connect().then((f) => f.request(OpCode.sync, { path: '/' }));
    expect(follower.server!.tree.getNode('/gone')).toBeUndefined();
  });

  it('a client fails over to another member with its watches (setWatches)', async () => {
    ensemble = await startTestEnsemble({ servers: 3 });
    const leader = await ensemble.waitForQuorum();
    const [f1, f2] = ensemble.members.filter((m) => m !== leader);
    const writer = await leader.connect();
    await writer.request(OpCode.create, create('/w', 'v0'));
    const a = await f1!.connect({ timeoutMs: 6000 });
    await a.request(OpCode.sync, { path: '/' });
    const got = await a.request(OpCode.getData, { path: '/w', watch: true });
    const zxid = Number(got.header.zxid);
    await f1!.stop();
    const a2 = await f2!.connect({ sessionId: a.session.sessionId, passwd: a.session.passwd, timeoutMs: 6000, lastZxidSeen: zxid });
    expect((await a2.request(OpCode.setWatches, { relativeZxid: zxid, dataWatches: ['/w'], existWatches: [], childWatches: [] })).header.err).toBe(0);
    await writer.request(OpCode.setData, { path: '/w', data: Buffer.from('v1'), version: -1 });
    expect(await a2.event((e) => e.path === '/w')).toMatchObject({ path: '/w' });
  });

  it('with readonlymode.enabled a member without quorum serves read-only clients', async () => {
    ensemble = await startTestEnsemble({ servers: 3, extra: { 'readonlymode.enabled': true } });
    const leader = await ensemble.waitForQuorum();
    await (await leader.connect()).request(OpCode.create, create('/ro', 'r'));
    const [f1, f2] = ensemble.members.filter((m) => m !== leader);
    const c = await f1!.connect();
    await c.request(OpCode.sync, { path: '/' });
    await leader.stop();
    await f2!.stop();
    await until(() => f1!.mode === 'read-only', 15_000, 'read-only mode');
    expect(await f1!.word('isro')).toBe('ro');
    expect(await f1!.word('srvr')).toMatch(/Mode: read-only/);
    const ro = await f1!.connect({ readOnly: true });
    expect(ro.session.readOnly).toBe(true);
    const d = await ro.request(OpCode.getData, { path: '/ro', watch: false });
    expect(Buffer.from((d.body as { data: Uint8Array }).data).toString()).toBe('r');
    expect((await ro.request(OpCode.create, create('/no'))).header.err).toBe(ErrorCode.notReadOnly);
    await expect(f1!.connect({ readOnly: false, waitMs: 2000 })).rejects.toThrow();
  });
});

describe('leader checks on forwarded requests', () => {
  it('a write forwarded for a session the leader does not know becomes a SessionExpired error txn', async () => {
    ensemble = await startTestEnsemble({ servers: 3 });
    const leader = await ensemble.waitForQuorum();
    const w = new JuteWriter(64);
    encodeRequest(w, { xid: 7, type: OpCode.create }, create('/orphan', 'x', CreateMode.ephemeral));
    const before = leader.server!.tree.lastProcessedZxid;
    leader.server!.handleForwarded(2, { sessionId: 0x0200_0000_0000_00abn, payload: w.toBuffer().subarray(4), authIds: [] }); // without the frame length
    await until(() => leader.server!.tree.lastProcessedZxid > before, 5000, 'the error txn committed').catch((e: Error) => { throw new Error(e.message + leader.logger.lines.slice(-8).join('\n')); });
    expect(leader.server!.tree.getNode('/orphan')).toBeUndefined();
  });
});

describe('recovery of a member with a divergent log', () => {
  it('an old leader that logged a write no quorum acknowledged drops it when it rejoins (TRUNC / SNAP)', async () => {
    ensemble = await startTestEnsemble({ servers: 3 });
    const leader = await ensemble.waitForQuorum();
    const [f1, f2] = ensemble.members.filter((m) => m !== leader);
    const c = await leader.connect();
    expect((await c.request(OpCode.create, create('/before'))).header.err).toBe(0);
    // Followers go away, then the leader logs a proposal that can never commit.
    await Promise.all([f1!.stop(), f2!.stop()]);
    c.send(OpCode.create, create('/lost'));
    await until(() => leader.server === null || leader.mode !== 'leader' || leader.runtime!.zab.lastLoggedZxid > leader.server.tree.lastProcessedZxid, 5000, 'the proposal logged or the leader stepped down');
    const divergent = leader.runtime!.zab.lastLoggedZxid > leader.server!.tree.lastProcessedZxid;
    await leader.stop();
    await Promise.all([f1!.start(), f2!.start()]);
    await ensemble.waitForQuorum();
    const w = await f1!.connect();
    expect((await w.request(OpCode.create, create('/after'))).header.err).toBe(0);
    await leader.start();
    await ensemble.waitForQuorum();
    for (const m of ensemble.members) {
      const mc = await m.connect();
      await mc.request(OpCode.sync, { path: '/' });
      expect((await mc.request(OpCode.exists, { path: '/after', watch: false })).header.err).toBe(0);
      expect((await mc.request(OpCode.exists, { path: '/lost', watch: false })).header.err).toBe(ErrorCode.noNode);
    }
    const digests = ensemble.members.map((m) => m.server!.tree.digest());
    expect(new Set(digests).size).toBe(1);
    if (divergent) expect(leader.logger.lines.some((l) => /TRUNC|SNAP/.test(l))).toBe(true);
  });
});

describe('ensemble configuration', () => {
  it('zkts.storage=memory members form an ensemble; registerStandaloneServer refuses server.N lines', async () => {
    ensemble = await startTestEnsemble({ servers: 3, extra: { 'zkts.storage': 'memory' } });
    const leader = await ensemble.waitForQuorum();
    const follower = ensemble.members.find((m) => m !== leader)!;
    expect((await (await follower.connect()).request(OpCode.create, create('/mem'))).header.err).toBe(0);
    const { registerStandaloneServer, parseZooCfg } = await import('../index.js');
    const { container } = await import('tsyringe');
    const cfg = parseZooCfg('tickTime=100\ninitLimit=5\nsyncLimit=2\nclientPort=2181\nserver.1=127.0.0.1:1:2\nserver.2=127.0.0.1:3:4\nzkts.storage=memory\n', { myid: 1 });
    await expect(registerStandaloneServer(container.createChildContainer(), cfg)).rejects.toThrow(/server\.N/);
  });
});

describe('a far-behind member', () => {
  it('is brought up to date with a snapshot (more writes than the leader keeps for DIFF)', async () => {
    ensemble = await startTestEnsemble({ servers: 3 });
    const leader = await ensemble.waitForQuorum();
    const lagging = ensemble.members.find((m) => m !== leader)!;
    await lagging.stop();
    const c = await leader.connect();
    const xids: number[] = [];
    for (let i = 0; i < 700; i++) xids.push(c.send(OpCode.create, create(`/n${i}`, String(i))));
    for (const x of xids) expect((await c.reply(x)).header.err).toBe(0);
    await lagging.start();
    await ensemble.waitForQuorum();
    await (await lagging.connect()).request(OpCode.sync, { path: '/' });
    expect(lagging.logger.lines.some((l) => /SNAP .* installed/.test(l))).toBe(true);
    expect(lagging.server!.tree.digest()).toBe(leader.server!.tree.digest());
    // Its storage now starts from that snapshot: a restart recovers the same tree.
    await (await leader.connect()).request(OpCode.create, create('/after-snap'));
    await lagging.stop();
    await lagging.start();
    await ensemble.waitForQuorum();
    await (await lagging.connect()).request(OpCode.sync, { path: '/' });
    expect(lagging.server!.tree.getNode('/after-snap')).toBeDefined();
    expect(lagging.server!.tree.digest()).toBe(leader.server!.tree.digest());
  });
});
