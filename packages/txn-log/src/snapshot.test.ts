// encodeSnapshotNow: a snapshot encoded at once from the live tree view, written later unchanged.
import { describe, expect, it } from 'vitest';
import { DataTree } from '@zkts/data-tree';
import { OPEN_ACL_UNSAFE, OpCode, type Txn } from '@zkts/protocol';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotBuffer, encodeSnapshotNow } from './snapshot.js';
import { makeZxid } from './zxid.js';

function treeWith(n: number): DataTree {
  const tree = new DataTree();
  for (let i = 1; i <= n; i++) {
    const txn: Txn = { type: OpCode.create, path: `/n${i}`, data: Buffer.from(`value ${i}`), acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: -1 };
    tree.processTxn({ clientId: 1n, cxid: i, zxid: makeZxid(1, i), time: 1_700_000_000_000 + i, type: txn.type }, txn);
  }
  return tree;
}

describe('encodeSnapshotNow', () => {
  it('gives the same bytes as encoding copies of the nodes, in chunks of the asked size', () => {
    const tree = treeWith(500);
    const zxid = tree.lastProcessedZxid;
    const sessions = [{ id: 7n, timeoutMs: 4000 }];
    const now = encodeSnapshotNow(zxid, { nodes: tree.snapshotView(), sessions, digest: tree.digest() }, 2048);
    expect(now.encoded!.chunks.length).toBeGreaterThan(3);
    const bytes = Buffer.concat([...encodeSnapshot(zxid, now)]);
    expect(bytes.equals(encodeSnapshotBuffer(zxid, { nodes: tree.snapshotNodes(), sessions, digest: tree.digest() }))).toBe(true);
    const back = decodeSnapshot(bytes, 'snapshot.test');
    expect(back.nodes.length).toBe(tree.nodeCount - 1);
    expect(back.sessions).toEqual(sessions);
    expect(back.digest).toBe(tree.digest());
  });

  it('reads the tree before it returns: later changes are not in the snapshot', () => {
    const tree = treeWith(10);
    const zxid = tree.lastProcessedZxid;
    const input = encodeSnapshotNow(zxid, { nodes: tree.snapshotView(), sessions: [], digest: tree.digest() });
    const txn: Txn = { type: OpCode.setData, path: '/n1', data: Buffer.from('changed'), version: -1 };
    tree.processTxn({ clientId: 1n, cxid: 99, zxid: zxid + 1, time: 1_800_000_000_000, type: txn.type }, txn);
    const back = decodeSnapshot(Buffer.concat([...encodeSnapshot(zxid, input)]), 'snapshot.test');
    const n1 = back.nodes.find((n) => n.path === '/n1')!;
    expect(Buffer.from(n1.data!).toString()).toBe('value 1');
    expect(n1.stat.version).toBe(0);
  });

  it('refuses to be saved under another zxid', () => {
    const tree = treeWith(1);
    const input = encodeSnapshotNow(5, { nodes: tree.snapshotView(), sessions: [] });
    expect(() => [...encodeSnapshot(6, input)]).toThrow(/encoded at zxid 5 saved as 6/);
  });
});
