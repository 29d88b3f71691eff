import { describe, expect, it } from 'vitest';
import { defaultStandaloneConfig } from './defaults.js';
import { ConfigError } from './errors.js';
import { formatConfig } from './format.js';
import { parseZooCfg } from './parse.js';

describe('formatConfig (the conf four-letter word)', () => {
  it('matches what ZooKeeper 3.8 printed for the same standalone config', () => {
    // Captured from Debian's ZooKeeper 3.8 (tools/ reference launcher), port and dir substituted.
    const zk = 'clientPort=41425\nsecureClientPort=-1\ndataDir=/tmp/zk/version-2\ndataDirSize=457\n' +
      'dataLogDir=/tmp/zk/version-2\ndataLogSize=457\ntickTime=2000\nmaxClientCnxns=0\n' +
      'minSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n';
    const cfg = parseZooCfg('tickTime=2000\ndataDir=/tmp/zk\nclientPort=41425\nmaxClientCnxns=0\n');
    expect(formatConfig(cfg, { dataDirSizeBytes: 457, dataLogSizeBytes: 457 })).toBe(zk);
  });

  it('adds the quorum lines and membership for an ensemble member', () => {
    const cfg = parseZooCfg(
      'tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/d\ndataLogDir=/l/\nclientPort=2183\n' +
        'server.1=a:2888:3888\nserver.2=b:2888:3888:participant;2182\nserver.3=c:2888:3888:observer;c:2183\nserver.4=d:2888:3888\n',
      { myid: 3 },
    );
    const out = formatConfig(cfg, { membershipVersion: 0x100000000 });
    expect(out).toBe(
      'clientPort=2183\nsecureClientPort=-1\ndataDir=/d/version-2\ndataDirSize=0\ndataLogDir=/l/version-2\n' +
        'dataLogSize=0\ntickTime=2000\nmaxClientCnxns=60\nminSessionTimeout=4000\nmaxSessionTimeout=40000\n' +
        'clientPortListenBacklog=-1\nserverId=3\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=3888\n' +
        'quorumPort=2888\npeerType=1\nmembership: \nserver.1=a:2888:3888:participant\n' +
        'server.2=b:2888:3888:participant;0.0.0.0:2182\nserver.3=c:2888:3888:observer;c:2183\n' +
        'server.4=d:2888:3888:participant\nversion=100000000',
    );
  });
});

describe('defaultStandaloneConfig', () => {
  it('is the quick-start server on 127.0.0.1:2181 with memory storage', () => {
    const cfg = defaultStandaloneConfig();
    expect(cfg.clientAddress).toEqual({ host: '127.0.0.1', port: 2181 });
    expect([cfg.tickTimeMs, cfg.minSessionTimeoutMs, cfg.maxSessionTimeoutMs]).toEqual([2000, 4000, 40000]);
    expect(cfg.zktsStorage).toBe('memory');
    expect(cfg.distributed).toBe(false);
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('derives timeouts and client address from overrides; port 0 allowed for tests', () => {
    const cfg = defaultStandaloneConfig({ tickTimeMs: 100, clientPort: 0 });
    expect([cfg.minSessionTimeoutMs, cfg.maxSessionTimeoutMs]).toEqual([200, 2000]);
    expect(cfg.clientAddress).toEqual({ host: '127.0.0.1', port: 0 });
    expect(defaultStandaloneConfig({ maxSessionTimeoutMs: 9000 }).maxSessionTimeoutMs).toBe(9000);
  });

  it('validates overrides', () => {
    expect(() => defaultStandaloneConfig({ tickTimeMs: 0 })).toThrow(ConfigError);
    expect(() => defaultStandaloneConfig({ minSessionTimeoutMs: 50_000 })).toThrow(/minSessionTimeout/);
    expect(() => defaultStandaloneConfig({ zktsStorage: 'file' })).toThrow(/dataDir is required/);
  });
});
