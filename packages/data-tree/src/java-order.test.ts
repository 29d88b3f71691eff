import { describe, expect, it } from 'vitest';
import { javaHashSetCapacity, javaHashSetCloneOrder, javaHashSetOrder, javaStringHash } from './java-order.js';

describe('Java HashSet order', () => {
  it('hashes strings as java.lang.String.hashCode', () => {
    // Values printed by Java 17: "".hashCode(), "a".hashCode(), "/eph".hashCode(), "/rnd/a/x".hashCode()
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });
  it('grows the table past three quarters full, as HashMap does', () => {
    expect(javaHashSetCapacity(0)).toBe(16);
    expect(javaHashSetCapacity(12)).toBe(16);
    expect(javaHashSetCapacity(13)).toBe(32);
    expect(javaHashSetCapacity(25)).toBe(64);
  });
  it('orders by bucket, keeping insertion order within a bucket', () => {
    expect(javaHashSetOrder(['/rnd/c0000000003', '/rnd/a/x'])).toEqual(['/rnd/c0000000003', '/rnd/a/x']);
    // clone() re-buckets into a table sized for two: ZooKeeper 3.8 deleted /rnd/a/x first.
    expect(javaHashSetCloneOrder(['/rnd/c0000000003', '/rnd/a/x'])).toEqual(['/rnd/a/x', '/rnd/c0000000003']);
    const same = ['Aa', 'BB']; // equal hash codes: one bucket, insertion order decides
    expect(javaHashSetOrder(same)).toEqual(['Aa', 'BB']);
    expect(javaHashSetOrder(['BB', 'Aa'])).toEqual(['BB', 'Aa']);
  });
  // Each vector: "<extra elements once held> <paths in insertion order>" and the order Java 17
  // printed for new ArrayList<>(set.clone()) of that set (made by /tmp scratch code, not kept).
  it.each([
    ['0 /x/a74 /a/rnd/c000000000359 /b/a/a444 /a/b92 /eph/a/lock-0000000012579 /b645 /c0000000003/a/c0000000003599 /a/b47 /lock-0000000012/b/rnd429 /c0000000003120 /rnd/c0000000003/lock-0000000012698', '/eph/a/lock-0000000012579 /b645 /a/b47 /c0000000003120 /rnd/c0000000003/lock-0000000012698 /a/rnd/c000000000359 /b/a/a444 /x/a74 /c0000000003/a/c0000000003599 /lock-0000000012/b/rnd429 /a/b92'],
    ['0 /c0000000003/x/b381 /c0000000003729 /c000000000361 /b/eph/x544 /lock-0000000012/rnd476 /eph/rnd/rnd254', '/c0000000003729 /c000000000361 /b/eph/x544 /c0000000003/x/b381 /lock-0000000012/rnd476 /eph/rnd/rnd254'],
    ['0 /lock-0000000012/b/a588 /c0000000003/eph896 /x/eph294 /a/a/c0000000003428 /lock-0000000012350 /eph431 /x79 /c0000000003/lock-0000000012/lock-0000000012321 /x/rnd608 /c0000000003/lock-0000000012467 /lock-000000001295 /eph/x680 /a748 /rnd/x/c0000000003697 /rnd/x395 /rnd/a/eph363 /c0000000003119 /a/b786 /b/x253 /eph/lock-0000000012508 /b459 /c0000000003/rnd904 /lock-0000000012440 /rnd/x/eph367 /eph/b/b84 /b237', '/rnd/x/c0000000003697 /eph/b/b84 /c0000000003/lock-0000000012467 /lock-000000001295 /rnd/x/eph367 /c0000000003119 /b/x253 /x/rnd608 /x79 /lock-0000000012350 /c0000000003/lock-0000000012/lock-0000000012321 /c0000000003/eph896 /x/eph294 /b237 /b459 /lock-0000000012/b/a588 /a/a/c0000000003428 /a748 /c0000000003/rnd904 /rnd/a/eph363 /eph/x680 /eph/lock-0000000012508 /rnd/x395 /lock-0000000012440 /eph431 /a/b786'],
    ['0 /eph851 /b/rnd/rnd4 /eph547 /c0000000003/c0000000003326 /x879 /c0000000003/x/x757 /eph921 /lock-0000000012/c0000000003/eph407 /eph/a493 /eph/a/b68 /eph166 /rnd615 /a0 /b/c0000000003/a971 /c0000000003/a72 /c0000000003385 /x258 /c0000000003/rnd485 /a869 /eph/eph495 /a/b104 /rnd/x/rnd490', '/b/rnd/rnd4 /c0000000003/a72 /x258 /c0000000003/rnd485 /rnd615 /c0000000003385 /a869 /b/c0000000003/a971 /eph/eph495 /eph547 /eph921 /eph/a493 /rnd/x/rnd490 /lock-0000000012/c0000000003/eph407 /c0000000003/c0000000003326 /eph166 /x879 /eph/a/b68 /eph851 /a0 /a/b104 /c0000000003/x/x757'],
    ['0 /a/b/c0000000003370 /x556 /lock-0000000012540 /x/lock-000000001293 /lock-0000000012/rnd/c0000000003375 /rnd790 /c0000000003554 /rnd/x/b627 /lock-0000000012245 /x/lock-0000000012232 /c0000000003504 /x/a28 /eph/rnd198 /c0000000003/rnd/eph827 /rnd/rnd/a225 /b481 /rnd209 /c0000000003/c0000000003860 /eph931 /rnd/lock-0000000012/x86 /a/eph/lock-0000000012728 /eph910 /eph808 /rnd/a/lock-0000000012968 /eph/eph/eph761 /x162 /b28', '/x556 /lock-0000000012/rnd/c0000000003375 /rnd/lock-0000000012/x86 /eph808 /rnd209 /b28 /a/b/c0000000003370 /c0000000003/c0000000003860 /x/lock-000000001293 /rnd/x/b627 /rnd790 /eph/rnd198 /x/a28 /eph/eph/eph761 /x162 /c0000000003554 /x/lock-0000000012232 /a/eph/lock-0000000012728 /c0000000003/rnd/eph827 /eph931 /eph910 /c0000000003504 /rnd/a/lock-0000000012968 /lock-0000000012245 /b481 /lock-0000000012540 /rnd/rnd/a225'],
    ['0 /lock-0000000012/b845 /a257 /rnd513 /lock-0000000012600 /rnd/c0000000003429 /a931 /rnd/eph/x597 /eph/lock-0000000012/c0000000003133 /b/c0000000003/c000000000319 /lock-0000000012/b623 /lock-0000000012818 /b144 /c0000000003/x123 /a/rnd/x530 /c0000000003/eph/lock-0000000012795 /c000000000358 /b283 /lock-0000000012100 /eph/c0000000003/a778 /eph333 /c0000000003/c0000000003/c0000000003204 /rnd/eph/c0000000003546 /c0000000003/b715 /rnd/c0000000003/b860 /b/eph124 /eph/rnd74 /b/eph/a217 /rnd/lock-0000000012/a918 /x658 /rnd/b/rnd904', '/a257 /lock-0000000012600 /a931 /rnd/eph/x597 /rnd/eph/c0000000003546 /b/eph124 /c000000000358 /c0000000003/c0000000003/c0000000003204 /c0000000003/x123 /rnd513 /eph/c0000000003/a778 /x658 /rnd/c0000000003429 /eph/lock-0000000012/c0000000003133 /lock-0000000012818 /lock-0000000012/b845 /c0000000003/b715 /lock-0000000012/b623 /eph/rnd74 /b/c0000000003/c000000000319 /b/eph/a217 /rnd/b/rnd904 /a/rnd/x530 /b283 /lock-0000000012100 /rnd/c0000000003/b860 /rnd/lock-0000000012/a918 /b144 /eph333 /c0000000003/eph/lock-0000000012795'],
  ])('matches Java 17 for %s', (input, expected) => {
    const [extra, ...paths] = input.split(' ');
    expect(javaHashSetCloneOrder(paths, paths.length + Number(extra)).join(' ')).toBe(expected);
  });
});
