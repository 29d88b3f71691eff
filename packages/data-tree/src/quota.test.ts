import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@zkts/protocol';
import { StatsTrack } from './quota.js';
import { Harness, dec } from './test-support/harness.js';

/** Sets a quota the way zkCli's setquota does: limits node, then stats node. */
function setQuota(h: Harness, path: string, limits: string) {
  h.create(`/zookeeper/quota${path}`);
  h.create(`/zookeeper/quota${path}/zookeeper_limits`, limits);
  h.create(`/zookeeper/quota${path}/zookeeper_stats`, 'count=0,bytes=0');
}
const stats = (h: Harness, path: string) => dec(h.tree.getData(`/zookeeper/quota${path}/zookeeper_stats`)!.data);

describe('StatsTrack', () => {
  it('parses and prints 3.7+ text with hard limits', () => {
    const t = StatsTrack.parse('count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2');
    expect(t.countHardLimit).toBe(2);
    expect(t.count).toBe(-1);
    expect(t.toString()).toBe('count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2');
  });
});

describe('quotas', () => {
  it('creating the stats node counts the existing subtree', () => {
    const h = new Harness();
    h.create('/q', 'ab');
    h.create('/q/x', 'cde');
    setQuota(h, '/q', 'count=10,bytes=-1');
    expect(stats(h, '/q')).toBe('count=2,bytes=5');
  });
  it('creates, setData and deletes keep the stats current', () => {
    const h = new Harness();
    h.create('/q');
    setQuota(h, '/q', 'count=10,bytes=-1');
    h.create('/q/a', '1234');
    h.set('/q/a', '12');
    expect(stats(h, '/q')).toBe('count=2,bytes=2');
    h.del('/q/a');
    expect(stats(h, '/q')).toBe('count=1,bytes=0');
  });
  it('a hard count limit fails the create with QuotaExceeded', () => {
    const h = new Harness();
    h.create('/q');
    setQuota(h, '/q', 'count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2');
    expect(h.create('/q/a').err).toBe(0);
    expect(h.create('/q/b').err).toBe(ErrorCode.quotaExceeded);
    expect(h.tree.statNode('/q/b')).toBeNull();
  });
  it('a hard byte limit fails setData with QuotaExceeded', () => {
    const h = new Harness();
    h.create('/q');
    setQuota(h, '/q', 'count=-1,bytes=-1=;byteHardLimit=4;countHardLimit=-1');
    h.create('/q/a', '1234');
    expect(h.set('/q/a', '12345').err).toBe(ErrorCode.quotaExceeded);
    expect(h.set('/q/a', '4321').err).toBe(0);
  });
  it('a soft limit is only reported', () => {
    const h = new Harness();
    h.create('/q');
    setQuota(h, '/q', 'count=1,bytes=-1');
    const rc = h.create('/q/a');
    expect(rc.err).toBe(0);
    expect(rc.warnings).toEqual(['Quota exceeded: /q [current count=2, softCountLimit=1]']);
  });
  it('enforceQuota=false turns hard limits off', () => {
    const h = new Harness();
    h.create('/q');
    setQuota(h, '/q', 'count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=1');
    expect(h.run({ type: 1, path: '/q/a', data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 }, 1n, { enforceQuota: false }).err).toBe(0);
  });
  it('deleting the limits node removes the quota', () => {
    const h = new Harness();
    h.create('/q');
    setQuota(h, '/q', 'count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=1');
    h.del('/zookeeper/quota/q/zookeeper_limits');
    expect(h.create('/q/a').err).toBe(0);
  });
  it('the deepest quota governs a path', () => {
    const h = new Harness();
    h.create('/q');
    h.create('/q/r');
    setQuota(h, '/q', 'count=100,bytes=-1');
    setQuota(h, '/q/r', 'count=100,bytes=-1');
    h.create('/q/r/x');
    expect(stats(h, '/q/r')).toBe('count=2,bytes=0');
    expect(stats(h, '/q')).toBe('count=2,bytes=0');
  });
});
