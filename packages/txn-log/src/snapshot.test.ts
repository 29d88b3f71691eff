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

  it('decodes runs of equal and different ACLs, owners and data exactly (the decoder reuses equal ACL bytes)', () => {
    const acls = [
      [...OPEN_ACL_UNSAFE],
      [{ perms: 1, id: { scheme: 'digest', id: 'u:abc' } }],
      [{ perms: 1, id: { scheme: 'digest', id: 'u:abd' } }],
      [{ perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } }, { perms: 1, id: { scheme: 'world', id: 'anyone' } }],
    ];
    const nodes = [{ path: '/', data: null, acl: [...OPEN_ACL_UNSAFE], stat: { czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n } }];
    const pick = [0, 0, 1, 1, 2, 3, 3, 0, 2, 2];
    pick.forEach((a, i) => {
      const owner = i % 3 === 0 ? 0n : BigInt(i) * 0x1_0000_0001n;
      nodes.push({ path: `/n${i}`, data: i % 4 === 0 ? null : Buffer.from(`d${i}`) as unknown as null, acl: acls[a]!, stat: { czxid: i + 1, mzxid: i + 2, pzxid: i + 3, ctime: 1_700_000_000_000 + i, mtime: 1_700_000_000_001 + i, version: i, cversion: 3 - i, aversion: 2 * i, ephemeralOwner: owner } });
    });
    const back = decodeSnapshot(encodeSnapshotBuffer(9, { nodes, sessions: [] }), 'snapshot.test');
    expect(back.nodes.map((n) => ({ ...n, data: n.data === null ? null : Buffer.from(n.data).toString() }))).toEqual(
      nodes.map((n) => ({ ...n, data: n.data === null ? null : Buffer.from(n.data as unknown as Uint8Array).toString() })),
    );
    expect(back.nodes[2]!.acl).toBe(back.nodes[1]!.acl);
  });
});
