import { describe, expect, it } from 'vitest';
import { javaIdHash, userNameOf, zooKeeperAuthOrder } from './order.js';

describe('ZooKeeper auth id order', () => {
  it('hashes an Id as the generated jute record does', () => {
    // new org.apache.zookeeper.data.Id("ip", "127.0.0.1").hashCode() in Java 17
    expect(javaIdHash({ scheme: 'ip', id: '127.0.0.1' })).toBe(1506146057);
  });
  it('orders digest ids before the ip id as ZooKeeper 3.8 lists them', () => {
    // Observed from ZooKeeper 3.8 whoAmI after addauth alice, then bob (see server/src/auth-oracle.test.ts).
    const ip = { scheme: 'ip', id: '127.0.0.1' };
    const alice = { scheme: 'digest', id: 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=' };
    const bob = { scheme: 'digest', id: 'bob:ikIaKsbtGweaHnb/jKn7OHqbunM=' };
    expect(zooKeeperAuthOrder([ip, alice, bob])).toEqual([alice, bob, ip]);
  });
  it('names users as getUserName does', () => {
    expect(userNameOf({ scheme: 'digest', id: 'alice:hash' })).toBe('alice');
    expect(userNameOf({ scheme: 'ip', id: '10.0.0.1' })).toBe('10.0.0.1');
    expect(userNameOf({ scheme: 'super', id: '' })).toBe('');
  });
});
