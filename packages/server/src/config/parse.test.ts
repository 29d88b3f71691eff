import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseZooCfg } from './parse.js';

/** Debian's /etc/zookeeper/conf/zoo.cfg (ZooKeeper 3.8 sample), inlined so the test is hermetic. */
const DEBIAN_ZOO_CFG = `# The number of milliseconds of each tick
tickTime=2000
# The number of ticks that the initial 
# synchronization phase can take
initLimit=10
# The number of ticks that can pass between 
# sending a request and getting an acknowledgement
syncLimit=5
# the directory where the snapshot is stored.
dataDir=/tmp/zookeeper
# the port at which the clients will connect
clientPort=2181
#maxClientCnxns=60
#autopurge.snapRetainCount=3
#autopurge.purgeInterval=1
#metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
#metricsProvider.httpPort=7000
`;

const ENSEMBLE = `tickTime=2000
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper
clientPort=2181
server.1=zoo1:2888:3888
server.2=zoo2:2888:3888
server.3=zoo3:2888:3888
`;

/** The 3.5+ form: role and client address on the server line, no clientPort key. */
const ENSEMBLE_DYNAMIC_FORM = `tickTime=2000
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper
server.1=127.0.0.1:2888:3888:participant;2181
server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182
server.3=127.0.0.1:2890:3890:participant;0.0.0.0:2183
server.4=127.0.0.1:2891:3891:observer;2184
`;

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseZooCfg: real-world files', () => {
  it('parses Debian\'s zoo.cfg', () => {
    const cfg = parseZooCfg(DEBIAN_ZOO_CFG);
    expect(cfg.tickTimeMs).toBe(2000);
    expect(cfg.initLimitTicks).toBe(10);
    expect(cfg.syncLimitTicks).toBe(5);
    expect(cfg.dataDir).toBe('/tmp/zookeeper');
    expect(cfg.dataLogDir).toBe('/tmp/zookeeper');
    expect(cfg.clientAddress).toEqual({ host: '0.0.0.0', port: 2181 });
    expect(cfg.distributed).toBe(false);
    expect(cfg.zktsStorage).toBe('file');
    expect(cfg.warnings).toEqual([]);
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.servers)).toBe(true);
  });

  it.runIf(existsSync('/etc/zookeeper/conf/zoo.cfg'))('parses the zoo.cfg installed on this machine', () => {
    const cfg = parseZooCfg(readFileSync('/etc/zookeeper/conf/zoo.cfg', 'utf8'));
    expect(cfg.tickTimeMs).toBeGreaterThan(0);
  });

  it('parses a 3-server ensemble (classic form) with myid', () => {
    const cfg = parseZooCfg(ENSEMBLE, { myid: 2 });
    expect(cfg.distributed).toBe(true);
    expect(cfg.serverId).toBe(2);
    expect(cfg.servers.map((s) => [s.id, s.host, s.quorumPort, s.electionPort, s.role])).toEqual([
      [1, 'zoo1', 2888, 3888, 'participant'], [2, 'zoo2', 2888, 3888, 'participant'], [3, 'zoo3', 2888, 3888, 'participant'],
    ]);
    expect(cfg.clientAddress).toEqual({ host: '0.0.0.0', port: 2181 });
    expect(cfg.peerType).toBe('participant');
  });

  it('parses the ;clientPort form with observers and reads myid from the files map', () => {
    const cfg = parseZooCfg(ENSEMBLE_DYNAMIC_FORM, { files: { '/var/lib/zookeeper/myid': '2\n' } });
    expect(cfg.serverId).toBe(2);
    expect(cfg.clientAddress).toEqual({ host: '127.0.0.1', port: 2182 });
    expect(cfg.servers[0]!.clientAddress).toEqual({ host: '0.0.0.0', port: 2181 });
    expect(cfg.servers[3]!.role).toBe('observer');
    const observer = parseZooCfg(ENSEMBLE_DYNAMIC_FORM, { myid: 4 });
    expect(observer.peerType).toBe('observer');
    expect(observer.clientAddress).toEqual({ host: '0.0.0.0', port: 2184 });
  });

  it('reads the membership from dynamicConfigFile when given', () => {
    const main = 'tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir=/d\ndynamicConfigFile=/d/zoo.cfg.dynamic\n';
    const dyn = 'server.1=h1:2888:3888;2181\nserver.2=h2:2888:3888;2181\nserver.3=h3:2888:3888;2181\n';
    const cfg = parseZooCfg(main, { myid: 1, files: { '/d/zoo.cfg.dynamic': dyn } });
    expect(cfg.servers).toHaveLength(3);
    expect(cfg.clientAddress).toEqual({ host: '0.0.0.0', port: 2181 });
    expect(errorOf(() => parseZooCfg(main + 'server.1=h:1:2\n', { myid: 1, files: { '/d/zoo.cfg.dynamic': dyn } })).key).toBe('server.1');
    expect(errorOf(() => parseZooCfg(main, { myid: 1 })).message).toMatch(/could not be read/);
  });
});

