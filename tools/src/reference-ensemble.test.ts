import { describe, expect, it } from 'vitest';
import { parseSrvrMode, startReferenceEnsemble } from './reference-ensemble.js';
import { fourLetterWord, referenceZooKeeperAvailable } from './reference-zookeeper.js';

describe('parseSrvrMode', () => {
  it('reads the Mode line, or says not serving / down', () => {
    expect(parseSrvrMode('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n')).toBe('follower');
    expect(parseSrvrMode('This ZooKeeper instance is not currently serving requests\n')).toBe('not serving');
    expect(parseSrvrMode('')).toBe('down');
  });
});

describe('startReferenceEnsemble arguments', () => {
  it('refuses a size other than 3 or 5 and a bad observer count, naming the option', async () => {
    await expect(startReferenceEnsemble({ servers: 4 as 3 })).rejects.toThrow(/servers must be one of 3, 5/);
    await expect(startReferenceEnsemble({ servers: 3, observers: -1 })).rejects.toThrow(/observers must be/);
    await expect(startReferenceEnsemble({ servers: 3, tickTimeMs: 0 })).rejects.toThrow(/tickTimeMs/);
  });
});

describe.skipIf(!referenceZooKeeperAvailable())('reference ZooKeeper ensemble launcher', () => {
  it('starts 3 voters + 1 observer, re-elects after the leader is killed, restarts it, stops every pid', async () => {
    const ensemble = await startReferenceEnsemble({ servers: 3, observers: 1, tickTimeMs: 200 });
    try {
      const modes = await Promise.all(ensemble.members.map((m) => m.mode()));
      expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
      expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
      expect(modes[3]).toBe('observer');
      expect(ensemble.connectString.split(',')).toHaveLength(4);

      const old = (await ensemble.leader())!;
      await old.kill();
      expect(old.running).toBe(false);
      expect(await old.mode()).toBe('down');
      const next = await ensemble.waitForQuorum(30_000);
      expect(next.id).not.toBe(old.id);
      expect(next.role).toBe('participant');

      await old.restart();
      expect(old.running).toBe(true);
      expect(await old.mode()).toBe('follower');
      expect(await fourLetterWord(old.host, old.clientPort, 'ruok')).toBe('imok');
    } finally {
      await ensemble.stop();
    }
    for (const m of ensemble.members) {
      expect(m.running).toBe(false);
      await expect(fourLetterWord(m.host, m.clientPort, 'ruok', 1000)).rejects.toThrow();
    }
  }, 120_000);
});
