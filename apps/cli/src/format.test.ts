import { afterEach, describe, expect, it } from 'vitest';
import { ZooKeeperError } from '@zkts/client';
import { aclLines, cliErrorMessage, eventLines, javaDateString, javaHex, keeperMessage, permString, StatsTrack, statLines } from './format.js';
import { clientConfigString } from './commands.js';

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('javaDateString (java.util.Date#toString in TZ)', () => {
  // expected strings printed by Java 17's new Date(ms).toString() with the same TZ
  const cases: [string, string, string, string][] = [
    ['UTC', 'Tue Nov 14 22:13:20 UTC 2023', 'Sat Jul 22 04:26:40 UTC 2023', 'Thu Jan 01 00:00:00 UTC 1970'],
    ['Europe/Berlin', 'Tue Nov 14 23:13:20 CET 2023', 'Sat Jul 22 06:26:40 CEST 2023', 'Thu Jan 01 01:00:00 CET 1970'],
    ['America/New_York', 'Tue Nov 14 17:13:20 EST 2023', 'Sat Jul 22 00:26:40 EDT 2023', 'Wed Dec 31 19:00:00 EST 1969'],
    ['Asia/Kolkata', 'Wed Nov 15 03:43:20 IST 2023', 'Sat Jul 22 09:56:40 IST 2023', 'Thu Jan 01 05:30:00 IST 1970'],
    ['Australia/Sydney', 'Wed Nov 15 09:13:20 AEDT 2023', 'Sat Jul 22 14:26:40 AEST 2023', 'Thu Jan 01 10:00:00 AEST 1970'],
    ['Etc/GMT+5', 'Tue Nov 14 17:13:20 GMT-05:00 2023', 'Fri Jul 21 23:26:40 GMT-05:00 2023', 'Wed Dec 31 19:00:00 GMT-05:00 1969'],
  ];
  it.each(cases)('%s', (tz, november, july, epoch) => {
    process.env.TZ = tz;
    expect([javaDateString(1_700_000_000_000), javaDateString(1_690_000_000_000), javaDateString(0)]).toEqual([november, july, epoch]);
  });
});

describe('Stat, ACL and error text', () => {
  it('prints StatPrinter lines with Long.toHexString zxids and owners', () => {
    process.env.TZ = 'UTC';
    const lines = statLines({ czxid: 0x1a, mzxid: 0x1b, pzxid: 0x1c, ctime: 0, mtime: 0, version: 2, cversion: 3, aversion: 4, ephemeralOwner: 0x1000090f9140006n, dataLength: 5, numChildren: 6 });
    expect(lines).toEqual([
      'cZxid = 0x1a', 'ctime = Thu Jan 01 00:00:00 UTC 1970', 'mZxid = 0x1b', 'mtime = Thu Jan 01 00:00:00 UTC 1970', 'pZxid = 0x1c',
      'cversion = 3', 'dataVersion = 2', 'aclVersion = 4', 'ephemeralOwner = 0x1000090f9140006', 'dataLength = 5', 'numChildren = 6',
    ]);
    expect(javaHex(-1n)).toBe('ffffffffffffffff');
  });
  it('prints ACLs as jute ids and c d r w a letters', () => {
    expect(aclLines([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }, { perms: 1 | 16, id: { scheme: 'digest', id: 'a,b%}' } }])).toEqual([
      "'world,'anyone", ': cdrwa', "'digest,'a%2Cb%25%7D", ': ra',
    ]);
    expect(permString(0)).toBe('');
  });
  it('words errors as CliWrapperException does', () => {
    expect(cliErrorMessage(new ZooKeeperError(-101, '/x'))).toBe('Node does not exist: /x');
    expect(cliErrorMessage(new ZooKeeperError(-102, '/x'))).toBe('Insufficient permission : /x');
    expect(cliErrorMessage(new ZooKeeperError(-114))).toBe('Acl is not valid : null');
    expect(cliErrorMessage(new ZooKeeperError(-121, '/w'))).toBe('KeeperErrorCode = No such watcher for /w');
    expect(keeperMessage(-4, undefined)).toBe('KeeperErrorCode = ConnectionLoss');
  });
  it('prints watch events as zkCli\'s watcher does', () => {
    expect(eventLines({ state: 'SyncConnected', type: 'NodeDataChanged', path: '/x' }).join('\n')).toBe('\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/x');
    expect(eventLines({ state: 'Closed', type: 'None', path: null }).at(-1)).toBe('WatchedEvent state:Closed type:None path:null');
  });
});

describe('StatsTrack and config', () => {
  it('reads and writes quota strings as ZooKeeper does', () => {
    const t = new StatsTrack('count=2,bytes=100=;byteHardLimit=1000;countHardLimit=3');
    expect([t.count, t.bytes, t.byteHardLimit, t.countHardLimit]).toEqual([2n, 100n, 1000n, 3n]);
    expect(t.toString()).toBe('count=2,bytes=100=;byteHardLimit=1000;countHardLimit=3');
    expect(new StatsTrack('count=3,bytes=5').toString()).toBe('count=3,bytes=5');
    expect(new StatsTrack().toString()).toBe('count=-1,bytes=-1');
  });
  it('config -c: the version and the client addresses', () => {
    expect(clientConfigString('')).toBe(' ');
    expect(clientConfigString('server.2=h2:2888:3888:participant;h2:2181\nserver.1=h1:2888:3888;2181\nversion=100000000')).toBe('100000000 0.0.0.0:2181,h2:2181');
  });
});
