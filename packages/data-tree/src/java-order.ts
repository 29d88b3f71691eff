// ZooKeeper keeps a session's ephemeral paths in a java.util.HashSet and deletes them, when the
// session closes, in that set's iteration order, which decides the order of the watch events a
// session close fires. Reproducing the order (String.hashCode, HashMap's hash spreading and
// table size) makes those events arrive exactly as they do from ZooKeeper.

import { javaStringHash } from '@zkts/protocol';

export { javaStringHash };

const JAVA_HASHSET_INITIAL_CAPACITY = 16;
const JAVA_HASHSET_LOAD_FACTOR = 0.75;

/** The table size of a HashSet that has held at most `highWater` elements at once. */
export function javaHashSetCapacity(highWater: number): number {
  let cap = JAVA_HASHSET_INITIAL_CAPACITY;
  while (highWater > cap * JAVA_HASHSET_LOAD_FACTOR) cap *= 2;
  return cap;
}

/** HashMap.tableSizeFor: the smallest power of two at least n (1 for n <= 1). */
function tableSizeFor(n: number): number {
  let cap = 1;
  while (cap < n) cap *= 2;
  return cap;
}

/** The table size HashMap.clone() (putMapEntries into an empty map) picks for `size` entries. */
export function javaHashSetCloneCapacity(size: number): number {
  return tableSizeFor(Math.trunc(Math.fround(Math.fround(size / JAVA_HASHSET_LOAD_FACTOR) + 1)));
}

/** Stable order of `items` by their bucket in a table of `capacity`. */
function byBucket(items: readonly string[], capacity: number): string[] {
  const mask = capacity - 1;
  const bucket = (s: string): number => {
    const h = javaStringHash(s);
    return (h ^ (h >>> 16)) & mask;
  };
  return items
    .map((s, i) => ({ s, i, b: bucket(s) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((x) => x.s);
}

/**
 * The iteration order of a HashSet<String> holding `items` (given in insertion order), whose
 * size once reached `highWater`: by bucket, and within a bucket by insertion. (Buckets Java
 * turns into trees after 8 collisions are not modelled.)
 */
export function javaHashSetOrder(items: readonly string[], highWater: number = items.length): string[] {
  return byBucket(items, javaHashSetCapacity(Math.max(highWater, items.length)));
}

/**
 * The iteration order of `set.clone()` for such a set: ZooKeeper clones the session's set
 * (DataTree.getEphemerals) before deleting, and clone() re-inserts into a table sized for the
 * current size, so the order is by bucket in that smaller table, ties in the original's order.
 */
export function javaHashSetCloneOrder(items: readonly string[], highWater: number = items.length): string[] {
  if (items.length === 0) return [];
  return byBucket(javaHashSetOrder(items, highWater), javaHashSetCloneCapacity(items.length));
}
