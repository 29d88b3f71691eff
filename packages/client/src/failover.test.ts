// Failover in a 3-server ensemble: the server a client is on dies (SIGKILL), the client moves to
// another member with the same session, its ephemerals and watches; a server behind the client's
// zxid is passed over; the leader dies and writes resume after the election; chroot holds across.
// Runs on every ensemble target (Apache ZooKeeper now; zkts once it has ensembles).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from './client.js';
import { ConnectionLossError } from './errors.js';
import { ENSEMBLE_TARGETS, type EnsembleMember, type TestEnsemble } from './test-support/ensemble-targets.js';
import { CountingProxy } from './test-support/counting-proxy.js';
import type { TestServer } from './test-support/targets.js';
import { next, recordStates, text, uniqueName, waitForState } from './test-support/util.js';

const SESSION_TIMEOUT_MS = 8000;
/** Failover, an election included, must finish well inside the session timeout. */
const FAILOVER_WAIT_MS = SESSION_TIMEOUT_MS;
const ZXID_SAMPLE_MS = 5;

/** Samples `client.lastZxid` every few ms and at every state change; `decreases()` lists any step back. */
function watchZxid(client: ZooKeeperClient): { samples: number[]; decreases(): string[]; stop(): void } {
  const samples: number[] = [client.lastZxid];
  const take = (): void => {
    samples.push(client.lastZxid);
  };
  const timer = setInterval(take, ZXID_SAMPLE_MS);
  const sub = client.state$.subscribe(take);
  return {
    samples,
    decreases: () => samples.flatMap((z, i) => (i > 0 && z < samples[i - 1]! ? [`${samples[i - 1]} -> ${z} at sample ${i}`] : [])),
    stop() {
      clearInterval(timer);
      sub.unsubscribe();
      take();
    },
  };
}

const onServer = (c: ZooKeeperClient): string => `${c.connectedServer?.host}:${c.connectedServer?.port}`;

/** Retries `op` through connection loss (a request in flight when the connection died) until `ms` pass. */
async function throughConnectionLoss<T>(op: () => Promise<T>, ms = FAILOVER_WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof ConnectionLossError) || Date.now() > deadline) throw e;
    }
  }
}