describe('parseZooCfg: defaults', () => {
  const minimal = 'dataDir=/d\nclientPort=2181\n';

  it('derives session timeouts from tickTime (2x and 20x)', () => {
    const cfg = parseZooCfg('tickTime=1500\n' + minimal);
    expect(cfg.minSessionTimeoutMs).toBe(3000);
    expect(cfg.maxSessionTimeoutMs).toBe(30000);
  });

  it('uses ZooKeeper\'s defaults when keys are absent', () => {
    const cfg = parseZooCfg(minimal);
    expect(cfg.tickTimeMs).toBe(3000); // ZooKeeperServer.DEFAULT_TICK_TIME
    expect(cfg.maxClientCnxns).toBe(60);
    expect(cfg.globalOutstandingLimit).toBe(1000);
    expect(cfg.autopurgeSnapRetainCount).toBe(3);
    expect(cfg.autopurgePurgeIntervalHours).toBe(0);
    expect(cfg.snapCount).toBe(100000);
    expect(cfg.juteMaxBufferBytes).toBe(0xfffff);
    expect(cfg.adminServerPort).toBe(8080);
    expect(cfg.forceSync).toBe(true);
    expect(cfg.fourLetterWordWhitelist).toEqual(['srvr']);
    expect(cfg.enabledFourLetterWords).toEqual(['srvr']);
    expect(cfg.zktsElection).toBe('fast');
  });

  it('keeps explicit session timeouts and checks min <= max', () => {
    const cfg = parseZooCfg(minimal + 'minSessionTimeout=1000\nmaxSessionTimeout=5000\n');
    expect([cfg.minSessionTimeoutMs, cfg.maxSessionTimeoutMs]).toEqual([1000, 5000]);
    const e = errorOf(() => parseZooCfg(minimal + 'tickTime=2000\nminSessionTimeout=50000\n'));
    expect(e.key).toBe('minSessionTimeout');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/minSessionTimeout \(50000 ms\) must not be larger than maxSessionTimeout \(40000 ms\)/);
  });

  it('4lw whitelist: * enables all, srvr always on, isro with read-only mode', () => {
    expect(parseZooCfg(minimal + '4lw.commands.whitelist=*\n').enabledFourLetterWords).toContain('wchc');
    expect(parseZooCfg(minimal + '4lw.commands.whitelist=stat, ruok , conf\n').enabledFourLetterWords)
      .toEqual(['conf', 'ruok', 'srvr', 'stat']);
    expect(parseZooCfg(minimal + 'readonlymode.enabled=true\n').enabledFourLetterWords).toEqual(['isro', 'srvr']);
  });

  it('raises autopurge.snapRetainCount below 3 to 3 with a warning, as ZooKeeper does', () => {
    const cfg = parseZooCfg(minimal + 'autopurge.snapRetainCount=1\n');
    expect(cfg.autopurgeSnapRetainCount).toBe(3);
    expect(cfg.warnings.join()).toMatch(/snapRetainCount 1 raised/);
  });

  it('keeps the last of duplicate keys and warns', () => {
    const cfg = parseZooCfg(minimal + 'tickTime=1000\ntickTime=2000\n');
    expect(cfg.tickTimeMs).toBe(2000);
    expect(cfg.warnings.join()).toMatch(/zoo\.cfg:4: tickTime repeats line 3/);
  });

  it('accepts jute.maxbuffer in hex, as Integer.getInteger does', () => {
    expect(parseZooCfg(minimal + 'jute.maxbuffer=0x400000\n').juteMaxBufferBytes).toBe(4194304);
  });
});

