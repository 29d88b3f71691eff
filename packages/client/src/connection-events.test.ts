// Connection-level behaviour against zkts and Apache ZooKeeper: ZooKeeper-style None events
// (events$), failed connection attempts (attemptFailures$), what happens to requests made while
// there is no connection (requestsWhileDisconnected 'wait' | 'fail', queuedRequestTimeoutMs), and
// that the retry policy never retries a closed client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, take, timeout, toArray } from 'rxjs';
import { freePort } from '@zkts/tools';
import { ZooKeeperClient, type ConnectAttemptFailure, type ConnectionEvent } from './client.js';
import { ClientClosedError, ConnectionLossError, OperationTimeoutError, SessionExpiredError } from './errors.js';
import { isRetryable } from './retry.js';
import { TcpProxy } from './test-support/proxy.js';
import { TARGETS, type TestServer } from './test-support/targets.js';
import { next, uniqueName, waitForState } from './test-support/util.js';

function recordEvents(zk: ZooKeeperClient): ConnectionEvent[] {
  const seen: ConnectionEvent[] = [];
  zk.events$.subscribe((e) => seen.push(e));
  return seen;
}

describe.each(TARGETS)('connection events and disconnected requests against $name', (target) => {
  const run = it.skipIf(!target.available);
  let server: TestServer;

  beforeAll(async () => {
    if (target.available) server = await target.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  run('events$: SyncConnected, Disconnected, SyncConnected after a reconnect, Closed; then complete', async () => {
    const proxy = await TcpProxy.start(server);
    try {
      const zk = new ZooKeeperClient(proxy.connectString, { sessionTimeoutMs: 4000, reconnectDelayMs: 20 });
      const events = recordEvents(zk);
      const all = lastValueFrom(zk.events$.pipe(toArray()));
      await zk.waitConnected(10_000);
      proxy.dropConnections();
      await waitForState(zk, 'reconnected');
      await zk.close();
      const none = (state: ConnectionEvent['state']): ConnectionEvent => ({ type: 'none', state, path: null });
      expect(events).toEqual([none('SyncConnected'), none('Disconnected'), none('SyncConnected'), none('Closed')]);
      expect(await all).toEqual(events);
    } finally {
      await proxy.close();
    }
  });

  run('events$: Expired when the session expired while the client was away', async () => {
    const proxy = await TcpProxy.start(server);
    try {
      const zk = await ZooKeeperClient.connect(proxy.connectString, { sessionTimeoutMs: 1000, reconnectDelayMs: 20 });
      const observer = await ZooKeeperClient.connect(server.connectString);
      const marker = `/${uniqueName('expiry')}`;
      await zk.create(marker, null, { mode: 'ephemeral' });
      const { watch: gone } = await observer.exists(marker, { watch: true });
      const events = recordEvents(zk);
      proxy.blackhole();
      await waitForState(zk, 'disconnected');
      // the server expires the session (nothing reaches it: its ephemeral goes); then the client is let back in
      expect(await next(gone, 15_000)).toEqual({ type: 'nodeDeleted', path: marker });
      await observer.close();
      proxy.restore();
      await waitForState(zk, 'expired', 15_000);
      expect(events.map((e) => e.state)).toEqual(['Disconnected', 'Expired']);
      await expect(zk.getData('/')).rejects.toBeInstanceOf(SessionExpiredError);
      await zk.close();
    } finally {
      await proxy.close();
    }
  }, 30_000);

  run("attemptFailures$ names each failed attempt; 'fail' fails requests queued before the first connection, as Java", async () => {
    const dead = await freePort();
    const zk = new ZooKeeperClient(`127.0.0.1:${dead},${server.connectString}`, {
      sessionTimeoutMs: 4000,
      requestsWhileDisconnected: 'fail',
      retry: { maxRetries: 0, delayMs: () => 0 },
    });
    try {
      const failures: ConnectAttemptFailure[] = [];
      zk.attemptFailures$.subscribe((f) => failures.push(f));
      // made at once, before any connection: the attempt on the dead port fails first
      const early = zk.exists('/').catch((e: unknown) => e);
      const err = await early;
      expect(err).toBeInstanceOf(ConnectionLossError);
      expect(err).not.toBeInstanceOf(ClientClosedError);
      expect((err as Error).message).toMatch(new RegExp(`connection attempt to 127\\.0\\.0\\.1:${dead} failed: ECONNREFUSED`));
      expect(failures[0]).toEqual({ server: { host: '127.0.0.1', port: dead }, reason: 'ECONNREFUSED' });
      // the next server of the list takes the session; later requests go through
      await zk.waitConnected(10_000);
      expect(await zk.exists('/')).not.toBeNull();
    } finally {
      await zk.close();
    }
  });

  run("'wait' (default) keeps requests queued across failed attempts and sends them on the first connection", async () => {
    const dead = await freePort();
    const zk = new ZooKeeperClient(`127.0.0.1:${dead},${server.connectString}`, { sessionTimeoutMs: 4000 });
    try {
      const failed = firstValueFrom(zk.attemptFailures$.pipe(take(1), timeout(10_000)));
      const early = zk.exists('/');
      expect((await failed).reason).toBe('ECONNREFUSED');
      expect(await early).not.toBeNull();
    } finally {
      await zk.close();
    }
  });

  run("'wait': a request waits at most queuedRequestTimeoutMs for a connection, then fails with ConnectionLoss", async () => {
    // the only server is a proxy that never answers: every attempt times out
    const proxy = await TcpProxy.start(server);
    proxy.blackhole();
    const zk = new ZooKeeperClient(proxy.connectString, { sessionTimeoutMs: 2000, queuedRequestTimeoutMs: 300, retry: { maxRetries: 0, delayMs: () => 0 } });
    try {
      const failures: ConnectAttemptFailure[] = [];
      zk.attemptFailures$.subscribe((f) => failures.push(f));
      const started = Date.now();
      const err = await zk.getData('/').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionLossError);
      expect((err as Error).message).toMatch(/no connection within 300 ms \(queuedRequestTimeoutMs\)/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      // the attempt itself gives up after its connect timeout (session timeout / servers)
      const first = failures[0] ?? (await firstValueFrom(zk.attemptFailures$.pipe(timeout(10_000))));
      expect(first).toEqual({ server: { host: '127.0.0.1', port: proxy.port }, reason: 'connect timeout' });
      proxy.restore();
      await zk.waitConnected(10_000);
      expect((await zk.getData('/')).stat).toBeDefined();
    } finally {
      await zk.close();
      await proxy.close();
    }
  });

  run('a closed client: requests fail with ClientClosedError, which the retry policy never retries', async () => {
    const zk = await ZooKeeperClient.connect(server.connectString);
    await zk.close();
    const err = await zk.exists('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientClosedError);
    // a ConnectionLossError subclass, so code catching connection loss must exclude it
    expect(err).toBeInstanceOf(ConnectionLossError);
    expect(isRetryable(err)).toBe(false);
    expect(isRetryable(new ConnectionLossError())).toBe(true);
    expect(isRetryable(new OperationTimeoutError())).toBe(true);
  });
});

describe('request policy options are checked', () => {
  it('bad values are clear errors naming the option', () => {
    expect(() => new ZooKeeperClient('127.0.0.1:1', { queuedRequestTimeoutMs: 0 })).toThrow(/queuedRequestTimeoutMs must be > 0/);
    expect(() => new ZooKeeperClient('127.0.0.1:1', { requestsWhileDisconnected: 'drop' as never })).toThrow(/requestsWhileDisconnected must be 'wait' or 'fail'/);
    expect(() => new ZooKeeperClient('127.0.0.1:1', { maxQueuedRequests: 0 })).toThrow(/maxQueuedRequests must be >= 1/);
  });
});
