import { describe, expect, it } from 'vitest';
import { CreateMode, ErrorCode, OpCode, OPEN_ACL_UNSAFE, Perms } from '@zkts/protocol';
import type { ACL } from '@zkts/protocol';
import { OutstandingChanges, prepareRequest } from './prep.js';
import { Harness, enc } from './test-support/harness.js';

const create = (path: string, flags: number = CreateMode.persistent) =>
  ({ type: OpCode.create, path, data: enc(''), acl: OPEN_ACL_UNSAFE, flags }) as const;

describe('prepareRequest: create errors', () => {
  it('NoNode when the parent is missing', () => {
    expect(new Harness().run(create('/a/b')).err).toBe(ErrorCode.noNode);
  });
  it('NodeExists when the node is there', () => {
    const h = new Harness();
    h.create('/a');
    expect(h.run(create('/a')).err).toBe(ErrorCode.nodeExists);
  });
  it('NoChildrenForEphemerals under an ephemeral', () => {
    const h = new Harness();
    h.create('/e', '', CreateMode.ephemeral);
    expect(h.run(create('/e/c')).err).toBe(ErrorCode.noChildrenForEphemerals);
  });
  it('NodeExists wins over NoChildrenForEphemerals', () => {
    const h = new Harness();
    h.create('/e', '', CreateMode.ephemeral);
    h.tree.processTxn({ clientId: 1n, cxid: 0, zxid: 99, time: 0, type: OpCode.create },
      { type: OpCode.create, path: '/e/c', data: null, acl: OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: -1 });
    expect(h.run(create('/e/c')).err).toBe(ErrorCode.nodeExists);
  });
  it('parent NoNode comes before NoAuth, NoAuth before NodeExists', () => {
    const h = new Harness();
    h.create('/a');
    h.create('/a/b');
    h.denied.add(`${Perms.create}:/a/b`);
    h.denied.add(`${Perms.create}:/x/y`);
    expect(h.run(create('/x/y')).err).toBe(ErrorCode.noNode);
    expect(h.run(create('/a/b')).err).toBe(ErrorCode.noAuth);
  });
  it('InvalidACL (fixup) comes before parent NoNode', () => {
    const h = new Harness();
    expect(h.run({ type: OpCode.create, path: '/x/y', data: null, acl: [], flags: 0 }).err).toBe(ErrorCode.invalidACL);
  });
  it('BadArguments for a path without slash or an invalid final path', () => {
    const h = new Harness();
    expect(h.run(create('a')).err).toBe(ErrorCode.badArguments);
    h.create('/a');
    expect(h.run(create('/a/.')).err).toBe(ErrorCode.badArguments);
  });
  it('TTL: Unimplemented when disabled, BadArguments for ttl 0', () => {
    const h = new Harness();
    const req = { type: OpCode.createTTL, path: '/t', data: null, acl: OPEN_ACL_UNSAFE, flags: CreateMode.persistentWithTtl, ttl: 0 } as const;
    expect(h.run(req, 1n, { ttlEnabled: false }).err).toBe(ErrorCode.unimplemented);
    expect(h.run(req).err).toBe(ErrorCode.badArguments);
  });
  it('EphemeralOnLocalSession for an ephemeral from a local session', () => {
    const h = new Harness();
    expect(h.run(create('/e', CreateMode.ephemeral), 1n, { ephemeralOnLocalSession: true }).err).toBe(ErrorCode.ephemeralOnLocalSession);
  });
  it('a failed request is logged as an ErrorTxn with an error header', () => {
    const h = new Harness();
    const p = prepareRequest(h.tree, create('/a/b'), h.ctx(1n));
    expect(p.hdr.type).toBe(OpCode.error);
    expect(p.txn).toEqual({ type: OpCode.error, err: ErrorCode.noNode });
  });
});

