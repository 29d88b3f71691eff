// In-process 3-server ensembles over loopback TCP: writes through any member, follower
// forwarding, sync, leader failover with sessions and ephemerals kept, minority refusal, 4lw.
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, ErrorCode, OpCode } from '@zkts/protocol';
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

    await leader.stop();
    const next = await ensemble.waitForQuorum();
    expect(next).not.toBe(leader);
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
    await expect(f1!.connect({ waitMs: 2000 })).rejects.toThrow();
  });
});
