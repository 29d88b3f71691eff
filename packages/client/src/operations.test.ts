// Every operation, with its errors, against zkts and Apache ZooKeeper. Each test works under its
// own chroot on a server shared by the file, so chroot translation is exercised everywhere.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, Perms } from '@zkts/protocol';
import { ZooKeeperClient } from './client.js';
import {
  BadArgumentsError,
  BadVersionError,
  MultiError,
  NoAuthError,
  NoChildrenForEphemeralsError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  InvalidAclError,
  QueueFullError,
  ReconfigDisabledError,
  ZooKeeperError,
} from './errors.js';
import { TARGETS, type TestServer } from './test-support/targets.js';
import { text, uniqueName } from './test-support/util.js';

describe.each(TARGETS)('operations against $name', (target) => {
  let server: TestServer;
  let admin: ZooKeeperClient;
  const clients: ZooKeeperClient[] = [];

  beforeAll(async () => {
    if (!target.available) return;
    server = await target.start();
    admin = await ZooKeeperClient.connect(server.connectString);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  /** A client chrooted to a fresh node. */
  async function fresh(opts: ConstructorParameters<typeof ZooKeeperClient>[1] = {}): Promise<{ zk: ZooKeeperClient; root: string }> {
    const root = `/${uniqueName()}`;
    await admin.create(root);
    const zk = await ZooKeeperClient.connect(server.connectString + root, opts);
    clients.push(zk);
    return { zk, root };
  }

  it.skipIf(!target.available)('create, getData, setData, exists, delete with versions and their errors', async () => {
    const { zk, root } = await fresh();
    expect(await zk.create('/a', 'v1')).toBe('/a');
    await expect(zk.create('/a', 'again')).rejects.toBeInstanceOf(NodeExistsError);
    await expect(zk.create('/missing/child')).rejects.toBeInstanceOf(NoNodeError);
    const { data, stat } = await zk.getData('/a');
    expect(text(data)).toBe('v1');
    expect(stat.version).toBe(0);
    expect(stat.dataLength).toBe(2);
    const stat2 = await zk.setData('/a', new Uint8Array([1, 2, 3]), 0);
    expect(stat2.version).toBe(1);
    await expect(zk.setData('/a', 'x', 0)).rejects.toBeInstanceOf(BadVersionError);
    await expect(zk.setData('/nope', 'x')).rejects.toBeInstanceOf(NoNodeError);
    expect((await zk.exists('/a'))?.version).toBe(1);
    expect(await zk.exists('/nope')).toBeNull();
    await zk.create('/a/b');
    await expect(zk.delete('/a')).rejects.toBeInstanceOf(NotEmptyError);
    await expect(zk.delete('/a/b', 5)).rejects.toBeInstanceOf(BadVersionError);
    await zk.delete('/a/b', 0);
    await zk.delete('/a');
    await expect(zk.delete('/a')).rejects.toBeInstanceOf(NoNodeError);
    await expect(zk.getData('/a')).rejects.toMatchObject({ code: -101, codeName: 'NONODE', name: 'NoNodeError', path: '/a' });
    // the chroot: the admin client sees the same node under the root
    await zk.create('/c', null);
    expect((await admin.getData(`${root}/c`)).data).toBeNull();
  });

  it.skipIf(!target.available)('create2 returns a Stat; sequential, ephemeral, container and TTL modes', async () => {
    const { zk } = await fresh();
    const { path, stat } = await zk.create2('/n', 'x');
    expect(path).toBe('/n');
    expect(stat.czxid).toBeGreaterThan(0);
    expect(stat.dataLength).toBe(1);
    const s1 = await zk.create('/n/s-', '', { mode: 'persistentSequential' });
    const s2 = await zk.create('/n/s-', '', { mode: CreateMode.persistentSequential });
    expect(s1).toBe('/n/s-0000000000');
    expect(s2).toBe('/n/s-0000000001');
    const e = await zk.create2('/e', '', { mode: 'ephemeral' });
    expect(e.stat.ephemeralOwner).toBe(zk.sessionId);
    await expect(zk.create('/e/child', '')).rejects.toBeInstanceOf(NoChildrenForEphemeralsError);
    expect(await zk.create('/es-', '', { mode: 'ephemeralSequential' })).toMatch(/^\/es-\d{10}$/);
    expect(await zk.create('/box', '', { mode: 'container' })).toBe('/box');
    const ttl = await zk.create2('/ttl', 'x', { mode: 'persistentWithTtl', ttl: 60_000 });
    expect(ttl.path).toBe('/ttl');
    expect(await zk.create('/ttls-', 'x', { mode: 'persistentSequentialWithTtl', ttl: 60_000 })).toMatch(/^\/ttls-\d{10}$/);
    await expect(zk.create('/bad', 'x', { mode: 'persistentWithTtl' })).rejects.toThrow(/ttl must be positive/);
    await expect(zk.create('/bad', 'x', { ttl: 5 })).rejects.toThrow(RangeError);
    await expect(zk.create('bad')).rejects.toThrow(/Path must start with/);
    expect(await zk.getEphemerals()).toEqual(expect.arrayContaining(['/e', expect.stringMatching(/^\/es-/)]));
    // a prefix match on the path string, as in ZooKeeper
    expect((await zk.getEphemerals('/e')).sort()).toEqual(['/e', expect.stringMatching(/^\/es-\d{10}$/)]);
    expect(await zk.getEphemerals('/box')).toEqual([]);
  });

  it.skipIf(!target.available)('getChildren, getChildren2, getAllChildrenNumber', async () => {
    const { zk } = await fresh();
    await zk.create('/p');
    for (const c of ['x', 'y', 'z']) await zk.create(`/p/${c}`);
    await zk.create('/p/x/deep');
    expect((await zk.getChildren('/p')).sort()).toEqual(['x', 'y', 'z']);
    const r = await zk.getChildren2('/p');
    expect(r.children.sort()).toEqual(['x', 'y', 'z']);
    expect(r.stat.numChildren).toBe(3);
    expect(await zk.getAllChildrenNumber('/p')).toBe(4);
    expect(await zk.getAllChildrenNumber('/')).toBe(5);
    await expect(zk.getChildren('/none')).rejects.toBeInstanceOf(NoNodeError);
    await expect(zk.getChildren2('/none')).rejects.toBeInstanceOf(NoNodeError);
  });

  it.skipIf(!target.available)('getACL, setACL, addAuth with digest, whoAmI, NoAuth', async () => {
    const { zk, root } = await fresh();
    await zk.create('/open', 'x');
    const { acl, stat } = await zk.getACL('/open');
    expect(acl).toEqual([{ perms: Perms.all, id: { scheme: 'world', id: 'anyone' } }]);
    expect(stat.aversion).toBe(0);
    const s = await zk.setACL('/open', [{ perms: Perms.read, id: { scheme: 'world', id: 'anyone' } }], 0);
    expect(s.aversion).toBe(1);
    await expect(zk.setACL('/open', [], 7)).rejects.toMatchObject({ codeName: expect.stringMatching(/BADVERSION|INVALIDACL/) });
    await expect(zk.setData('/open', 'y')).rejects.toBeInstanceOf(NoAuthError);
    await expect(zk.getACL('/none')).rejects.toBeInstanceOf(NoNodeError);

    expect(await zk.whoAmI()).toEqual([{ authScheme: 'ip', user: '127.0.0.1' }]);
    await zk.addAuth('digest', 'alice:secret');
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([expect.objectContaining({ authScheme: 'digest' })]));
    await zk.create('/mine', 'x', { acl: [{ perms: Perms.all, id: { scheme: 'auth', id: '' } }] });
    expect(text((await zk.getData('/mine')).data)).toBe('x');
    await expect(admin.getData(`${root}/mine`)).rejects.toBeInstanceOf(NoAuthError);
  });

  // ZooKeeper names a digest user by its name (getUserName) and lists ids in its auth set's order.
  it.skipIf(!target.available)('whoAmI names a digest user by its user name, in the server order', async () => {
    const { zk } = await fresh();
    await zk.addAuth('digest', 'alice:secret');
    expect(await zk.whoAmI()).toEqual([{ authScheme: 'digest', user: 'alice' }, { authScheme: 'ip', user: '127.0.0.1' }]);
  });

  it.skipIf(!target.available)('sync', async () => {
    const { zk } = await fresh();
    await zk.create('/s');
    await expect(zk.sync('/s')).resolves.toBeUndefined();
  });

  it.skipIf(!target.available)('multi with the typed builder: results, and a MultiError with per-op outcomes', async () => {
    const { zk, root } = await fresh();
    await zk.create('/m');
    const [c, sd, ck, d] = await zk
      .transaction()
      .create('/m/a', 'a')
      .setData('/m', 'top', 0)
      .check('/m', 1)
      .delete('/m/a', 0)
      .commit();
    expect(c).toMatchObject({ type: 'create', path: '/m/a' });
    expect(sd.type === 'setData' && sd.stat.version).toBe(1);
    expect(ck).toEqual({ type: 'check' });
    expect(d).toEqual({ type: 'delete' });
    expect(text((await admin.getData(`${root}/m`)).data)).toBe('top');

    const failing = zk.transaction().create('/m/b', 'b').check('/m', 0).setData('/m', 'never');
    const err = await failing.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultiError);
    const me = err as MultiError;
    expect(me.code).toBe(-103);
    expect(me.failedIndex).toBe(1);
    expect(me.opError).toBeInstanceOf(BadVersionError);
    expect(me.results[1]).toMatchObject({ ok: false });
    expect(me.results).toHaveLength(3);
    expect(await zk.exists('/m/b')).toBeNull();

    const seq = await zk.transaction().create('/m/q-', '', { mode: 'persistentSequential' }).commit();
    expect(seq[0].path).toMatch(/^\/m\/q-\d{10}$/);
    await expect(zk.transaction().delete('/none').commit()).rejects.toMatchObject({ code: -101, failedIndex: 0 });
  });

  it.skipIf(!target.available)('multiRead returns values and per-op errors', async () => {
    const { zk } = await fresh();
    await zk.create('/r', 'data');
    await zk.create('/r/k');
    const [a, b, c] = await zk.multiRead([
      { type: 'getData', path: '/r' },
      { type: 'getChildren', path: '/r' },
      { type: 'getData', path: '/none' },
    ] as const);
    expect(a.type === 'getData' && text(a.data)).toBe('data');
    expect(b.type === 'getChildren' && b.children).toEqual(['k']);
    expect(c.type === 'error' && c.error).toBeInstanceOf(NoNodeError);
  });

  it.skipIf(!target.available)('a bounded request queue fails fast with QueueFullError', async () => {
    const { zk } = await fresh({ maxQueuedRequests: 5 });
    await zk.create('/q');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => zk.exists('/q')));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(rejected).toHaveLength(15);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(QueueFullError);
    expect(String((rejected[0] as PromiseRejectedResult).reason.message)).toMatch(/request queue full: 5/);
    expect(await zk.exists('/q')).not.toBeNull();
  });

  it.skipIf(!target.available)('errors are typed ZooKeeperErrors with the code and its name', async () => {
    const { zk } = await fresh();
    const e = await zk.delete('/x').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ZooKeeperError);
    expect(e).toBeInstanceOf(NoNodeError);
    expect(e).toMatchObject({ code: -101, codeName: 'NONODE', message: 'KeeperErrorCode = NoNode for /x' });
    expect(new BadArgumentsError('/p')).toMatchObject({ name: 'BadArgumentsError', code: -8, codeName: 'BADARGUMENTS' });
  });

  it.skipIf(!target.available)('getConfig reads /zookeeper/config outside the chroot; a watch on it is set', async () => {
    const { zk, root } = await fresh();
    // a node at <chroot>/zookeeper/config must not be what getConfig reads
    await zk.create('/zookeeper');
    await zk.create('/zookeeper/config', 'inside the chroot');
    const expected = await admin.getData('/zookeeper/config');
    const r = await zk.getConfig();
    expect(r.data === null ? null : text(r.data)).toBe(expected.data === null ? null : text(expected.data));
    expect(r.stat).toEqual(expected.stat);
    expect(text((await zk.getData('/zookeeper/config')).data)).toBe('inside the chroot');
    const w = await zk.getConfig({ watch: true });
    expect(w.stat).toEqual(expected.stat);
    expect(w.watch).toBeDefined();
    // the chrooted node's changes do not reach the config watch; it completes with the client
    await admin.setData(`${root}/zookeeper/config`, 'changed');
    const events: unknown[] = [];
    const done = new Promise<void>((resolve) => w.watch.subscribe({ next: (e) => events.push(e), complete: resolve }));
    await zk.close();
    await done;
    expect(events).toEqual([]);
  });

  it.skipIf(!target.available)("removeWatches('/zookeeper/config') removes getConfig's watch (dataWatchRemoved), as in Java", async () => {
    const zk = await ZooKeeperClient.connect(server.connectString);
    clients.push(zk);
    const { watch } = await zk.getConfig({ watch: true });
    const events: unknown[] = [];
    const done = new Promise<void>((resolve) => watch.subscribe({ next: (e) => events.push(e), complete: resolve }));
    await zk.removeWatches('/zookeeper/config', 'data');
    await done;
    expect(events).toEqual([{ type: 'dataWatchRemoved', path: '/zookeeper/config' }]);
    await expect(zk.removeWatches('/zookeeper/config', 'any')).rejects.toMatchObject({ codeName: 'NOWATCHER' });
  });

  it.skipIf(!target.available)('reconfig on a server without dynamic reconfiguration: ReconfigDisabledError', async () => {
    const { zk } = await fresh();
    const e = await zk.reconfig({ leaving: '2' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReconfigDisabledError);
    expect(e).toMatchObject({ code: -123, codeName: 'RECONFIGDISABLED' });
  });

  it.skipIf(!target.available)('an empty ACL is refused in the client (InvalidACL, nothing sent); in a multi the server refuses it', async () => {
    const { zk } = await fresh();
    for (const attempt of [() => zk.create('/e', 'x', { acl: [] }), () => zk.create2('/e', 'x', { acl: [] })]) {
      const e = await attempt().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InvalidAclError);
      expect(e).toMatchObject({ code: -114, codeName: 'INVALIDACL', path: undefined, message: 'KeeperErrorCode = InvalidACL' });
    }
    expect(await zk.exists('/e')).toBeNull();
    await zk.create('/s', 'x');
    await expect(zk.setACL('/s', [], -1)).rejects.toBeInstanceOf(InvalidAclError);
    expect((await zk.getACL('/s')).acl).toHaveLength(1);
    // the path is still checked first, as in Java
    await expect(zk.create('bad', 'x', { acl: [] })).rejects.toThrow(/Path must start with/);
    await expect(zk.setACL('bad', [])).rejects.toThrow(/Path must start with/);
    const m = await zk.transaction().create('/m', 'x', { acl: [] }).commit().catch((x: unknown) => x);
    expect(m).toBeInstanceOf(MultiError);
    expect((m as MultiError).opError).toBeInstanceOf(InvalidAclError);
  });
});