describe('parseZooCfg: every typed key rejects a bad value, naming key, line and value', () => {
  const base = 'dataDir=/d\nclientPort=2181\n';
  const cases: [string, string][] = [
    ['tickTime', 'abc'], ['tickTime', '0'], ['tickTime', '-5'], ['tickTime', '1.5'], ['tickTime', '99999999999'],
    ['initLimit', 'x'], ['initLimit', '0'], ['syncLimit', 'x'], ['connectToLearnerMasterLimit', '-1'],
    ['minSessionTimeout', 'x'], ['maxSessionTimeout', '0'], ['dataLogDir', ''],
    ['snapCount', '1'], ['snapSizeLimitInKb', 'big'], ['preAllocSize', '0'], ['forceSync', 'maybe'],
    ['autopurge.snapRetainCount', 'x'], ['autopurge.purgeInterval', '-1'],
    ['clientPort', '70000'], ['clientPort', '0'], ['clientPortAddress', 'a b'],
    ['secureClientPort', 'x'], ['secureClientPortAddress', ''], ['clientPortListenBacklog', '0'],
    ['maxClientCnxns', '-1'], ['maxCnxns', 'many'], ['globalOutstandingLimit', '0'], ['jute.maxbuffer', '1MB'],
    ['4lw.commands.whitelist', 'stat,ruk'], ['extendedTypesEnabled', 'yes'], ['readonlymode.enabled', '1'],
    ['localSessionsEnabled', 'on'], ['localSessionsUpgradingEnabled', 'x'], ['skipACL', 'sometimes'],
    ['audit.enable', 'x'], ['znode.container.checkIntervalMs', '0'], ['znode.container.maxPerMinute', 'x'],
    ['admin.enableServer', 'x'], ['admin.serverPort', '-1'], ['admin.serverAddress', 'a b'],
    ['DigestAuthenticationProvider.superDigest', 'nocolon'], ['metricsProvider.className', ''],
    ['peerType', 'leader'], ['electionAlg', '1'], ['electionAlg', 'x'], ['standaloneEnabled', 'x'],
    ['reconfigEnabled', 'x'], ['dynamicConfigFile', ''], ['quorumListenOnAllIPs', 'x'], ['syncEnabled', 'x'],
    ['sslQuorum', 'x'], ['multiAddress.enabled', 'x'], ['multiAddress.reachabilityCheckEnabled', 'x'],
    ['multiAddress.reachabilityCheckTimeoutMs', '0'], ['zkts.storage', 'disk'], ['zkts.election', 'raft'],
    ['zkts.transport', 'udp'], ['zkts.logLevel', 'trace'], ['weight.1', 'x'], ['group.1', '1,2'],
  ];
  it.each(cases)('%s=%s', (key, value) => {
    const e = errorOf(() => parseZooCfg(`${base}${key}=${value}\n`));
    expect(e.key).toBe(key);
    expect(e.line).toBe(3);
    expect(e.message).toContain(`zoo.cfg:3: ${key}`);
    // the whitelist names the one bad word; every other key quotes the whole value
    expect(e.message).toContain(`"${key === '4lw.commands.whitelist' ? value.split(',').at(-1) : value}"`);
  });

  it('formats the message as file:line: key must be ..., got "value"', () => {
    const e = errorOf(() => parseZooCfg('dataDir=/d\nclientPort=2181\ntickTime=abc\n', { fileName: 'zoo.cfg' }));
    expect(e.message).toBe('zoo.cfg:3: tickTime must be a positive integer (milliseconds), got "abc"');
  });

  it('accepts valid values of the boolean and yes/no keys', () => {
    const cfg = parseZooCfg(base + 'forceSync=no\nskipACL=yes\nextendedTypesEnabled=TRUE\nlocalSessionsEnabled=false\n');
    expect([cfg.forceSync, cfg.skipAcl, cfg.extendedTypesEnabled, cfg.localSessionsEnabled]).toEqual([false, true, true, false]);
  });
});

