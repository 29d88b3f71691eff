// ZooKeeper keeps a connection's auth ids in a ConcurrentHashMap-backed set, so whoAmI lists
// them, and fixupAcl expands the `auth` scheme in, that set's iteration order: by bucket of
// Id.hashCode(), insertion order within a bucket. Reproduced here so both are observably equal.
import { javaStringHash, type Id } from '@zkts/protocol';

const CHM_INITIAL_CAPACITY = 16;

/** The generated jute Id.hashCode(): 37 * (37 * 17 + scheme.hashCode()) + id.hashCode(). */
export function javaIdHash(id: Id): number {
  return (Math.imul(37, (Math.imul(37, 17) + javaStringHash(id.scheme)) | 0) + javaStringHash(id.id)) | 0;
}

/** `ids` (in insertion order) in the order ZooKeeper's connection auth set iterates them. */
export function zooKeeperAuthOrder(ids: readonly Id[]): Id[] {
  let capacity = CHM_INITIAL_CAPACITY;
  // ConcurrentHashMap doubles its table once the count reaches three quarters of it.
  while (ids.length >= capacity - (capacity >>> 2)) capacity *= 2;
  const mask = capacity - 1;
  return ids
    .map((id, i) => {
      const h = javaIdHash(id);
      return { id, i, bucket: (h ^ (h >>> 16)) & 0x7fffffff & mask };
    })
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((x) => x.id);
}

/** The user name whoAmI reports for an id (AuthenticationProvider.getUserName). */
export function userNameOf(id: Id): string {
  if (id.scheme === 'digest') return id.id.split(':')[0] ?? '';
  if (id.scheme === 'ip') return id.id;
  // 'super' has no provider in ZooKeeper's registry: its user name is empty.
  return id.scheme === 'super' ? '' : id.id;
}
