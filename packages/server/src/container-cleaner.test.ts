// The container/TTL cleaner: on its timer (znode.container.checkIntervalMs), an emptied
// container and an expired TTL node are deleted through the pipeline, so watchers hear it.
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, EventType, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { until } from './test-support/raw-client.js';
import { startTestServer, type TestServer } from './test-support/server.js';

const CHECK_INTERVAL_MS = 50;
let zk: TestServer | undefined;
afterEach(async () => {
  await zk?.stop();
  zk = undefined;
});

const create = (path: string, flags: number) => ({ path, data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags });

describe('container and TTL cleaner', () => {
  it('deletes a container once its last child is gone, not before', async () => {
    zk = await startTestServer({ containerCheckIntervalMs: CHECK_INTERVAL_MS });
    const c = await zk.connect({ timeoutMs: 10_000 });
    expect((await c.request(OpCode.createContainer, create('/box', CreateMode.container))).header.err).toBe(0);
    expect((await c.request(OpCode.create, create('/box/item', CreateMode.persistent))).header.err).toBe(0);
    // Two cleaner runs pass while the container has a child: it stays.
    const runs = (): number => zk!.logger.lines.filter((l) => l.includes('container cleaner ran')).length;
    const before = runs();
    await until(() => runs() >= before + 2, 5000, 'two cleaner runs');
    expect((await c.request(OpCode.exists, { path: '/box', watch: true })).header.err).toBe(0);
    expect((await c.request(OpCode.delete, { path: '/box/item', version: -1 })).header.err).toBe(0);
    const gone = await c.event((e) => e.path === '/box' && e.type === EventType.nodeDeleted);
    expect(gone.type).toBe(EventType.nodeDeleted);
    expect((await c.request(OpCode.exists, { path: '/box', watch: false })).header.err).toBe(-101);
  });

  it('deletes a TTL node once it has not been modified for its TTL', async () => {
    zk = await startTestServer({ containerCheckIntervalMs: CHECK_INTERVAL_MS, extendedTypesEnabled: true });
    const c = await zk.connect({ timeoutMs: 10_000 });
    const r = await c.request(OpCode.createTTL, { ...create('/short', CreateMode.persistentWithTtl), ttl: 100 });
    expect(r.header.err).toBe(0);
    expect((await c.request(OpCode.exists, { path: '/short', watch: true })).header.err).toBe(0);
    const gone = await c.event((e) => e.path === '/short' && e.type === EventType.nodeDeleted);
    expect(gone.type).toBe(EventType.nodeDeleted);
  });
});
