// Sessions against zkts and Apache ZooKeeper: connection state changes when the server goes
// away and comes back without the session, expiry with short timeouts, failover past a dead
// server, pings, close, auth failure and retries of idempotent reads.
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { ZooKeeperClient } from './client.js';
import { AuthFailedError, ClientClosedError, ConnectionLossError, SessionExpiredError } from './errors.js';
import { NO_RETRY } from './retry.js';
import { TcpProxy } from './test-support/proxy.js';
import { TARGETS, type TestServer } from './test-support/targets.js';
import { next, recordStates, waitForState } from './test-support/util.js';
import { freePort } from '@zkts/tools';

/** Writes through `helper` until its server's zxid passes `zxid` (so that server accepts a client that saw it). */
async function advanceZxid(helper: ZooKeeperClient, zxid: number): Promise<void> {
  await helper.create('/advance');
  for (let i = 0; helper.lastZxid <= zxid; i++) await helper.setData('/advance', String(i));
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(TARGETS)('sessions against $name', (target) => {
  const run = it.skipIf(!target.available);

  run('failover: the first server of the connect string is down, the second serves', async () => {
    const server = await target.start();
    const dead = await freePort();
    const zk = await ZooKeeperClient.connect(`127.0.0.1:${dead},${server.connectString}`, { sessionTimeoutMs: 2000 });
    try {
      expect(zk.connectedServer).toEqual({ host: server.host, port: server.port });
      expect(await zk.create('/failover')).toBe('/failover');
    } finally {
      await zk.close();
      await server.stop();
    }
  });

  run('server restart without the session: disconnected, then expired once a server with a newer zxid answers', async () => {
    // zkts: a new in-memory server on the same port. The reference launcher picks its own port, so
    // its replacement is a second server already listed in the connect string.
    let first: TestServer | undefined = await target.start();
    let second: TestServer | undefined = target.samePortRestart ? undefined : await target.start();
    const cs = second ? `${first.connectString},${second.connectString}` : first.connectString;
    const zk = new ZooKeeperClient(cs, { sessionTimeoutMs: 2000, reconnectDelayMs: 50 });
    const states = recordStates(zk);
    try {
      await waitForState(zk, 'connected');
      await zk.create('/before', 'x');
      const watch = (await zk.getData('/before', { watch: true })).watch;
      const watchEnd = lastValueFrom(watch.pipe(toArray())).catch((e: unknown) => e);
      const seenZxid = zk.lastZxid;
      expect(seenZxid).toBeGreaterThan(0);
      await first.stop();
      await waitForState(zk, 'disconnected');
      if (!second) second = await target.start({ port: first.port });
      first = undefined;
      // The new server has not seen the client's zxid: it refuses the client (never going back
      // in zxid) until it has; then it tells the client its session is gone.
      const helper = await ZooKeeperClient.connect(second.connectString);
      await advanceZxid(helper, seenZxid);
      await waitForState(zk, 'expired');
      await helper.close();
      expect(states).toEqual(['connecting', 'connected', 'disconnected', 'expired']);
      await expect(zk.getData('/before')).rejects.toBeInstanceOf(SessionExpiredError);
      expect(await watchEnd).toBeInstanceOf(SessionExpiredError);
    } finally {
      await zk.close();
      await first?.stop();
      await second?.stop();
    }
  });

  run('session expiry with a short timeout: read timeout, disconnected, expired; ephemerals gone', async () => {
    const server = await target.start();
    const proxy = await TcpProxy.start({ host: server.host, port: server.port });
    const admin = await ZooKeeperClient.connect(server.connectString);
    const zk = await ZooKeeperClient.connect(proxy.connectString, { sessionTimeoutMs: 1000, reconnectDelayMs: 50 });
    const states = recordStates(zk);
    try {
      expect(zk.negotiatedTimeoutMs).toBe(1000);
      await zk.create('/eph', '', { mode: 'ephemeral' });
      const gone = (await admin.exists('/eph', { watch: true })).watch;
      proxy.blackhole();
      await waitForState(zk, 'disconnected', 3000);
      expect(await next(gone, 5000)).toEqual({ type: 'nodeDeleted', path: '/eph' });
      proxy.restore();
      await waitForState(zk, 'expired', 5000);
      expect(states).toEqual(['connected', 'disconnected', 'expired']);
      await expect(zk.exists('/eph')).rejects.toBeInstanceOf(SessionExpiredError);
    } finally {
      await zk.close();
      await admin.close();
      await proxy.close();
      await server.stop();
    }
  });

  run('pings at a third of the negotiated timeout keep an idle session alive', async () => {
    const server = await target.start();
    // 1200 ms (not less): the read timeout (two thirds) must outlast a pause of a loaded machine
    const zk = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 1200 });
    const states = recordStates(zk);
    try {
      await zk.create('/alive', '', { mode: 'ephemeral' });
      const t0 = Date.now();
      await until(() => zk.pingsSent >= 5);
      // 5 pings at 400 ms each: the session outlived its own timeout one and a half times over
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1800);
      expect(states).toEqual(['connected']);
      expect(await zk.exists('/alive')).not.toBeNull();
    } finally {
      await zk.close();
      await server.stop();
    }
  });

  run('close() sends closeSession: ephemerals go at once, later calls fail', async () => {
    const server = await target.start();
    const admin = await ZooKeeperClient.connect(server.connectString);
    const zk = await ZooKeeperClient.connect(server.connectString);
    try {
      await zk.create('/mine', '', { mode: 'ephemeral' });
      expect(await admin.exists('/mine')).not.toBeNull();
      await zk.close();
      expect(zk.state).toBe('closed');
      expect(await admin.exists('/mine')).toBeNull();
      await expect(zk.getData('/')).rejects.toBeInstanceOf(ClientClosedError);
    } finally {
      await admin.close();
      await server.stop();
    }
  });

  run('a session is resumed by id and password from another client', async () => {
    const server = await target.start();
    const proxy = await TcpProxy.start({ host: server.host, port: server.port });
    // a's connection goes through the proxy, which then stops passing bytes: a is cut off
    const a = await ZooKeeperClient.connect(proxy.connectString, { sessionTimeoutMs: 20_000 });
    proxy.blackhole();
    const b = await ZooKeeperClient.connect(server.connectString, { session: { id: a.sessionId, password: a.sessionPassword } });
    try {
      expect(b.sessionId).toBe(a.sessionId);
      expect(b.negotiatedTimeoutMs).toBe(a.negotiatedTimeoutMs);
      const { stat } = await b.create2('/shared', '', { mode: 'ephemeral' });
      expect(stat.ephemeralOwner).toBe(a.sessionId);
    } finally {
      await b.close();
      await a.close();
      await proxy.close();
      await server.stop();
    }
  });

  run('reopening a session on a new connection drops the old connection', async () => {
    const server = await target.start();
    const proxy = await TcpProxy.start({ host: server.host, port: server.port });
    const a = await ZooKeeperClient.connect(proxy.connectString, { sessionTimeoutMs: 20_000 });
    proxy.blackhole();
    const b = await ZooKeeperClient.connect(server.connectString, { session: { id: a.sessionId, password: a.sessionPassword } });
    try {
      // the read timeout is 13 s; a disconnect well before it is the server's doing
      await waitForState(a, 'disconnected', 3000);
    } finally {
      await b.close();
      await a.close();
      await proxy.close();
      await server.stop();
    }
  });

  run('addAuth with an unknown scheme: AuthFailedError and state authFailed', async () => {
    const server = await target.start();
    const zk = await ZooKeeperClient.connect(server.connectString);
    try {
      await expect(zk.addAuth('nosuchscheme', 'x')).rejects.toBeInstanceOf(AuthFailedError);
      expect(zk.state).toBe('authFailed');
      await expect(zk.exists('/')).rejects.toBeInstanceOf(AuthFailedError);
    } finally {
      await zk.close();
      await server.stop();
    }
  });

  run('idempotent reads are retried across a reconnect; without retries they fail with ConnectionLoss', async () => {
    const server = await target.start();
    const proxy = await TcpProxy.start({ host: server.host, port: server.port });
    const retrying = await ZooKeeperClient.connect(proxy.connectString, { sessionTimeoutMs: 1500, reconnectDelayMs: 50 });
    const plain = await ZooKeeperClient.connect(proxy.connectString, { sessionTimeoutMs: 1500, reconnectDelayMs: 50, retry: NO_RETRY });
    try {
      await retrying.create('/r', 'v');
      proxy.blackhole();
      // both requests go into the black hole; the connections time out and drop
      const a = retrying.getData('/r');
      const b = plain.getData('/r');
      await expect(b).rejects.toBeInstanceOf(ConnectionLossError);
      await waitForState(retrying, 'disconnected');
      // a request made while disconnected waits in the queue
      const c = retrying.exists('/r');
      proxy.restore();
      expect(new TextDecoder().decode((await a).data!)).toBe('v');
      expect(await c).not.toBeNull();
      await waitForState(plain, 'reconnected');
    } finally {
      await retrying.close();
      await plain.close();
      await proxy.close();
      await server.stop();
    }
  });
});