describe('prepareRequest: delete, setData, setACL, check', () => {
  it('NotEmpty when deleting a node with children', () => {
    const h = new Harness();
    h.create('/a');
    h.create('/a/b');
    expect(h.del('/a').err).toBe(ErrorCode.notEmpty);
  });
  it('BadVersion comes before NotEmpty on delete', () => {
    const h = new Harness();
    h.create('/a');
    h.create('/a/b');
    expect(h.del('/a', 3).err).toBe(ErrorCode.badVersion);
  });
  it('delete with the right version or -1 succeeds', () => {
    const h = new Harness();
    h.create('/a');
    h.create('/b');
    expect(h.del('/a', 0).err).toBe(0);
    expect(h.del('/b', -1).err).toBe(0);
  });
  it('delete of a missing node is NoNode; of a system node BadArguments', () => {
    const h = new Harness();
    expect(h.del('/nope').err).toBe(ErrorCode.noNode);
    expect(h.del('/zookeeper').err).toBe(ErrorCode.badArguments);
    expect(h.del('/').err).toBe(ErrorCode.badArguments);
  });
  it('setData BadVersion with a stale version, ok with -1', () => {
    const h = new Harness();
    h.create('/a');
    h.set('/a', 'x', 0);
    expect(h.set('/a', 'y', 0).err).toBe(ErrorCode.badVersion);
    expect(h.set('/a', 'y', -1).stat!.version).toBe(2);
  });
  it('setData NoAuth needs WRITE', () => {
    const h = new Harness();
    h.create('/a');
    h.denied.add(`${Perms.write}:/a`);
    expect(h.set('/a', 'x').err).toBe(ErrorCode.noAuth);
  });
  it('setACL checks aversion', () => {
    const h = new Harness();
    h.create('/a');
    expect(h.run({ type: OpCode.setACL, path: '/a', acl: OPEN_ACL_UNSAFE, version: 1 }).err).toBe(ErrorCode.badVersion);
  });
  it('check of a version: ok when equal, BadVersion otherwise', () => {
    const h = new Harness();
    h.create('/a');
    expect(h.run({ type: OpCode.check, path: '/a', version: 0 }).err).toBe(0);
    expect(h.run({ type: OpCode.check, path: '/a', version: 1 }).err).toBe(ErrorCode.badVersion);
  });
  it('the version after 2^31-1 wraps to MIN_VALUE, and never to -1 (ZOOKEEPER-4743)', () => {
    const h = new Harness();
    h.create('/a');
    const hdr = (zxid: number) => ({ clientId: 1n, cxid: 0, zxid, time: 0, type: OpCode.setData });
    h.tree.processTxn(hdr(100), { type: OpCode.setData, path: '/a', data: null, version: 2147483647 });
    h.zxid = 100;
    expect(h.set('/a', 'x').stat!.version).toBe(-2147483648);
    h.tree.processTxn(hdr(200), { type: OpCode.setData, path: '/a', data: null, version: -2 });
    h.zxid = 200;
    expect(h.set('/a', 'x').stat!.version).toBe(0);
  });
});

