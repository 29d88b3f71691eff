import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfigFile } from './load.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'zkts-config-'));
  dirs.push(d);
  return d;
}

describe('loadConfigFile', () => {
  it('reads zoo.cfg and dataDir/myid', () => {
    const d = tmp();
    mkdirSync(join(d, 'data'));
    writeFileSync(join(d, 'data', 'myid'), '2\n');
    const cfgPath = join(d, 'zoo.cfg');
    writeFileSync(cfgPath, `tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir=${d}/data\nclientPort=2181\n` +
      'server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n');
    const cfg = loadConfigFile(cfgPath);
    expect(cfg.serverId).toBe(2);
    expect(cfg.fileName).toBe(cfgPath);
  });

  it('reads a relative dynamicConfigFile beside zoo.cfg', () => {
    const d = tmp();
    writeFileSync(join(d, 'zoo.cfg.dynamic'), 'server.1=h1:2888:3888;2181\nserver.2=h2:2888:3888;2181\nserver.3=h3:2888:3888;2181\n');
    mkdirSync(join(d, 'data'));
    writeFileSync(join(d, 'data', 'myid'), '1');
    writeFileSync(join(d, 'zoo.cfg'), `tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir=${d}/data\ndynamicConfigFile=zoo.cfg.dynamic\n`);
    expect(loadConfigFile(join(d, 'zoo.cfg')).servers).toHaveLength(3);
  });

  it('names the file in errors, and reports a missing file as ConfigError', () => {
    const d = tmp();
    writeFileSync(join(d, 'zoo.cfg'), 'dataDir=/x\ntickTime=soon\n');
    expect(() => loadConfigFile(join(d, 'zoo.cfg'))).toThrowError(`${join(d, 'zoo.cfg')}:2: tickTime must be`);
    expect(() => loadConfigFile(join(d, 'missing.cfg'))).toThrow(ConfigError);
  });
});
