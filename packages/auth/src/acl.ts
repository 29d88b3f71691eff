// ACL evaluation as ZooKeeper's server does it: checkACL (ZooKeeperServer), fixupACL
// (PrepRequestProcessor) and the permission each operation needs (3.8's request processors).
import { ErrorCode, OpCode, Perms, type ACL, type Id } from '@zkts/protocol';
import { canonicalIp, IP_SCHEME } from './ip.js';
import { AUTH_SCHEME, DIGEST_SCHEME, SUPER_SCHEME, WORLD_ANYONE, WORLD_SCHEME } from './providers.js';
import type { AuthRegistry } from './registry.js';
import type { AuthConnection } from './types.js';

/** Longest ACL list fixupAcl accepts; jute.maxbuffer bounds it on the wire, this bounds the work. */
export const ACL_ENTRIES_MAX = 1024;

/**
 * Whether a session with `authIds` may do something needing `perm` on a node whose ACL is `acl`.
 * ZooKeeper's rules, in order: an empty ACL allows everything; a super id allows everything; an
 * entry counts when it grants ANY bit of `perm` (so READ|ADMIN means "read or admin"); world:anyone
 * matches everybody; other entries match an auth id of the same scheme per that scheme's provider.
 * Schemes with no registered provider never match.
 */
export function checkAcl(registry: AuthRegistry, acl: readonly ACL[] | null | undefined, perm: number, authIds: readonly Id[]): boolean {
  if (acl == null || acl.length === 0) return true;
  if (authIds.some((a) => a.scheme === SUPER_SCHEME)) return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === WORLD_SCHEME && id === WORLD_ANYONE) return true;
    const provider = registry.get(scheme);
    if (provider === undefined) continue;
    for (const authId of authIds) {
      if (authId.scheme === scheme && provider.matches(authId.id, id)) return true;
    }
  }
  return false;
}

function sameAcl(a: ACL, b: ACL): boolean {
  return a.perms === b.perms && a.id?.scheme === b.id?.scheme && a.id?.id === b.id?.id;
}

/**
 * Checks and expands the ACL of a create or setACL (ZooKeeper's fixupACL). Duplicates are removed;
 * then InvalidACL when the list is null or empty, an entry or its id or scheme is missing, an
 * 'auth' entry finds no authenticated id to expand to (ip and super ids do not count), or an
 * entry's scheme has no provider or the provider rejects the id. world:anyone passes as is;
 * auth:<anything> becomes one entry per authenticated id of the session, with the same perms.
 * Perms are not checked (ZooKeeper accepts any int, 0 included). `path` names the node for
 * diagnostics only, as in ZooKeeper.
 */
export function fixupAcl(
  registry: AuthRegistry,
  path: string,
  authIds: readonly Id[],
  acl: readonly (ACL | null | undefined)[] | null | undefined,
): ACL[] | typeof ErrorCode.invalidACL {
  void path;
  if (acl == null || acl.length === 0 || acl.length > ACL_ENTRIES_MAX) return ErrorCode.invalidACL;
  const unique: (ACL | null | undefined)[] = [];
  for (const a of acl) {
    if (!unique.some((u) => (u == null || a == null ? u === a : sameAcl(u, a)))) unique.push(a);
  }
  const out: ACL[] = [];
  for (const a of unique) {
    if (a == null || a.id == null || a.id.scheme == null || a.id.id == null) return ErrorCode.invalidACL;
    const { scheme, id } = a.id;
    if (scheme === WORLD_SCHEME && id === WORLD_ANYONE) {
      out.push(a);
    } else if (scheme === AUTH_SCHEME) {
      let expanded = false;
      for (const cid of authIds) {
        if (registry.get(cid.scheme)?.isAuthenticated() === true) {
          out.push({ perms: a.perms, id: { scheme: cid.scheme, id: cid.id } });
          expanded = true;
        }
      }
      if (!expanded) return ErrorCode.invalidACL;
    } else {
      const provider = registry.get(scheme);
      if (provider === undefined || !provider.isValid(id)) return ErrorCode.invalidACL;
      out.push(a);
    }
  }
  return out;
}

/** Which node's ACL an operation is checked against. */
export type AclTarget = 'parent' | 'node' | 'configNode';

export interface AclRequirement {
  readonly target: AclTarget;
  /** Passed to checkAcl: any one of these bits suffices. */
  readonly perms: number;
  /** exists checks READ only when the node exists (a missing node is no ACL failure). */
  readonly onlyIfExists?: boolean;
}

/** The node whose ACL reconfig checks (WRITE). */
export const CONFIG_NODE = '/zookeeper/config';

const parent = (perms: number): AclRequirement => Object.freeze({ target: 'parent', perms });
const node = (perms: number): AclRequirement => Object.freeze({ target: 'node', perms });

/**
 * ZooKeeper 3.8's ACL checks by opcode. Operations absent here need no ACL: sync, ping,
 * createSession, closeSession, auth, sasl, setWatches(2), addWatch, checkWatches,
 * removeWatches, getEphemerals, whoAmI and deleteContainer (the server's own container cleanup).
 * multi and multiRead check each sub-operation with this same table.
 */
export const ACL_REQUIREMENTS: ReadonlyMap<number, AclRequirement> = new Map<number, AclRequirement>([
  [OpCode.create, parent(Perms.create)],
  [OpCode.create2, parent(Perms.create)],
  [OpCode.createTTL, parent(Perms.create)],
  [OpCode.createContainer, parent(Perms.create)],
  [OpCode.delete, parent(Perms.delete)],
  [OpCode.setData, node(Perms.write)],
  [OpCode.setACL, node(Perms.admin)],
  [OpCode.check, node(Perms.read)],
  [OpCode.getData, node(Perms.read)],
  [OpCode.getChildren, node(Perms.read)],
  [OpCode.getChildren2, node(Perms.read)],
  [OpCode.getAllChildrenNumber, node(Perms.read)],
  [OpCode.exists, Object.freeze({ target: 'node', perms: Perms.read, onlyIfExists: true })],
  // READ or ADMIN may read an ACL; without ADMIN the digest hashes are masked (see redactAcl).
  [OpCode.getACL, node(Perms.read | Perms.admin)],
  [OpCode.reconfig, Object.freeze({ target: 'configNode', perms: Perms.write })],
]);

/** The ACL check an operation needs, or undefined when it needs none (see ACL_REQUIREMENTS). */
export function requiredPermission(op: number): AclRequirement | undefined {
  return ACL_REQUIREMENTS.get(op);
}

/**
 * What getACL returns to a caller without ADMIN on the node: digest ids keep the user and hide
 * the hash ("alice:x"), as ZooKeeper 3.8 does.
 */
export function redactAcl(acl: readonly ACL[]): ACL[] {
  return acl.map((a) =>
    a.id.scheme === DIGEST_SCHEME ? { perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id.replace(/:.*/g, ':x') } } : a,
  );
}

/** The ids a new connection starts with: its ip id, as ZooKeeper's server connections. */
export function initialAuthIds(conn: AuthConnection): Id[] {
  const ip = canonicalIp(conn.remoteAddress);
  return ip === undefined ? [] : [{ scheme: IP_SCHEME, id: ip }];
}
