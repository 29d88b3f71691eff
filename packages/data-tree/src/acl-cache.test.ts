import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE, OpCode, type ACL } from '@zkts/protocol';
import { AclCache } from './acl-cache.js';
import { DataTree } from './data-tree.js';

const digestAcl = (id: string, perms = 31): ACL[] => [{ perms, id: { scheme: 'digest', id } }];

describe('AclCache', () => {
  it('hands out one frozen list for equal lists and keeps different ones apart', () => {
    const c = new AclCache();
    const a = c.intern(digestAcl('u:x'));
    const b = c.intern(digestAcl('u:x'));
    expect(b).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a[0]) && Object.isFrozen(a[0]!.id)).toBe(true);
    expect(c.intern(digestAcl('u:x', 1))).not.toBe(a);
    expect(c.intern(digestAcl('u:y'))).not.toBe(a);
    // Order matters, as in ZooKeeper's ACL lists.
    const two = [...digestAcl('u:x'), ...digestAcl('u:y')];
    expect(c.intern(two)).not.toBe(c.intern([two[1]!, two[0]!]));
  });

  it('is not fooled by separators inside scheme or id', () => {
    const c = new AclCache();
    const a = c.intern([{ perms: 1, id: { scheme: 'a|1', id: 'b' } }]);
    const b = c.intern([{ perms: 1, id: { scheme: 'a', id: '1|b' } }]);
    expect(b).not.toBe(a);
    expect(b[0]!.id).toEqual({ scheme: 'a', id: '1|b' });
  });

  it('a caller changing its array afterwards does not change the shared list', () => {
    const c = new AclCache();
    const mine = digestAcl('u:x');
    const shared = c.intern(mine);
    mine[0]!.perms = 1;
    mine.push(...digestAcl('u:z'));
    expect(shared).toEqual(digestAcl('u:x'));
  });

  it('starts over at maxEntries instead of growing without bound', () => {
    const c = new AclCache(3);
    for (let i = 0; i < 10; i++) c.intern(digestAcl(`u:${i}`));
    expect(c.size).toBeLessThanOrEqual(3);
    expect(c.intern(digestAcl('u:9'))).toEqual(digestAcl('u:9'));
    expect(() => new AclCache(0)).toThrow(/maxEntries/);
  });

  it('the tree shares ACL lists between nodes created from separate requests', () => {
    const t = new DataTree();
    const hdr = (zxid: number) => ({ clientId: 1n, cxid: zxid, zxid, time: 1000, type: OpCode.create });
    for (let i = 1; i <= 3; i++) {
      t.processTxn(hdr(i), { type: OpCode.create, path: `/n${i}`, data: new Uint8Array(1), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], ephemeral: false, parentCVersion: -1 });
    }
    expect(t.getNode('/n1')!.acl).toBe(t.getNode('/n2')!.acl);
    expect(t.getNode('/n3')!.acl).toEqual(OPEN_ACL_UNSAFE);
    expect(t.getACL('/n1')!.acl).toEqual([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
  });
});
