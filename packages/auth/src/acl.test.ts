import { CREATOR_ALL_ACL, ErrorCode, OpCode, OPEN_ACL_UNSAFE, Perms, type ACL, type Id } from '@zkts/protocol';
import { describe, expect, it } from 'vitest';
import { checkAcl, fixupAcl, initialAuthIds, redactAcl, requiredPermission } from './acl.js';
import { digest } from './digest.js';
import { AuthRegistry } from './registry.js';

const registry = AuthRegistry.withDefaults();
const alice: Id = { scheme: 'digest', id: digest('alice', 'pw') };
const bob: Id = { scheme: 'digest', id: digest('bob', 'pw') };
const ipId: Id = { scheme: 'ip', id: '10.1.2.3' };
const superId: Id = { scheme: 'super', id: '' };
const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } });

describe('checkAcl', () => {
  it('allows everything on an empty ACL', () => expect(checkAcl(registry, [], Perms.admin, [])).toBe(true));
  it('allows world:anyone for the granted perm', () => expect(checkAcl(registry, OPEN_ACL_UNSAFE, Perms.write, [])).toBe(true));
  it('denies world:anyone a perm it does not grant', () => {
    expect(checkAcl(registry, [acl(Perms.read, 'world', 'anyone')], Perms.write, [])).toBe(false);
  });
  it('allows a matching digest id', () => expect(checkAcl(registry, [acl(Perms.all, 'digest', alice.id)], Perms.read, [alice])).toBe(true));
  it('denies a different digest id', () => expect(checkAcl(registry, [acl(Perms.all, 'digest', alice.id)], Perms.read, [bob])).toBe(false));
  it('allows an ip id inside an ACL range', () => expect(checkAcl(registry, [acl(Perms.read, 'ip', '10.0.0.0/8')], Perms.read, [ipId])).toBe(true));
  it('denies an ip id outside the ACL range', () => expect(checkAcl(registry, [acl(Perms.read, 'ip', '10.0.0.0/16')], Perms.read, [ipId])).toBe(false));
  it('does not match ids across schemes', () => {
    expect(checkAcl(registry, [acl(Perms.read, 'ip', alice.id)], Perms.read, [alice])).toBe(false);
  });
  it('lets super pass an ACL that grants nothing to anyone', () => {
    expect(checkAcl(registry, [acl(0, 'digest', alice.id)], Perms.admin, [superId])).toBe(true);
  });
  it('counts an entry granting any one of the requested bits', () => {
    expect(checkAcl(registry, [acl(Perms.admin, 'digest', alice.id)], Perms.read | Perms.admin, [alice])).toBe(true);
  });
  it('never matches a scheme with no provider', () => {
    expect(checkAcl(new AuthRegistry(), [acl(Perms.all, 'digest', alice.id)], Perms.read, [alice])).toBe(false);
  });
  it('never matches an unexpanded auth entry', () => {
    expect(checkAcl(registry, CREATOR_ALL_ACL, Perms.read, [alice])).toBe(false);
  });
});

