// Session expiry and reconnect, the same raw exchange against Apache ZooKeeper 3.8 and zkts
// (short ticks): the negotiated timeout, the watcher's NodeDeleted for the expired session's
// ephemeral, the closed connection, the expired answer to a reconnect, and the same session
// kept by a reconnect before expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, EventType, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { referenceZooKeeperAvailable, startReferenceZooKeeper, type ReferenceZooKeeper } from '@zkts/tools';
import { RawClient } from './test-support/raw-client.js';
import { startTestServer, type TestServer } from './test-support/server.js';

const TICK_MS = 100;
const SHORT_SESSION_MS = 2 * TICK_MS;
const LONG_SESSION_MS = 60_000;

let ref: ReferenceZooKeeper;
let zk: TestServer;
const clients: RawClient[] = [];

async function both<T>(probe: (host: string, port: number, name: string) => Promise<T>): Promise<{ ref: T; zkts: T }> {
  const [a, b] = await Promise.all([probe(ref.host, ref.port, 'ref'), probe(zk.host, zk.port, 'zkts')]);
  return { ref: a, zkts: b };
}

async function connect(host: string, port: number, opts: Parameters<typeof RawClient.connect>[2] = {}) {
  const c = await RawClient.connect(host, port, { waitMs: 5000, ...opts });
  clients.push(c);
  return c;
}

describe.skipIf(!referenceZooKeeperAvailable())('session expiry and reconnect, like Apache ZooKeeper 3.8', () => {
  beforeAll(async () => {
    [ref, zk] = await Promise.all([
      startReferenceZooKeeper({ tickTime: TICK_MS, maxSessionTimeout: LONG_SESSION_MS }),
      startTestServer({ tickTimeMs: TICK_MS, minSessionTimeoutMs: 2 * TICK_MS, maxSessionTimeoutMs: LONG_SESSION_MS }),
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([ref?.stop(), zk?.stop()]);
  });

  it('expires a silent session: its ephemeral goes, watchers hear it, a reconnect gets the expired answer', async () => {
    const { ref: r, zkts: z } = await both(async (host, port) => {
      const owner = await connect(host, port, { timeoutMs: SHORT_SESSION_MS });
      const negotiated = owner.session.timeOut;
      const created = await owner.request(OpCode.create, { path: '/expiring', data: Buffer.from('e'), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.ephemeral });
      const watcher = await connect(host, port, { timeoutMs: LONG_SESSION_MS });
      const exists = await watcher.request(OpCode.exists, { path: '/expiring', watch: true });
      // The owner now sends nothing: no pings, so the server must expire it.
      const event = await watcher.event((e) => e.path === '/expiring');
      await owner.waitClosed();
      const again = await connect(host, port, { timeoutMs: SHORT_SESSION_MS, sessionId: owner.session.sessionId, passwd: owner.session.passwd });
      await again.waitClosed();
      const after = await watcher.request(OpCode.exists, { path: '/expiring', watch: false });
      return {
        negotiated,
        createErr: created.header.err,
        existsErr: exists.header.err,
        event: { type: event.type, state: event.state, path: event.path },
        reconnect: { timeOut: again.session.timeOut, sessionId: again.session.sessionId },
        afterErr: after.header.err,
      };
    });
    expect(r).toEqual({
      negotiated: SHORT_SESSION_MS,
      createErr: 0,
      existsErr: 0,
      event: { type: EventType.nodeDeleted, state: 3, path: '/expiring' },
      reconnect: { timeOut: 0, sessionId: 0n },
      afterErr: -101,
    });
    expect(z).toEqual(r);
  }, 30_000);

  it('a reconnect with the session id and password before expiry keeps the session and its ephemeral', async () => {
    const { ref: r, zkts: z } = await both(async (host, port) => {
      const first = await connect(host, port, { timeoutMs: 4000 });
      await first.request(OpCode.create, { path: '/kept', data: Buffer.from('k'), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.ephemeral });
      const second = await connect(host, port, { timeoutMs: 4000, sessionId: first.session.sessionId, passwd: first.session.passwd });
      await first.waitClosed();
      const stat = await second.request(OpCode.exists, { path: '/kept', watch: false });
      const ephemerals = await second.request(OpCode.getEphemerals, { prefixPath: '/' });
      second.close();
      return {
        sameSession: second.session.sessionId === first.session.sessionId,
        timeOut: second.session.timeOut,
        existsErr: stat.header.err,
        owned: (stat.body as { stat: { ephemeralOwner: bigint } }).stat.ephemeralOwner === first.session.sessionId,
        ephemerals: (ephemerals.body as { ephemerals: string[] }).ephemerals,
      };
    });
    expect(r).toEqual({ sameSession: true, timeOut: 4000, existsErr: 0, owned: true, ephemerals: ['/kept'] });
    expect(z).toEqual(r);
  }, 30_000);
});
