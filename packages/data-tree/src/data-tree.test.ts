import { describe, expect, it } from 'vitest';
import { CreateMode, ErrorCode, OpCode, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '@zkts/protocol';
import { DataTree } from './data-tree.js';
import { Harness, enc } from './test-support/harness.js';

describe('DataTree: initial nodes (as a fresh ZooKeeper 3.8 shows them)', () => {
  it('root has /zookeeper, stat all zero, cversion -1 (2*creates - children)', () => {
    const t = new DataTree();
    expect(t.getChildren('/')!.children).toEqual(['zookeeper']);
    expect(t.statNode('/')).toMatchObject({ czxid: 0, mzxid: 0, pzxid: 0, cversion: -1, version: 0, numChildren: 1 });
  });
  it('/zookeeper has quota and config; cversion -2', () => {
    const t = new DataTree();
    expect(t.getChildren('/zookeeper')!.children.sort()).toEqual(['config', 'quota']);
    expect(t.statNode('/zookeeper')!.cversion).toBe(-2);
  });
  it('/zookeeper/config is world-readable only, aclVersion -1', () => {
    const t = new DataTree();
    expect(t.getACL('/zookeeper/config')!.acl).toEqual(READ_ACL_UNSAFE);
    expect(t.statNode('/zookeeper/config')!.aversion).toBe(-1);
  });
  it('counts nodes like ZooKeeper (5 incl. the root alias) and all children of / (3)', () => {
    const t = new DataTree();
    expect(t.nodeCount).toBe(5);
    expect(t.getAllChildrenNumber('/')).toBe(3);
  });
  it('reads of a missing path return null, never throw', () => {
    const t = new DataTree();
    expect(t.getData('/nope')).toBeNull();
    expect(t.statNode('/nope')).toBeNull();
    expect(t.getChildren('/nope')).toBeNull();
    expect(t.getACL('/nope')).toBeNull();
  });
});

describe('DataTree: Stat after each operation', () => {
  it('create sets czxid=mzxid=pzxid=zxid, ctime=mtime=time, versions 0', () => {
    const h = new Harness();
    const rc = h.create('/a', 'x');
    expect(rc.err).toBe(0);
    expect(rc.stat).toEqual({
      czxid: rc.zxid, mzxid: rc.zxid, pzxid: rc.zxid, ctime: h.time, mtime: h.time,
      version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 1, numChildren: 0,
    });
  });
  it('create bumps parent cversion and pzxid, not its mzxid', () => {
    const h = new Harness();
    const a = h.create('/a', 'x');
    const b = h.create('/a/b');
    expect(h.tree.statNode('/a')).toMatchObject({ cversion: 1, pzxid: b.zxid, mzxid: a.zxid, numChildren: 1 });
  });
  it('delete of a child moves pzxid and cversion (observed: 1 -> 2)', () => {
    const h = new Harness();
    h.create('/a');
    h.create('/a/b');
    const d = h.del('/a/b');
    expect(h.tree.statNode('/a')).toMatchObject({ cversion: 2, pzxid: d.zxid, numChildren: 0 });
  });
  it('setData bumps version, mzxid, mtime; keeps czxid/ctime', () => {
    const h = new Harness();
    const c = h.create('/a', 'x');
    const s = h.set('/a', 'hello');
    expect(s.stat).toMatchObject({ version: 1, mzxid: s.zxid, czxid: c.zxid, mtime: h.time, ctime: c.stat!.ctime, dataLength: 5 });
  });
  it('setACL bumps aversion only', () => {
    const h = new Harness();
    h.create('/a');
    const rc = h.run({ type: OpCode.setACL, path: '/a', acl: READ_ACL_UNSAFE, version: 0 });
    expect(rc.stat).toMatchObject({ aversion: 1, version: 0, mzxid: rc.zxid - 1 });
    expect(h.tree.getACL('/a')!.acl).toEqual(READ_ACL_UNSAFE);
  });
  it('null data stays null and has dataLength 0', () => {
    const h = new Harness();
    h.run({ type: OpCode.create, path: '/n', data: null, acl: OPEN_ACL_UNSAFE, flags: 0 });
    expect(h.tree.getData('/n')).toMatchObject({ data: null, stat: { dataLength: 0 } });
  });
});

describe('DataTree: sequential names', () => {
  it('appends 10 digits of the parent create count', () => {
    const h = new Harness();
    h.create('/q');
    expect(h.create('/q/n-', '', CreateMode.persistentSequential).path).toBe('/q/n-0000000000');
    expect(h.create('/q/n-', '', CreateMode.persistentSequential).path).toBe('/q/n-0000000001');
  });
  it('keeps counting after deletes (as observed: b, delete b, then s0000000001)', () => {
    const h = new Harness();
    h.create('/a');
    h.create('/a/b');
    h.del('/a/b');
    expect(h.create('/a/s', '', CreateMode.persistentSequential).path).toBe('/a/s0000000001');
    h.del('/a/s0000000001');
    expect(h.create('/a/s', '', CreateMode.persistentSequential).path).toBe('/a/s0000000002');
  });
  it('a trailing slash with sequential mode names the child by number only', () => {
    const h = new Harness();
    h.create('/a');
    expect(h.create('/a/', '', CreateMode.persistentSequential).path).toBe('/a/0000000000');
  });
});

describe('DataTree: ephemerals, containers, TTL', () => {
  it('ephemeral owner is the session; getEphemerals lists it', () => {
    const h = new Harness();
    const rc = h.create('/e', '', CreateMode.ephemeral, 0x1234n);
    expect(rc.stat!.ephemeralOwner).toBe(0x1234n);
    expect(h.tree.getEphemerals(0x1234n)).toEqual(['/e']);
    expect(h.tree.getEphemerals(0x1234n, '/x')).toEqual([]);
  });
  it('containers and TTL nodes show ephemeralOwner 0 (as observed)', () => {
    const h = new Harness();
    expect(h.createContainer('/c').stat!.ephemeralOwner).toBe(0n);
    expect(h.createTTL('/t', 1000).stat!.ephemeralOwner).toBe(0n);
  });
  it('a container is a candidate only once it had a child and is empty again', () => {
    const h = new Harness();
    h.createContainer('/c');
    expect(h.tree.containerCandidates()).toEqual([]);
    h.create('/c/x');
    expect(h.tree.containerCandidates()).toEqual([]);
    h.del('/c/x');
    expect(h.tree.containerCandidates()).toEqual(['/c']);
  });
  it('a never-used container is a candidate after maxNeverUsedIntervalMs', () => {
    const h = new Harness();
    h.createContainer('/c');
    const mtime = h.tree.statNode('/c')!.mtime;
    expect(h.tree.containerCandidates(mtime + 100, 100)).toEqual([]);
    expect(h.tree.containerCandidates(mtime + 101, 100)).toEqual(['/c']);
  });
  it('a TTL node expires after ttl ms since mtime, only when childless', () => {
    const h = new Harness();
    h.createTTL('/t', 500);
    const mtime = h.tree.statNode('/t')!.mtime;
    expect(h.tree.ttlExpired(mtime + 500)).toEqual([]);
    expect(h.tree.ttlExpired(mtime + 501)).toEqual(['/t']);
    h.create('/t/child');
    expect(h.tree.ttlExpired(mtime + 10_000)).toEqual([]);
  });
  it('setData on a TTL node renews it (mtime moves)', () => {
    const h = new Harness();
    h.createTTL('/t', 500);
    const first = h.tree.statNode('/t')!.mtime;
    h.set('/t', 'x');
    expect(h.tree.ttlExpired(first + 501)).toEqual([]);
  });
});

describe('DataTree: closeSession', () => {
  it('deletes the session ephemerals and fires their events', () => {
    const h = new Harness();
    h.create('/p');
    h.create('/p/e1', '', CreateMode.ephemeral, 7n);
    h.create('/p/e2', '', CreateMode.ephemeral, 7n);
    h.create('/p/other', '', CreateMode.ephemeral, 8n);
    const rc = h.run({ type: OpCode.closeSession }, 7n);
    expect(rc.err).toBe(0);
    expect(h.tree.getChildren('/p')!.children).toEqual(['other']);
    expect(h.tree.getEphemerals(7n)).toEqual([]);
    // In the order ZooKeeper deletes them: its HashSet's (Java 17 iterates {/p/e1, /p/e2} as e2, e1).
    expect(rc.events).toEqual([
      { type: 2, path: '/p/e2' },
      { type: 4, path: '/p' },
      { type: 2, path: '/p/e1' },
      { type: 4, path: '/p' },
    ]);
  });
  it('an old-style closeSession txn (no path list) uses the tree own list', () => {
    const h = new Harness();
    h.create('/e', '', CreateMode.ephemeral, 9n);
    h.tree.processTxn({ clientId: 9n, cxid: 0, zxid: 100, time: 0, type: OpCode.closeSession }, { type: OpCode.closeSession });
    expect(h.tree.statNode('/e')).toBeNull();
  });
});

describe('DataTree: multi', () => {
  it('applies all ops with one zxid and per-op results', () => {
    const h = new Harness();
    const rc = h.run({
      type: OpCode.multi,
      ops: [
        { type: OpCode.create, path: '/m', data: enc('1'), acl: OPEN_ACL_UNSAFE, flags: 0 },
        { type: OpCode.setData, path: '/m', data: enc('22'), version: 0 },
        { type: OpCode.check, path: '/m', version: 1 },
      ],
    });
    expect(rc.err).toBe(0);
    expect(rc.multiResults!.map((r) => [r.type, r.err])).toEqual([[OpCode.create, 0], [OpCode.setData, 0], [OpCode.check, 0]]);
    expect(h.tree.statNode('/m')).toMatchObject({ czxid: rc.zxid, mzxid: rc.zxid, version: 1 });
  });
  it('a failing op: earlier ok, itself its code, later RuntimeInconsistency; tree untouched', () => {
    const h = new Harness();
    h.create('/a', 'x');
    const before = [...h.tree.snapshotNodes()];
    const digest = h.tree.digest();
    const rc = h.run({
      type: OpCode.multi,
      ops: [
        { type: OpCode.create, path: '/b', data: null, acl: OPEN_ACL_UNSAFE, flags: 0 },
        { type: OpCode.setData, path: '/a', data: enc('y'), version: 5 },
        { type: OpCode.delete, path: '/a', version: -1 },
      ],
    });
    expect(rc.err).toBe(ErrorCode.badVersion);
    expect(rc.multiResults!.map((r) => r.err)).toEqual([0, ErrorCode.badVersion, ErrorCode.runtimeInconsistency]);
    expect(rc.events).toEqual([]);
    expect([...h.tree.snapshotNodes()]).toEqual(before);
    expect(h.tree.digest()).toBe(digest);
  });
  it('rolls back a multi whose sub-txn fails at apply time (every Stat restored)', () => {
    const h = new Harness();
    h.create('/a', 'x');
    const before = [...h.tree.snapshotNodes()];
    const digest = h.tree.digest();
    const rc = h.tree.processTxn({ clientId: 1n, cxid: 0, zxid: 50, time: 5, type: OpCode.multi }, {
      type: OpCode.multi,
      txns: [
        { type: OpCode.create, path: '/a/b', data: null, acl: OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: 1 },
        { type: OpCode.setData, path: '/a', data: enc('zz'), version: 1 },
        { type: OpCode.delete, path: '/missing' },
      ],
    });
    expect(rc.err).toBe(ErrorCode.noNode);
    expect(rc.multiResults!.map((r) => r.err)).toEqual([0, 0, ErrorCode.noNode]);
    expect([...h.tree.snapshotNodes()]).toEqual(before);
    expect(h.tree.digest()).toBe(digest);
    expect(rc.deliveries).toEqual([]);
  });
});

describe('DataTree: digest and snapshots', () => {
  it('snapshotView walks the nodes of snapshotNodes in the same order with the same contents, copying none', () => {
    const h = new Harness();
    h.create('/a', 'x');
    h.create('/a/b', 'y');
    h.create('/a/c');
    h.create('/d', 'z');
    h.run({ type: OpCode.setData, path: '/a/b', data: enc('w'), version: -1 });
    const copies = [...h.tree.snapshotNodes()];
    let i = 0;
    let previous: object | null = null;
    for (const r of h.tree.snapshotView()) {
      expect({ path: r.path, data: r.data, acl: r.acl, stat: { ...r.stat } }).toEqual(copies[i]);
      // The live stat itself, in one reused record.
      expect(r.stat).toBe(h.tree.getNode(r.path)!.stat);
      if (previous !== null) expect(r).toBe(previous);
      previous = r;
      i++;
    }
    expect(i).toBe(copies.length);
    expect(copies.map((n) => n.path)).toEqual(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config', '/a', '/a/b', '/a/c', '/d']);
  });
  it('equal trees have equal digests', () => {
    const a = new Harness();
    const b = new Harness();
    for (const h of [a, b]) {
      h.create('/x', 'data');
      h.create('/x/y', '', CreateMode.ephemeral, 3n);
    }
    expect(a.tree.digest()).toBe(b.tree.digest());
    expect(a.tree.digest()).not.toBe(0n);
  });
  it('the digest changes after a change', () => {
    const h = new Harness();
    h.create('/x', 'data');
    const d = h.tree.digest();
    h.set('/x', 'data');
    expect(h.tree.digest()).not.toBe(d);
  });
  it('changes under /zookeeper/ do not count (as ZooKeeper)', () => {
    const h = new Harness();
    const d = h.tree.digest();
    h.create('/zookeeper/quota/q');
    expect(h.tree.digest()).toBe(d);
  });
  it('fromNodes(snapshotNodes()) rebuilds an equal tree', () => {
    const h = new Harness();
    h.create('/x', 'data');
    h.create('/x/e', '', CreateMode.ephemeral, 3n);
    h.createContainer('/c');
    const copy = DataTree.fromNodes(h.tree.snapshotNodes(), h.tree.lastProcessedZxid);
    expect([...copy.snapshotNodes()]).toEqual([...h.tree.snapshotNodes()]);
    expect(copy.digest()).toBe(h.tree.digest());
    expect(copy.getEphemerals(3n)).toEqual(['/x/e']);
    expect(copy.lastProcessedZxid).toBe(h.tree.lastProcessedZxid);
    expect(copy.statNode('/x')).toEqual(h.tree.statNode('/x'));
  });
  it('fromNodes finds each parent when sibling runs are broken by deeper and similar-named nodes, and refuses an orphan', () => {
    const h = new Harness();
    for (const p of ['/a', '/a/x', '/a/x/y', '/a/z', '/ab', '/ab/c', '/a/x/w', '/b', '/b/c', '/b/c/d', '/a/q']) h.create(p);
    const copy = DataTree.fromNodes(h.tree.snapshotNodes(), h.tree.lastProcessedZxid);
    for (const p of ['/', '/a', '/a/x', '/ab', '/b', '/b/c']) expect(copy.getChildren(p)!.children.sort()).toEqual(h.tree.getChildren(p)!.children.sort());
    expect(copy.digest()).toBe(h.tree.digest());
    const nodes = [...h.tree.snapshotNodes()].filter((n) => n.path !== '/b/c');
    expect(() => DataTree.fromNodes(nodes, 1)).toThrow('snapshot node /b/c/d comes before its parent');
  });
});

describe('DataTree: compact node layout keeps every observable behaviour', () => {
  it('a leaf shows no children; emptied and refilled parents keep insertion order, cversion and pzxid', () => {
    const h = new Harness();
    h.create('/p');
    expect(h.tree.getChildren('/p')!.children).toEqual([]);
    expect(h.tree.statNode('/p')).toMatchObject({ numChildren: 0, cversion: 0 });
    h.create('/p/b');
    h.create('/p/a');
    h.del('/p/b');
    h.del('/p/a');
    const emptied = h.tree.statNode('/p')!;
    expect(emptied).toMatchObject({ numChildren: 0, cversion: 4 });
    expect(h.tree.getChildren('/p')!.children).toEqual([]);
    h.create('/p/z');
    h.create('/p/y');
    expect(h.tree.getChildren('/p')!.children).toEqual(['z', 'y']);
    expect(h.tree.statNode('/p')).toMatchObject({ numChildren: 2, cversion: 6 });
    expect(h.tree.statNode('/p')!.pzxid).toBeGreaterThan(emptied.pzxid);
    expect(h.tree.containerCandidates()).toEqual([]);
  });

  it('stores a copy of the value: neither the caller nor a reused frame can change it', () => {
    const t = new DataTree();
    const frame = new TextEncoder().encode('##hello##');
    const value = frame.subarray(2, 7);
    t.processTxn({ clientId: 1n, cxid: 1, zxid: 1, time: 5, type: OpCode.create }, { type: OpCode.create, path: '/v', data: value, acl: OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: -1 });
    frame.fill(0);
    const stored = t.getData('/v')!.data!;
    expect(new TextDecoder().decode(stored)).toBe('hello');
    expect(stored.buffer).not.toBe(frame.buffer);
  });

  it('a snapshot round trip gives the same children order, stats, data and digest', () => {
    const h = new Harness();
    h.create('/a', 'one');
    h.create('/a/x', 'two');
    h.create('/a/w');
    h.create('/e', 'eph', CreateMode.ephemeral, 7n);
    h.set('/a', 'three');
    const back = DataTree.fromNodes(h.tree.snapshotNodes(), h.tree.lastProcessedZxid);
    expect(back.digest()).toBe(h.tree.digest());
    for (const p of ['/', '/a', '/a/x', '/a/w', '/e']) {
      expect(back.getChildren(p)).toEqual(h.tree.getChildren(p));
      expect(back.getData(p)).toEqual(h.tree.getData(p));
    }
    expect(back.ephemeralPaths(7n)).toEqual(['/e']);
  });
});
