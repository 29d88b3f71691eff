// Runs the real zkts-server bin as a child process: start from a zoo.cfg on a free loopback
// port, answer four-letter words, stop on SIGTERM; refuse a bad config naming the key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fourLetterWord, freePort } from '@zkts/tools';
import { killLeftovers, startBin } from './test-support/bin.js';

afterEach(killLeftovers);

describe('zkts-server bin', () => {
  it('starts from a zoo.cfg, serves four-letter words and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkts-app-'));
    const port = await freePort();
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, `tickTime=2000\nclientPort=${port}\nclientPortAddress=127.0.0.1\nzkts.storage=memory\n4lw.commands.whitelist=ruok,srvr,conf\n`);
    const run = startBin([cfg]);
    try {
      await run.waitFor(/binding to port 127\.0\.0\.1:\d+/);
      expect(await fourLetterWord('127.0.0.1', port, 'ruok')).toBe('imok');
      const srvr = await fourLetterWord('127.0.0.1', port, 'srvr');
      expect(srvr).toMatch(/^Zookeeper version: 3\.8\.0-zkts/);
      expect(srvr).toContain('Mode: standalone');
      expect(await fourLetterWord('127.0.0.1', port, 'conf')).toContain(`clientPort=${port}`);
      expect(await fourLetterWord('127.0.0.1', port, 'wchs')).toBe('wchs is not executed because it is not in the whitelist.\n');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('shutdown complete');
  });

  it('refuses a bad value with exit code 2 and a message naming the key and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkts-app-'));
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, 'clientPort=2181\ntickTime=soon\n');
    const run = startBin([cfg]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/zoo\.cfg:2: tickTime must be a positive integer/);
  });

  it('refuses an unknown key, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkts-app-'));
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, 'clientPort=2181\ndataDir=/tmp/x\nzkts.storage=memory\ntickTim=2000\n');
    const run = startBin([cfg]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('tickTim');
  });

  it('prints usage with --help and exits 0', async () => {
    const run = startBin(['--help']);
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('usage: zkts-server [zoo.cfg]');
  });
});