describe('prepareRequest: outstanding changes (pipelining)', () => {
  it('request N+1 sees request N before N is applied', () => {
    const h = new Harness();
    const out = new OutstandingChanges();
    const p1 = prepareRequest(h.tree, create('/a'), { ...h.ctx(1n), outstanding: out });
    const p2 = prepareRequest(h.tree, create('/a/b'), { ...h.ctx(1n), outstanding: out });
    const p3 = prepareRequest(h.tree, create('/a'), { ...h.ctx(1n), outstanding: out });
    expect([p1.err, p2.err, p3.err]).toEqual([0, 0, ErrorCode.nodeExists]);
    h.tree.processTxn(p1.hdr, p1.txn);
    out.applied(p1.hdr.zxid);
    h.tree.processTxn(p2.hdr, p2.txn);
    out.applied(p2.hdr.zxid);
    expect(out.size).toBe(0);
    expect(h.tree.statNode('/a/b')).not.toBeNull();
  });
  it('sequential numbers advance across pipelined creates (root starts at 0)', () => {
    const h = new Harness();
    const out = new OutstandingChanges();
    const seq = create('/s-', CreateMode.persistentSequential);
    const a = prepareRequest(h.tree, seq, { ...h.ctx(1n), outstanding: out });
    const b = prepareRequest(h.tree, seq, { ...h.ctx(1n), outstanding: out });
    expect([a.txn, b.txn].map((t) => ('path' in t ? t.path : ''))).toEqual(['/s-0000000000', '/s-0000000001']);
  });
  it('a pipelined delete makes the next delete NoNode', () => {
    const h = new Harness();
    h.create('/a');
    const out = new OutstandingChanges();
    prepareRequest(h.tree, { type: OpCode.delete, path: '/a', version: -1 }, { ...h.ctx(1n), outstanding: out });
    expect(prepareRequest(h.tree, { type: OpCode.delete, path: '/a', version: -1 }, { ...h.ctx(1n), outstanding: out }).err).toBe(ErrorCode.noNode);
  });
  it('a failed multi leaves no change records behind', () => {
    const h = new Harness();
    const out = new OutstandingChanges();
    const p = prepareRequest(h.tree, { type: OpCode.multi, ops: [create('/a'), create('/a')] }, { ...h.ctx(1n), outstanding: out });
    expect(p.err).toBe(ErrorCode.nodeExists);
    expect(out.size).toBe(0);
    expect(prepareRequest(h.tree, create('/a'), { ...h.ctx(1n), outstanding: out }).err).toBe(0);
  });
  it('ops of a multi see the earlier ops of the same multi', () => {
    const h = new Harness();
    const rc = h.run({ type: OpCode.multi, ops: [create('/a'), create('/a/b'), { type: OpCode.delete, path: '/a/b', version: 0 }] });
    expect(rc.err).toBe(0);
    expect(h.tree.getChildren('/a')!.children).toEqual([]);
  });
  it('closeSession also deletes ephemerals still in flight', () => {
    const h = new Harness();
    const out = new OutstandingChanges();
    const c = prepareRequest(h.tree, create('/e', CreateMode.ephemeral), { ...h.ctx(5n), outstanding: out });
    const close = prepareRequest(h.tree, { type: OpCode.closeSession }, { ...h.ctx(5n), outstanding: out });
    expect(close.txn).toEqual({ type: OpCode.closeSession, paths2Delete: ['/e'] });
    h.tree.processTxn(c.hdr, c.txn);
    h.tree.processTxn(close.hdr, close.txn);
    expect(h.tree.statNode('/e')).toBeNull();
  });
});

describe('prep at scale', () => {
  it('closes a session owning 120,000 ephemerals (no argument-count or quadratic blow-up)', async () => {
    const { DataTree } = await import('./data-tree.js');
    const tree = new DataTree();
    const owner = 77n;
    const outstanding = new OutstandingChanges();
    let zxid = 0;
    const ctx = (sessionId: bigint) => ({
      sessionId, cxid: 0, zxid: ++zxid, time: 1, checkAcl: () => true, fixupAcl: (_p: string, a: readonly ACL[]) => [...a], outstanding,
    });
    const N = 120_000;
    for (let i = 0; i < N; i++) {
      const r = prepareRequest(tree, { type: OpCode.create, path: `/e${i}`, data: null, acl: OPEN_ACL_UNSAFE, flags: CreateMode.ephemeral }, ctx(owner));
      tree.processTxn(r.hdr, r.txn);
      outstanding.applied(r.hdr.zxid);
    }
    const close = prepareRequest(tree, { type: OpCode.closeSession }, ctx(owner));
    expect(outstanding.size).toBe(2 * N); // a deletion record and the root's parent record per path
    const rc = tree.processTxn(close.hdr, close.txn);
    outstanding.applied(close.hdr.zxid);
    expect(rc.err).toBe(0);
    expect(outstanding.size).toBe(0);
    expect(tree.getChildren('/')!.children).toEqual(['zookeeper']);
  }, 60_000);
});
