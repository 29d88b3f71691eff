import { describe, expect, it } from 'vitest';
import { fourLetterWord, referenceZooKeeperAvailable, startReferenceZooKeeper } from './reference-zookeeper.js';

describe.skipIf(!referenceZooKeeperAvailable())('reference ZooKeeper launcher', () => {
  it('starts Apache ZooKeeper on a free loopback port and stops it by pid', async () => {
    const zk = await startReferenceZooKeeper();
    try {
      expect(zk.port).toBeGreaterThan(0);
      const srvr = await fourLetterWord(zk.host, zk.port, 'srvr');
      expect(srvr).toMatch(/^Zookeeper version: 3\.8/);
      expect(srvr).toContain('Mode: standalone');
    } finally {
      await zk.stop();
    }
    await expect(fourLetterWord(zk.host, zk.port, 'ruok', 1000)).rejects.toThrow();
  });
});
