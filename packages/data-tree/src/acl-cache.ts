// Identical ACL lists shared between nodes, as ZooKeeper's ReferenceCountedACLCache does: almost
// every znode carries the same one or two lists, and a private copy of [{perms, {scheme, id}}]
// per node costs ~300 B (array, backing store, two objects, two strings) — a third of a small
// node's heap. The shared lists are frozen copies, so no caller can change another node's ACL.
import type { ACL } from '@zkts/protocol';

/** Distinct lists kept; when a new one would exceed it the cache starts over (nodes keep theirs). */
export const ACL_CACHE_ENTRIES_MAX = 4096;

export class AclCache {
  private readonly lists = new Map<string, readonly ACL[]>();
  /** The last shared list handed out: passing a node's own ACL back costs no key. */
  private last: readonly ACL[] | null = null;

  constructor(readonly maxEntries = ACL_CACHE_ENTRIES_MAX) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`AclCache maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** The shared frozen list equal to `acl` (same entries in the same order). */
  intern(acl: readonly ACL[]): readonly ACL[] {
    const last = this.last;
    if (acl === last) return acl;
    // Most creates carry the same list as the previous one: compare before building a key.
    if (last !== null && sameAcl(acl, last)) return last;
    const key = aclKey(acl);
    let shared = this.lists.get(key);
    if (shared === undefined) {
      if (this.lists.size >= this.maxEntries) this.lists.clear();
      shared = Object.freeze(acl.map((a) => Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) })));
      this.lists.set(key, shared);
    }
    this.last = shared;
    return shared;
  }

  get size(): number {
    return this.lists.size;
  }
}

function sameAcl(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

/** Lengths make the key unambiguous whatever characters a scheme or id holds. */
function aclKey(acl: readonly ACL[]): string {
  let key = '';
  for (const a of acl) key += `${a.perms}|${a.id.scheme.length}|${a.id.scheme}|${a.id.id.length}|${a.id.id}|`;
  return key;
}