describe('fixupAcl', () => {
  it('rejects a null ACL', () => expect(fixupAcl(registry, '/a', [], null)).toBe(ErrorCode.invalidACL));
  it('rejects an empty ACL', () => expect(fixupAcl(registry, '/a', [], [])).toBe(ErrorCode.invalidACL));
  it('rejects an entry without an id', () => {
    expect(fixupAcl(registry, '/a', [], [{ perms: 1, id: null as unknown as Id }])).toBe(ErrorCode.invalidACL);
  });
  it('rejects auth when the session has no ids at all', () => expect(fixupAcl(registry, '/a', [], CREATOR_ALL_ACL)).toBe(ErrorCode.invalidACL));
  it('rejects auth when the session has only ip and super ids', () => {
    expect(fixupAcl(registry, '/a', [ipId, superId], CREATOR_ALL_ACL)).toBe(ErrorCode.invalidACL);
  });
  it('rejects world with an id other than anyone', () => {
    expect(fixupAcl(registry, '/a', [], [acl(Perms.all, 'world', 'someone')])).toBe(ErrorCode.invalidACL);
  });
  it('rejects an unknown scheme', () => expect(fixupAcl(registry, '/a', [], [acl(Perms.all, 'kerberos', 'x')])).toBe(ErrorCode.invalidACL));
  it('rejects a super entry', () => expect(fixupAcl(registry, '/a', [], [acl(Perms.all, 'super', '')])).toBe(ErrorCode.invalidACL));
  it('rejects a digest id without a hash part', () => {
    expect(fixupAcl(registry, '/a', [], [acl(Perms.all, 'digest', 'alice')])).toBe(ErrorCode.invalidACL);
  });
  it('rejects a digest id with three parts', () => {
    expect(fixupAcl(registry, '/a', [], [acl(Perms.all, 'digest', 'a:b:c')])).toBe(ErrorCode.invalidACL);
  });
  it('rejects a malformed ip range', () => expect(fixupAcl(registry, '/a', [], [acl(Perms.all, 'ip', '10.0.0.0/33')])).toBe(ErrorCode.invalidACL));
  it('rejects the whole list when one entry is bad', () => {
    expect(fixupAcl(registry, '/a', [], [...OPEN_ACL_UNSAFE, acl(Perms.all, 'ip', 'nope')])).toBe(ErrorCode.invalidACL);
  });
  it('keeps world:anyone as is', () => expect(fixupAcl(registry, '/a', [], OPEN_ACL_UNSAFE)).toEqual([...OPEN_ACL_UNSAFE]));
  it('expands auth to every authenticated id, skipping ip and super', () => {
    expect(fixupAcl(registry, '/a', [ipId, superId, alice, bob], [acl(Perms.read, 'auth', 'ignored')])).toEqual([
      acl(Perms.read, 'digest', alice.id),
      acl(Perms.read, 'digest', bob.id),
    ]);
  });
  it('removes duplicate entries', () => {
    expect(fixupAcl(registry, '/a', [], [acl(Perms.read, 'ip', '1.2.3.4'), acl(Perms.read, 'ip', '1.2.3.4')])).toEqual([acl(Perms.read, 'ip', '1.2.3.4')]);
  });
  it('accepts perms 0, as ZooKeeper', () => expect(fixupAcl(registry, '/a', [], [acl(0, 'world', 'anyone')])).toEqual([acl(0, 'world', 'anyone')]));
});

describe('requiredPermission', () => {
  it.each([
    [OpCode.create, 'parent', Perms.create],
    [OpCode.create2, 'parent', Perms.create],
    [OpCode.createContainer, 'parent', Perms.create],
    [OpCode.createTTL, 'parent', Perms.create],
    [OpCode.delete, 'parent', Perms.delete],
    [OpCode.setData, 'node', Perms.write],
    [OpCode.setACL, 'node', Perms.admin],
    [OpCode.getData, 'node', Perms.read],
    [OpCode.getChildren, 'node', Perms.read],
    [OpCode.getChildren2, 'node', Perms.read],
    [OpCode.getAllChildrenNumber, 'node', Perms.read],
    [OpCode.check, 'node', Perms.read],
    [OpCode.exists, 'node', Perms.read],
    [OpCode.getACL, 'node', Perms.read | Perms.admin],
    [OpCode.reconfig, 'configNode', Perms.write],
  ])('opcode %i needs %s perms %i', (op, target, perms) => {
    expect(requiredPermission(op)).toMatchObject({ target, perms });
  });
  it('checks exists only when the node exists', () => expect(requiredPermission(OpCode.exists)?.onlyIfExists).toBe(true));
  it.each([OpCode.sync, OpCode.ping, OpCode.addWatch, OpCode.setWatches, OpCode.getEphemerals, OpCode.whoAmI, OpCode.deleteContainer, OpCode.closeSession])(
    'opcode %i needs no ACL check',
    (op) => expect(requiredPermission(op)).toBeUndefined(),
  );
});

describe('helpers', () => {
  it('redacts digest hashes for getACL without ADMIN', () => {
    expect(redactAcl([acl(Perms.read, 'digest', alice.id), ...OPEN_ACL_UNSAFE])).toEqual([acl(Perms.read, 'digest', 'alice:x'), ...OPEN_ACL_UNSAFE]);
  });
  it('starts a connection with its ip id', () => {
    expect(initialAuthIds({ remoteAddress: '::ffff:192.0.2.1' })).toEqual([{ scheme: 'ip', id: '192.0.2.1' }]);
  });
});
