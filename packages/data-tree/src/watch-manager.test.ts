import { describe, expect, it } from 'vitest';
import { CreateMode, ErrorCode, EventType, KeeperState, OpCode, OPEN_ACL_UNSAFE } from '@zkts/protocol';
import { WatchManager, WatcherTypeExt } from './watch-manager.js';
import { Harness, enc } from './test-support/harness.js';

const { nodeCreated, nodeDeleted, nodeDataChanged, nodeChildrenChanged } = EventType;
/** [watcher, type, path] triples of a result's deliveries, in order. */
const got = (rc: { deliveries: { watcher: number; event: { type: number; path: string } }[] }) =>
  rc.deliveries.map((d) => [d.watcher, d.event.type, d.event.path]);

describe('WatchManager through DataTree.processTxn', () => {
  it('create fires the exists watch (NodeCreated) then the parent child watch', () => {
    const h = new Harness();
    h.create('/p');
    h.tree.watches.addWatch('/p/c', 1, 'exist');
    h.tree.watches.addWatch('/p', 2, 'child');
    const rc = h.create('/p/c');
    expect(rc.events).toEqual([{ type: nodeCreated, path: '/p/c' }, { type: nodeChildrenChanged, path: '/p' }]);
    expect(got(rc)).toEqual([[1, nodeCreated, '/p/c'], [2, nodeChildrenChanged, '/p']]);
    expect(rc.deliveries[0]!.event.state).toBe(KeeperState.syncConnected);
  });
  it('standard watches are one-shot', () => {
    const h = new Harness();
    h.create('/a');
    h.tree.watches.addWatch('/a', 1, 'data');
    expect(got(h.set('/a', 'x'))).toEqual([[1, nodeDataChanged, '/a']]);
    expect(got(h.set('/a', 'y'))).toEqual([]);
  });
  it('setData fires only data watches, not child watches', () => {
    const h = new Harness();
    h.create('/a');
    h.tree.watches.addWatch('/a', 1, 'child');
    expect(got(h.set('/a', 'x'))).toEqual([]);
  });
  it('delete fires NodeDeleted once per watcher holding data and child watches, then the parent', () => {
    const h = new Harness();
    h.create('/p');
    h.create('/p/c');
    h.tree.watches.addWatch('/p/c', 1, 'data');
    h.tree.watches.addWatch('/p/c', 1, 'child');
    h.tree.watches.addWatch('/p/c', 2, 'child');
    h.tree.watches.addWatch('/p', 3, 'child');
    const rc = h.del('/p/c');
    expect(got(rc)).toEqual([[1, nodeDeleted, '/p/c'], [2, nodeDeleted, '/p/c'], [3, nodeChildrenChanged, '/p']]);
    expect(h.tree.watches.size).toBe(0); // the suppressed child watch of 1 was consumed too
  });
  it('a persistent watch fires for data, children and delete of its node, and stays', () => {
    const h = new Harness();
    h.tree.watches.addWatch('/a', 7, 'persistent');
    expect(got(h.create('/a'))).toEqual([[7, nodeCreated, '/a']]);
    expect(got(h.set('/a', 'x'))).toEqual([[7, nodeDataChanged, '/a']]);
    expect(got(h.create('/a/b'))).toEqual([[7, nodeChildrenChanged, '/a']]);
    expect(got(h.set('/a/b', 'x'))).toEqual([]);
    h.del('/a/b');
    expect(got(h.del('/a'))).toEqual([[7, nodeDeleted, '/a']]);
    expect(h.tree.watches.containsWatcher('/a', 7, WatcherTypeExt.persistent)).toBe(true);
  });
  it('a recursive watch fires for the subtree but never NodeChildrenChanged', () => {
    const h = new Harness();
    h.create('/a');
    h.tree.watches.addWatch('/a', 9, 'persistentRecursive');
    expect(got(h.create('/a/b'))).toEqual([[9, nodeCreated, '/a/b']]);
    expect(got(h.create('/a/b/c'))).toEqual([[9, nodeCreated, '/a/b/c']]);
    expect(got(h.set('/a/b/c', 'x'))).toEqual([[9, nodeDataChanged, '/a/b/c']]);
    expect(got(h.del('/a/b/c'))).toEqual([[9, nodeDeleted, '/a/b/c']]);
    expect(got(h.set('/a', 'y'))).toEqual([[9, nodeDataChanged, '/a']]);
    expect(got(h.create('/other'))).toEqual([]);
  });
  it('a one-shot and a persistent watch on one path by one watcher: one event, persistent stays', () => {
    const h = new Harness();
    h.create('/a');
    h.tree.watches.addWatch('/a', 1, 'persistent');
    h.tree.watches.addWatch('/a', 1, 'data');
    expect(got(h.set('/a', 'x'))).toEqual([[1, nodeDataChanged, '/a']]);
    expect(h.tree.watches.containsWatcher('/a', 1, WatcherTypeExt.data)).toBe(false);
    expect(got(h.set('/a', 'y'))).toEqual([[1, nodeDataChanged, '/a']]);
  });
  it('multi fires the events of its ops in op order', () => {
    const h = new Harness();
    h.create('/a');
    h.tree.watches.addWatch('/a', 1, 'persistentRecursive');
    const rc = h.run({ type: OpCode.multi, ops: [
      { type: OpCode.create, path: '/a/x', data: null, acl: OPEN_ACL_UNSAFE, flags: 0 },
      { type: OpCode.setData, path: '/a', data: enc('v'), version: -1 },
    ] });
    expect(got(rc)).toEqual([[1, nodeCreated, '/a/x'], [1, nodeDataChanged, '/a']]);
  });
  it('closeSession fires NodeDeleted and NodeChildrenChanged for each ephemeral', () => {
    const h = new Harness();
    h.create('/p');
    h.create('/p/e', '', CreateMode.ephemeral, 4n);
    h.tree.watches.addWatch('/p/e', 1, 'data');
    h.tree.watches.addWatch('/p', 2, 'child');
    expect(got(h.run({ type: OpCode.closeSession }, 4n))).toEqual([[1, nodeDeleted, '/p/e'], [2, nodeChildrenChanged, '/p']]);
  });
  it('a failed write fires nothing', () => {
    const h = new Harness();
    h.create('/a');
    h.tree.watches.addWatch('/a', 1, 'data');
    expect(got(h.set('/a', 'x', 42))).toEqual([]);
    expect(h.tree.watches.containsWatcher('/a', 1, WatcherTypeExt.data)).toBe(true);
  });
});

