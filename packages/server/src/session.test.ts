// Sessions over the raw wire: handshake shape, reconnect, wrong password, expiry, pings, closeSession.
import { afterEach, describe, expect, test } from 'vitest';
import { CreateMode, EventType, OPEN_ACL_UNSAFE, OpCode, ErrorCode } from '@zkts/protocol';
import { sessionIdHex } from '@zkts/session';
import { startTestServer, type TestServer } from './test-support/server.js';

const TICK = 100;
let zk: TestServer | undefined;
afterEach(async () => {
  await zk?.stop();
  zk = undefined;
});

function createBody(path: string, flags: number = CreateMode.persistent) {
  return { path, data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags };
}

describe('handshake', () => {
  test('a ConnectRequest with the readOnly byte gets a ConnectResponse ending in readOnly=false', async () => {
    zk = await startTestServer();
    const c = await zk.connect({ readOnly: false });
    expect(c.session.sessionId).not.toBe(0n);
    expect(c.session.readOnly).toBe(false);
    expect(c.connectResponseBytes!.length).toBe(4 + 4 + 8 + 4 + 16 + 1);
    expect((await c.ping()).header.err).toBe(0);
  });

  test('a readOnly client is served read-write and told readOnly=false', async () => {
    zk = await startTestServer();
    const c = await zk.connect({ readOnly: true });
    expect(c.session.readOnly).toBe(false);
    expect((await c.request(OpCode.create, createBody('/rw'))).header.err).toBe(0);
  });

  test('a ConnectRequest without the readOnly byte (old client) gets a response without it, as ZooKeeper 3.8', async () => {
    zk = await startTestServer();
    const c = await zk.connect({ omitReadOnly: true });
    expect(c.session.sessionId).not.toBe(0n);
    expect(c.session.readOnly).toBeUndefined();
    expect(c.connectResponseBytes!.length).toBe(4 + 4 + 8 + 4 + 16);
    expect((await c.ping()).header.err).toBe(0);
  });
});

describe('reconnect', () => {
  test('id + password on a new connection keeps the session and its ephemerals; the old connection is closed', async () => {
    zk = await startTestServer();
    const a = await zk.connect({ timeoutMs: 30_000 });
    expect((await a.request(OpCode.create, createBody('/eph', CreateMode.ephemeral))).header.err).toBe(0);
    const b = await zk.connect({ sessionId: a.session.sessionId, passwd: a.session.passwd, timeoutMs: 30_000 });
    expect(b.session.sessionId).toBe(a.session.sessionId);
    expect(b.session.timeOut).toBeGreaterThan(0);
    await a.waitClosed();
    const r = await b.request(OpCode.exists, { path: '/eph', watch: false });
    expect(r.header.err).toBe(0);
    expect((r.body as { stat: { ephemeralOwner: bigint } }).stat.ephemeralOwner).toBe(a.session.sessionId);
  });

  test('a wrong password gets the expired answer (timeOut 0, sessionId 0) and the connection closes', async () => {
    zk = await startTestServer();
    const a = await zk.connect();
    const wrong = Uint8Array.from(a.session.passwd, (b) => b ^ 0xff);
    const b = await zk.connect({ sessionId: a.session.sessionId, passwd: wrong });
    expect(b.session.timeOut).toBe(0);
    expect(b.session.sessionId).toBe(0n);
    await b.waitClosed();
    expect((await a.ping()).header.err).toBe(0); // the real owner is untouched
    await zk.logger.waitFor(new RegExp(`invalid session ${sessionIdHex(a.session.sessionId)}`));
  });

  test('an expired session id gets the expired answer and the connection closes', async () => {
    zk = await startTestServer({ tickTimeMs: TICK, minSessionTimeoutMs: 2 * TICK, maxSessionTimeoutMs: 20 * TICK });
    const a = await zk.connect({ timeoutMs: 2 * TICK });
    await a.waitClosed(20 * TICK); // expired by the server
    const b = await zk.connect({ sessionId: a.session.sessionId, passwd: a.session.passwd });
    expect(b.session.timeOut).toBe(0);
    expect(b.session.sessionId).toBe(0n);
    await b.waitClosed();
  });
});

describe('expiry', () => {
  const cfg = { tickTimeMs: TICK, minSessionTimeoutMs: 2 * TICK, maxSessionTimeoutMs: 20 * TICK };

  test('pings keep a session alive well past its timeout', async () => {
    zk = await startTestServer(cfg);
    const c = await zk.connect({ timeoutMs: 2 * TICK });
    expect(c.session.timeOut).toBe(2 * TICK);
    const until = Date.now() + 5 * c.session.timeOut;
    while (Date.now() < until) {
      expect((await c.ping()).header.err).toBe(0);
      await new Promise((r) => setTimeout(r, TICK / 2)); // the client's ping interval
    }
    expect(c.isClosed).toBe(false);
    expect((await c.request(OpCode.exists, { path: '/', watch: false })).header.err).toBe(0);
    expect(zk.logger.lines.some((l) => l.includes('expiring session'))).toBe(false);
  });

  test('an idle session expires: connection closed, ephemerals deleted, watchers get NodeDeleted, log says why', async () => {
    zk = await startTestServer(cfg);
    const idle = await zk.connect({ timeoutMs: 2 * TICK });
    const watcher = await zk.connect({ timeoutMs: 20 * TICK });
    expect((await idle.request(OpCode.create, createBody('/e1', CreateMode.ephemeral))).header.err).toBe(0);
    expect((await watcher.request(OpCode.exists, { path: '/e1', watch: true })).header.err).toBe(0);
    const pinger = setInterval(() => void watcher.ping().catch(() => undefined), TICK);
    try {
      const ev = await watcher.event(() => true, 30 * TICK);
      expect(ev).toMatchObject({ type: EventType.nodeDeleted, path: '/e1' });
      await idle.waitClosed(30 * TICK);
      await zk.logger.waitFor(new RegExp(`expiring session ${sessionIdHex(idle.session.sessionId)}, timeout of ${2 * TICK}ms exceeded`));
      expect((await watcher.request(OpCode.exists, { path: '/e1', watch: false })).header.err).toBe(ErrorCode.noNode);
      expect(watcher.isClosed).toBe(false);
    } finally {
      clearInterval(pinger);
    }
  });
});

describe('closeSession', () => {
  test('is answered, then the connection closes and the ephemerals are gone', async () => {
    zk = await startTestServer();
    const a = await zk.connect();
    const b = await zk.connect();
    expect((await a.request(OpCode.create, createBody('/gone', CreateMode.ephemeral))).header.err).toBe(0);
    const r = await a.request(OpCode.closeSession);
    expect(r.header.err).toBe(0);
    await a.waitClosed();
    expect((await b.request(OpCode.exists, { path: '/gone', watch: false })).header.err).toBe(ErrorCode.noNode);
    await zk.logger.waitFor(new RegExp(`closed session ${sessionIdHex(a.session.sessionId)}`));
  });
});
