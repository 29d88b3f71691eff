// Watches as Observables against zkts and Apache ZooKeeper: one-shot data / exists / child
// watches, persistent and recursive streams until removed, and re-registration (setWatches with
// relativeZxid) after a reconnect.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReplaySubject, lastValueFrom, take, timeout, toArray } from 'rxjs';
import { ZooKeeperClient } from './client.js';
import { ConnectionLossError, NoWatcherError } from './errors.js';
import { TcpProxy } from './test-support/proxy.js';
import { TARGETS, type TestServer } from './test-support/targets.js';
import { next, uniqueName, waitForState } from './test-support/util.js';
import type { WatchedEvent } from './watches.js';

describe.each(TARGETS)('watches against $name', (target) => {
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

  async function fresh(connectString = server.connectString, opts: ConstructorParameters<typeof ZooKeeperClient>[1] = {}) {
    const root = `/${uniqueName()}`;
    await admin.create(root);
    const zk = await ZooKeeperClient.connect(connectString + root, opts);
    clients.push(zk);
    return { zk, root };
  }

  it.skipIf(!target.available)('getData with watch: one event, then the stream completes', async () => {
    const { zk, root } = await fresh();
    await zk.create('/d', 'v0');
    const r = await zk.getData('/d', { watch: true });
    expect(new TextDecoder().decode(r.data!)).toBe('v0');
    const all = lastValueFrom(r.watch.pipe(toArray(), timeout(10_000)));
    await admin.setData(`${root}/d`, 'v1');
    await admin.setData(`${root}/d`, 'v2');
    expect(await all).toEqual([{ type: 'nodeDataChanged', path: '/d' }]);
    // a late subscriber still sees the event (the watch fired before it subscribed)
    expect(await next(r.watch)).toEqual({ type: 'nodeDataChanged', path: '/d' });
    // deleting fires a data watch with nodeDeleted
    const again = await zk.getData('/d', { watch: true });
    await admin.delete(`${root}/d`);
    expect(await next(again.watch)).toEqual({ type: 'nodeDeleted', path: '/d' });
  });

  it.skipIf(!target.available)('exists with watch: nodeCreated for a missing node, nodeDeleted for an existing one', async () => {
    const { zk, root } = await fresh();
    const missing = await zk.exists('/later', { watch: true });
    expect(missing.stat).toBeNull();
    await admin.create(`${root}/later`, 'x');
    expect(await next(missing.watch)).toEqual({ type: 'nodeCreated', path: '/later' });
    const present = await zk.exists('/later', { watch: true });
    expect(present.stat?.dataLength).toBe(1);
    await admin.delete(`${root}/later`);
    expect(await next(present.watch)).toEqual({ type: 'nodeDeleted', path: '/later' });
  });

  it.skipIf(!target.available)('getChildren / getChildren2 with watch: nodeChildrenChanged once', async () => {
    const { zk, root } = await fresh();
    await zk.create('/p');
    const r = await zk.getChildren('/p', { watch: true });
    expect(r.children).toEqual([]);
    const r2 = await zk.getChildren2('/p', { watch: true });
    expect(r2.stat.numChildren).toBe(0);
    await admin.create(`${root}/p/c1`);
    await admin.create(`${root}/p/c2`);
    const events = await lastValueFrom(r.watch.pipe(toArray(), timeout(10_000)));
    expect(events).toEqual([{ type: 'nodeChildrenChanged', path: '/p' }]);
    expect(await next(r2.watch)).toEqual({ type: 'nodeChildrenChanged', path: '/p' });
    // a failed read leaves no watch
    await expect(zk.getChildren('/none', { watch: true })).rejects.toThrow();
  });

  it.skipIf(!target.available)('persistent watch: every event at the path until removeWatches completes it', async () => {
    const { zk, root } = await fresh();
    await zk.create('/w', 'a');
    const stream = await zk.addWatch('/w');
    const mirror = new ReplaySubject<WatchedEvent>();
    let completed = false;
    stream.subscribe(mirror);
    mirror.subscribe({ complete: () => (completed = true) });
    await admin.setData(`${root}/w`, 'b');
    await admin.create(`${root}/w/kid`);
    await admin.setData(`${root}/w/kid`, 'ignored: not the watched path');
    await admin.delete(`${root}/w/kid`);
    await admin.setData(`${root}/w`, 'c');
    expect(await lastValueFrom(mirror.pipe(take(4), toArray(), timeout(10_000)))).toEqual([
      { type: 'nodeDataChanged', path: '/w' },
      { type: 'nodeChildrenChanged', path: '/w' },
      { type: 'nodeChildrenChanged', path: '/w' },
      { type: 'nodeDataChanged', path: '/w' },
    ]);
    expect(completed).toBe(false);
    await zk.removeWatches('/w', 'any');
    expect(completed).toBe(true);
    expect(await lastValueFrom(mirror.pipe(toArray()))).toHaveLength(5);
    expect(await lastValueFrom(mirror.pipe(toArray()))).toContainEqual({ type: 'persistentWatchRemoved', path: '/w' });
    await expect(zk.removeWatches('/w', 'any')).rejects.toBeInstanceOf(NoWatcherError);
  });

  it.skipIf(!target.available)('recursive watch: the whole subtree, no child events, paths under the chroot', async () => {
    const { zk, root } = await fresh();
    const stream = await zk.addWatch('/', { recursive: true });
    const events = lastValueFrom(stream.pipe(take(4), toArray(), timeout(10_000)));
    await admin.create(`${root}/a`);
    await admin.create(`${root}/a/b`, 'x');
    await admin.setData(`${root}/a/b`, 'y');
    await admin.delete(`${root}/a/b`);
    expect(await events).toEqual([
      { type: 'nodeCreated', path: '/a' },
      { type: 'nodeCreated', path: '/a/b' },
      { type: 'nodeDataChanged', path: '/a/b' },
      { type: 'nodeDeleted', path: '/a/b' },
    ]);
    let done = false;
    stream.subscribe({ complete: () => (done = true) });
    await zk.removeWatches('/', 'any');
    expect(done).toBe(true);
  });

  it.skipIf(!target.available)('removeWatches: each removed stream gets its removal event, then completes; others stay', async () => {
    const { zk, root } = await fresh();
    await zk.create('/n', 'a');
    await zk.create('/p', 'a');
    await zk.create('/r', 'a');
    const data = await zk.getData('/n', { watch: true });
    const child = await zk.getChildren('/n', { watch: true });
    const missing = await zk.exists('/n/later', { watch: true });
    // (separate paths: ZooKeeper 3.8 keeps one watch mode per connection and path, so a one-shot
    // and a persistent watch on the same path replace each other on its server)
    const persistent = await zk.addWatch('/p');
    const recursive = await zk.addWatch('/r', { recursive: true });
    const all = (o: typeof data.watch) => lastValueFrom(o.pipe(toArray(), timeout(10_000)));
    const [dataEvents, childEvents] = [all(data.watch), all(child.watch)];

    // children only: the child watch goes (childWatchRemoved), the data watch stays
    await zk.removeWatches('/n', 'children');
    expect(await childEvents).toEqual([{ type: 'childWatchRemoved', path: '/n' }]);
    // data: data and exists watches (dataWatchRemoved)
    const missingEvents = all(missing.watch);
    await zk.removeWatches('/n/later', 'data');
    expect(await missingEvents).toEqual([{ type: 'dataWatchRemoved', path: '/n/later' }]);
    await zk.removeWatches('/n', 'data');
    expect(await dataEvents).toEqual([{ type: 'dataWatchRemoved', path: '/n' }]);
    await expect(zk.removeWatches('/n', 'any')).rejects.toBeInstanceOf(NoWatcherError);
    // persistent and recursive streams: events until 'any' removes them (persistentWatchRemoved)
    const [pEvents, rEvents] = [all(persistent), all(recursive)];
    const [pSeen, rSeen] = [next(persistent), next(recursive)];
    await admin.setData(`${root}/p`, 'b');
    await admin.setData(`${root}/r`, 'b');
    await Promise.all([pSeen, rSeen]);
    await expect(zk.removeWatches('/p', 'data')).rejects.toBeInstanceOf(NoWatcherError);
    await zk.removeWatches('/p', 'any');
    await zk.removeWatches('/r', 'any');
    expect(await pEvents).toEqual([{ type: 'nodeDataChanged', path: '/p' }, { type: 'persistentWatchRemoved', path: '/p' }]);
    expect(await rEvents).toEqual([{ type: 'nodeDataChanged', path: '/r' }, { type: 'persistentWatchRemoved', path: '/r' }]);
    await expect(zk.removeWatches('/p', 'any')).rejects.toBeInstanceOf(NoWatcherError);
  });

  it.skipIf(!target.available)('removeWatches with local: removed on the client while disconnected; without it ConnectionLoss waits', async () => {
    const proxy = await TcpProxy.start({ host: server.host, port: server.port });
    try {
      const { zk, root } = await fresh(proxy.connectString, { sessionTimeoutMs: 4000, queuedRequestTimeoutMs: 100, retry: { maxRetries: 0, delayMs: () => 0 } });
      await zk.create('/l', 'v');
      const w = await zk.getData('/l', { watch: true });
      const events = lastValueFrom(w.watch.pipe(toArray(), timeout(10_000)));
      const p = await zk.addWatch('/l');
      const pEvents = lastValueFrom(p.pipe(toArray(), timeout(10_000)));
      // cut the connection; new attempts hang until restore (well inside the session timeout)
      proxy.blackhole();
      proxy.dropConnections();
      await waitForState(zk, 'disconnected');
      // not local: the request waits for a connection and fails (queuedRequestTimeoutMs); nothing removed
      await expect(zk.removeWatches('/l', 'data')).rejects.toBeInstanceOf(ConnectionLossError);
      // local: removed at once without a server
      await zk.removeWatches('/l', 'data', { local: true });
      expect(await events).toEqual([{ type: 'dataWatchRemoved', path: '/l' }]);
      proxy.restore();
      await waitForState(zk, 'reconnected');
      // local with a connection asks the server as usual
      await zk.removeWatches('/l', 'any', { local: true });
      expect(await pEvents).toEqual([{ type: 'persistentWatchRemoved', path: '/l' }]);
      // the data watch was not re-registered after the reconnect: a change reaches nobody
      await admin.setData(`${root}/l`, 'changed');
      await expect(zk.removeWatches('/l', 'any', { local: true })).rejects.toBeInstanceOf(NoWatcherError);
    } finally {
      await proxy.close();
    }
  });

  it.skipIf(!target.available)('watches are re-registered after a reconnect (setWatches with relativeZxid)', async () => {
    const proxy = await TcpProxy.start({ host: server.host, port: server.port });
    try {
      const { zk, root } = await fresh(proxy.connectString, { sessionTimeoutMs: 2000 });
      await zk.create('/x', 'v');
      const data = await zk.getData('/x', { watch: true });
      const exist = await zk.exists('/y', { watch: true });
      const persistent = await zk.addWatch('/x');
      const persistentEvents = lastValueFrom(persistent.pipe(take(1), toArray(), timeout(10_000)));
      proxy.blackhole();
      await waitForState(zk, 'disconnected');
      // changes made while the client is away are reported when it is back
      await admin.setData(`${root}/x`, 'changed');
      await admin.create(`${root}/y`);
      proxy.restore();
      await waitForState(zk, 'reconnected');
      expect(await next(data.watch)).toEqual({ type: 'nodeDataChanged', path: '/x' });
      expect(await next(exist.watch)).toEqual({ type: 'nodeCreated', path: '/y' });
      expect(await persistentEvents).toEqual([{ type: 'nodeDataChanged', path: '/x' }]);
    } finally {
      await proxy.close();
    }
  });

  it.skipIf(!target.available)('watch streams complete when the client is closed', async () => {
    const { zk } = await fresh();
    await zk.create('/z');
    const w = await zk.getData('/z', { watch: true });
    const p = await zk.addWatch('/z');
    const closed = lastValueFrom(w.watch.pipe(toArray()));
    const pClosed = lastValueFrom(p.pipe(toArray()));
    await zk.close();
    expect(await closed).toEqual([]);
    expect(await pClosed).toEqual([]);
  });
});