describe('WatchManager: removeWatches / checkWatches', () => {
  it('removing a watch that is not there reports NoWatcher (false)', () => {
    const w = new WatchManager();
    w.addWatch('/a', 1, 'data');
    expect(w.removeWatch('/a', 1, WatcherTypeExt.children)).toBe(false);
    expect(w.removeWatch('/a', 2, WatcherTypeExt.data)).toBe(false);
    expect(w.removeWatch('/b', 1, WatcherTypeExt.any)).toBe(false);
    void ErrorCode.noWatcher;
  });
  it('removes exactly the requested type', () => {
    const w = new WatchManager();
    w.addWatch('/a', 1, 'data');
    w.addWatch('/a', 1, 'child');
    expect(w.removeWatch('/a', 1, WatcherTypeExt.data)).toBe(true);
    expect(w.containsWatcher('/a', 1, WatcherTypeExt.data)).toBe(false);
    expect(w.containsWatcher('/a', 1, WatcherTypeExt.children)).toBe(true);
  });
  it('any removes every kind, persistent included', () => {
    const w = new WatchManager();
    w.addWatch('/a', 1, 'persistent');
    w.addWatch('/a', 1, 'persistentRecursive');
    expect(w.removeWatch('/a', 1, WatcherTypeExt.any)).toBe(true);
    expect(w.containsWatcher('/a', 1, WatcherTypeExt.any)).toBe(false);
    expect(w.trigger('/a/b', nodeCreated)).toEqual([]);
  });
  it('a persistent watch is not a data watch for checkWatches', () => {
    const w = new WatchManager();
    w.addWatch('/a', 1, 'persistent');
    expect(w.containsWatcher('/a', 1, WatcherTypeExt.data)).toBe(false);
    expect(w.containsWatcher('/a', 1, WatcherTypeExt.any)).toBe(true);
  });
  it('removeWatcher drops every watch of a disconnected watcher', () => {
    const w = new WatchManager();
    w.addWatch('/a', 1, 'data');
    w.addWatch('/b', 1, 'persistentRecursive');
    w.addWatch('/a', 2, 'data');
    w.removeWatcher(1);
    expect(w.trigger('/b/c', nodeCreated)).toEqual([]);
    expect(w.trigger('/a', nodeDataChanged).map((d) => d.watcher)).toEqual([2]);
  });
  it('counts for wchs / wchc / wchp', () => {
    const w = new WatchManager();
    w.addWatch('/a', 1, 'data');
    w.addWatch('/b', 1, 'exist');
    w.addWatch('/a', 2, 'data');
    w.addWatch('/a', 3, 'child');
    expect(w.summary()).toEqual({ connections: 2, paths: 2, watches: 3 });
    expect(w.byWatcher().get(1)!.sort()).toEqual(['/a', '/b']);
    expect(w.byPath().get('/a')).toEqual([1, 2]);
    expect(w.size).toBe(4);
  });
});

describe('DataTree.setWatches (reconnect)', () => {
  it('fires at once for what changed after relativeZxid, registers the rest', () => {
    const h = new Harness();
    const a = h.create('/a');
    h.create('/b');
    h.set('/b', 'x');
    const out = h.tree.setWatches(a.zxid, { data: ['/a', '/b', '/gone'], exist: ['/a', '/new'], child: ['/a'] }, 5);
    expect(out.map((d) => [d.event.type, d.event.path])).toEqual([
      [nodeDataChanged, '/b'], [nodeDeleted, '/gone'], [nodeCreated, '/a'],
    ]);
    expect(h.tree.watches.containsWatcher('/a', 5, WatcherTypeExt.data)).toBe(true);
    expect(h.tree.watches.containsWatcher('/new', 5, WatcherTypeExt.data)).toBe(true);
    expect(h.tree.watches.containsWatcher('/a', 5, WatcherTypeExt.children)).toBe(true);
  });
});