describe('parseZooCfg: unknown and unimplemented keys', () => {
  const base = 'dataDir=/d\nclientPort=2181\n';

  it('rejects an unknown key by name, with a hint for a near miss', () => {
    const e = errorOf(() => parseZooCfg(base + 'tickTme=2000\n'));
    expect(e.key).toBe('tickTme');
    expect(e.line).toBe(3);
    expect(e.message).toBe('zoo.cfg:3: unknown key "tickTme" (did you mean tickTime?)');
    expect(errorOf(() => parseZooCfg(base + 'frobnicate=1\n')).message).toBe('zoo.cfg:3: unknown key "frobnicate"');
  });

  it('accepts zookeeper.* keys as pass-through with a warning', () => {
    const cfg = parseZooCfg(base + 'zookeeper.anything=1\n');
    expect(cfg.passThrough).toEqual({ 'zookeeper.anything': '1' });
    expect(cfg.warnings).toEqual(['zoo.cfg:3: zookeeper.anything is passed through and not used by zkts']);
  });

  it('accepts ZooKeeper keys zkts does not implement, with warnings', () => {
    const cfg = parseZooCfg(base + 'observerMasterPort=2191\nssl.keyStore.location=/k\nportUnification=true\nsslQuorum=true\n');
    expect(Object.keys(cfg.passThrough)).toEqual(['observerMasterPort', 'ssl.keyStore.location', 'portUnification']);
    expect(cfg.warnings).toHaveLength(4);
    expect(cfg.warnings[0]).toMatch(/observerMasterPort is a ZooKeeper setting zkts does not implement/);
    expect(cfg.warnings[3]).toMatch(/sslQuorum is not implemented/);
  });

  it('stores authProvider.N, metricsProvider.*, group.N and weight.N with warnings', () => {
    const cfg = parseZooCfg(base +
      'authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n' +
      'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\n' +
      'metricsProvider.httpPort=7000\ngroup.1=1:2:3\nweight.1=2\n' +
      'DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=\n');
    expect(cfg.authProviders).toEqual({ 1: 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider' });
    expect(cfg.metricsProviderConfig).toEqual({ httpPort: '7000' });
    expect(cfg.groups).toEqual({ 1: [1, 2, 3] });
    expect(cfg.weights).toEqual({ 1: 2 });
    expect(cfg.superDigest).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
    expect(cfg.warnings).toHaveLength(3);
  });
});

describe('parseZooCfg: server.N and cross-key rules', () => {
  const head = 'tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/d\nclientPort=2181\n';
  const three = 'server.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888\n';

  it('rejects ids outside 1..255', () => {
    for (const id of ['0', '256', 'x', '-1']) {
      const e = errorOf(() => parseZooCfg(`${head}server.${id}=a:1:2\n`, { myid: 1 }));
      expect(e.key).toBe(`server.${id}`);
      expect(e.message).toMatch(/server id must be an integer 1\.\.255/);
    }
  });

  it('rejects malformed server lines, bad ports and equal quorum/election ports', () => {
    const bad = ['a:2888', 'a:2888:3888:leader', 'a:x:3888', 'a:2888:70000', 'a:2888:3888;x', 'a:2888:3888;1;2', ':1:2'];
    for (const v of bad) {
      const e = errorOf(() => parseZooCfg(`${head}server.1=${v}\n`));
      expect(e.key).toBe('server.1');
      expect(e.line).toBe(6);
    }
    expect(errorOf(() => parseZooCfg(`${head}server.1=a:2888:2888\n`)).message)
      .toMatch(/quorum port and election port must differ/);
  });

  it('rejects two servers sharing an address', () => {
    const e = errorOf(() => parseZooCfg(`${head}server.1=a:2888:3888\nserver.2=a:3888:3999\n`, { myid: 1 }));
    expect(e.message).toMatch(/server\.2: address a:3888 is already used by server\.1/);
  });

  it('requires myid for an ensemble, and one of the listed ids', () => {
    expect(errorOf(() => parseZooCfg(head + three)).message).toMatch(/myid is missing.*\/d\/myid/);
    expect(errorOf(() => parseZooCfg(head + three, { myid: 7 })).message).toMatch(/myid 7 is not one of the servers listed/);
    expect(errorOf(() => parseZooCfg(head + three, { files: { '/d/myid': 'one' } })).message).toMatch(/\/d\/myid: myid must be a server id/);
  });

  it('requires initLimit and syncLimit for an ensemble', () => {
    const e = errorOf(() => parseZooCfg('dataDir=/d\nclientPort=2181\nsyncLimit=2\n' + three, { myid: 1 }));
    expect(e.key).toBe('initLimit');
  });

  it('a single server line runs standalone with a warning (ZooKeeper compatibility)', () => {
    const cfg = parseZooCfg(head + 'server.1=a:2888:3888\n');
    expect(cfg.distributed).toBe(false);
    expect(cfg.warnings.join()).toMatch(/only one server listed/);
    expect(parseZooCfg(head + 'standaloneEnabled=false\nserver.1=a:2888:3888\n', { myid: 1 }).distributed).toBe(true);
  });

  it('rejects observers without a quorum of participants', () => {
    expect(errorOf(() => parseZooCfg(head + 'server.1=a:1:2:observer\n')).message).toMatch(/observers without participants/);
  });

  it('requires clientPort unless the server line has the client address', () => {
    const noPort = 'tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/d\n';
    expect(errorOf(() => parseZooCfg(noPort)).key).toBe('clientPort');
    expect(errorOf(() => parseZooCfg(noPort + three, { myid: 1 })).key).toBe('clientPort');
    expect(errorOf(() => parseZooCfg(noPort + 'clientPortAddress=1.2.3.4\n')).key).toBe('clientPortAddress');
  });

  it('rejects a clientPort that contradicts this server\'s line', () => {
    const e = errorOf(() => parseZooCfg(head + 'server.1=a:1:2;2182\nserver.2=b:1:2;2182\n', { myid: 1 }));
    expect(e.key).toBe('clientPort');
    expect(e.line).toBe(5);
  });

  it('requires dataDir for durable storage only', () => {
    expect(errorOf(() => parseZooCfg('clientPort=2181\n')).key).toBe('dataDir');
    expect(errorOf(() => parseZooCfg('clientPort=2181\nzkts.storage=rocksdb\n')).message).toMatch(/zkts.storage is rocksdb/);
    expect(parseZooCfg('clientPort=2181\nzkts.storage=memory\n').dataDir).toBeUndefined();
  });

  it('parses [ipv6] hosts and multi-address lines when enabled', () => {
    const cfg = parseZooCfg(head.replace('clientPort=2181\n', '') + 'multiAddress.enabled=true\nserver.1=[::1]:2888:3888|10.0.0.1:2888:3888\nserver.2=[::1]:2889:3889;[::1]:2182\n', { myid: 2 });
    expect(cfg.servers[0]!.addresses.map((a) => a.host)).toEqual(['::1', '10.0.0.1']);
    expect(cfg.servers[1]!.clientAddress).toEqual({ host: '::1', port: 2182 });
    expect(errorOf(() => parseZooCfg(head + 'server.1=a:1:2|b:1:2\n')).message).toMatch(/multiAddress.enabled/);
  });

  it('warns when peerType disagrees with the server list and uses the list', () => {
    const cfg = parseZooCfg(head + 'peerType=observer\n' + three, { myid: 1 });
    expect(cfg.peerType).toBe('participant');
    expect(cfg.warnings.join()).toMatch(/peerType observer does not match server\.1/);
  });
});