describe.each(ENSEMBLE_TARGETS)('failover in a 3-server $name ensemble', (target) => {
  describe.skipIf(!target.available)(target.available ? 'members killed one at a time' : `skipped: ${target.skipReason}`, () => {
    let ensemble: TestEnsemble;
    let members: readonly EnsembleMember[];
    let leader: EnsembleMember;
    const clients: ZooKeeperClient[] = [];
    const servers: TestServer[] = [];

    const client = async (cs: string): Promise<ZooKeeperClient> => {
      const c = await ZooKeeperClient.connect(cs, { sessionTimeoutMs: SESSION_TIMEOUT_MS, reconnectDelayMs: 50 });
      clients.push(c);
      return c;
    };
    const followers = (): EnsembleMember[] => members.filter((m) => m !== leader);
    /** Connect string with `first` first and the rest after it (optionally after `extra`). */
    const startingAt = (first: EnsembleMember, extra: string[] = [], chroot = ''): string =>
      [first.connectString, ...extra, ...members.filter((m) => m !== first).map((m) => m.connectString)].join(',') + chroot;

    beforeAll(async () => {
      ensemble = await target.start();
      members = ensemble.members;
      leader = await ensemble.waitForQuorum();
    }, 120_000);

    afterEach(async () => {
      for (const c of clients.splice(0)) await c.close();
      for (const s of servers.splice(0)) await s.stop();
      // Every test starts from a whole ensemble.
      for (const m of members) if (!m.running) await m.restart();
      leader = await ensemble.waitForQuorum(60_000);
    }, 120_000);

    afterAll(async () => {
      await ensemble?.stop();
    }, 60_000);

    it('the server the client is on dies: same session on another server, ephemeral kept, watches re-set, zxid never back', async () => {
      const victim = followers()[0]!;
      const zk = await client(startingAt(victim));
      expect(onServer(zk)).toBe(victim.connectString);
      const base = `/${uniqueName('fo')}`;
      await zk.create(base, 'v0');
      await zk.create(`${base}-eph`, 'mine', { mode: 'ephemeral' });
      const { watch: dataWatch } = await zk.getData(base, { watch: true });
      const { stat: absent, watch: existWatch } = await zk.exists(`${base}-later`, { watch: true });
      expect(absent).toBeNull();
      const { watch: childWatch } = await zk.getChildren(base, { watch: true });
      const sessionId = zk.sessionId;
      const zxids = watchZxid(zk);
      const states = recordStates(zk);
      const events: string[] = [];
      zk.events$.subscribe((e) => events.push(e.state));

      await victim.kill();
      await waitForState(zk, 'reconnected', FAILOVER_WAIT_MS);
      expect(states.slice(0, 3)).toEqual(['connected', 'disconnected', 'reconnected']);
      expect(events).toEqual(['Disconnected', 'SyncConnected']);
      expect(zk.sessionId).toBe(sessionId);
      // Tried in order: the next member of the connect string took the session.
      expect(onServer(zk)).toBe(startingAt(victim).split(',')[1]);

      // Changes made through a third server reach the watches the client set before the kill.
      const third = members.find((m) => m !== victim && m.connectString !== onServer(zk))!;
      const helper = await client(third.connectString);
      await helper.setData(base, 'v1');
      await helper.create(`${base}-later`);
      await helper.create(`${base}/child`);
      expect(await next(dataWatch)).toEqual({ type: 'nodeDataChanged', path: base });
      expect(await next(existWatch)).toEqual({ type: 'nodeCreated', path: `${base}-later` });
      expect(await next(childWatch)).toEqual({ type: 'nodeChildrenChanged', path: base });

      const eph = await helper.exists(`${base}-eph`);
      expect(eph?.ephemeralOwner).toBe(sessionId);
      expect(text((await zk.getData(base)).data)).toBe('v1');
      zxids.stop();
      expect(zxids.decreases()).toEqual([]);
      expect(zk.lastZxid).toBeGreaterThanOrEqual(Math.max(...zxids.samples));
      expect(states).not.toContain('expired');
    }, 60_000);

    it('a server behind the client is refused; the client goes on to an up-to-date member with its session', async () => {
      const behindServer = await target.startBehindServer();
      servers.push(behindServer);
      // Through a forwarder, to see that the client did try it and got no answer.
      const behind = await CountingProxy.start(behindServer);
      servers.push({ ...behindServer, stop: () => behind.close() });
      const victim = followers()[0]!;
      const zk = await client(startingAt(victim, [behind.connectString]));
      const path = `/${uniqueName('behind')}`;
      await zk.create(path, 'x', { mode: 'ephemeral' });
      const seen = zk.lastZxid;
      expect(seen).toBeGreaterThan(0);
      const sessionId = zk.sessionId;
      const zxids = watchZxid(zk);
      const states = recordStates(zk);
      const failures: string[] = [];
      zk.attemptFailures$.subscribe((f) => failures.push(`${f.server.host}:${f.server.port} ${f.reason}`));

      await victim.kill();
      await waitForState(zk, 'reconnected', FAILOVER_WAIT_MS);
      // attemptFailures$ reports the refusal (the dead victim may be tried again first)
      expect(failures).toContain(`${behind.connectString} closed by the server before the handshake completed`);
      // The standalone has seen no transaction of the ensemble: it must not take the client
      // (that would go back in zxid and lose its session); the member after it does.
      expect(behind.connections.length).toBeGreaterThanOrEqual(1);
      expect(behind.connections.map((c) => c.bytesFromServer)).toEqual(behind.connections.map(() => 0));
      expect(onServer(zk)).not.toBe(behind.connectString);
      expect(onServer(zk)).not.toBe(victim.connectString);
      expect(zk.sessionId).toBe(sessionId);
      expect(states).toEqual(['connected', 'disconnected', 'reconnected']);
      expect((await zk.exists(path))?.ephemeralOwner).toBe(sessionId);
      zxids.stop();
      expect(zxids.decreases()).toEqual([]);
      expect(zk.lastZxid).toBeGreaterThanOrEqual(seen);
    }, 60_000);

    it('the leader dies: clients on it and on a follower keep their sessions and writes resume after the election', async () => {
      const old = leader;
      const onLeader = await client(startingAt(old));
      const onFollower = await client(startingAt(followers()[0]!));
      expect(onServer(onLeader)).toBe(old.connectString);
      const path = `/${uniqueName('lead')}`;
      await onLeader.create(path, 'before');
      const ids = [onLeader.sessionId, onFollower.sessionId];
      const zxids = [watchZxid(onLeader), watchZxid(onFollower)];

      await old.kill();
      // Requests made while disconnected wait for the next connection; one in flight at the kill
      // fails with connection loss and is sent again.
      const stat = await throughConnectionLoss(() => onLeader.setData(path, 'after'));
      expect(stat.version).toBe(1);
      await throughConnectionLoss(() => onFollower.create(`${path}-f`, 'f'));
      const newLeader = await ensemble.waitForQuorum(30_000);
      expect(newLeader).not.toBe(old);
      expect([onLeader.sessionId, onFollower.sessionId]).toEqual(ids);
      expect(onServer(onLeader)).not.toBe(old.connectString);
      expect(text((await onFollower.getData(path)).data)).toBe('after');
      expect((await onLeader.exists(`${path}-f`))?.version).toBe(0);
      for (const z of zxids) {
        z.stop();
        expect(z.decreases()).toEqual([]);
      }
      leader = newLeader;
    }, 60_000);

    it('chroot holds across failover: paths, watch events and ephemerals stay relative to it', async () => {
      const root = `/${uniqueName('chroot')}`;
      const admin = await client(leader.connectString);
      await admin.create(root);
      const victim = followers()[0]!;
      const zk = await client(startingAt(victim, [], root));
      expect(zk.chroot).toBe(root);
      expect(await zk.create('/node', 'a')).toBe('/node');
      expect(await zk.create('/eph', null, { mode: 'ephemeral' })).toBe('/eph');
      const { watch } = await zk.getData('/node', { watch: true });
      const sessionId = zk.sessionId;

      await victim.kill();
      await waitForState(zk, 'reconnected', FAILOVER_WAIT_MS);
      expect(zk.sessionId).toBe(sessionId);
      await admin.setData(`${root}/node`, 'b');
      expect(await next(watch)).toEqual({ type: 'nodeDataChanged', path: '/node' });
      expect(await zk.create('/seq-', null, { mode: 'persistentSequential' })).toMatch(/^\/seq-\d{10}$/);
      const children = (await zk.getChildren('/')).sort();
      expect(children).toHaveLength(3);
      expect(children.slice(0, 2)).toEqual(['eph', 'node']);
      expect(children[2]).toMatch(/^seq-\d{10}$/);
      expect(await zk.getEphemerals('/')).toEqual(['/eph']);
      expect((await admin.getChildren(root)).length).toBe(3);
      expect((await admin.exists(`${root}/eph`))?.ephemeralOwner).toBe(sessionId);
    }, 60_000);
  });
});
