// Runs the real zkts-server bin as a child process: start from a zoo.cfg on a free loopback
// port, answer four-letter words, stop on SIGTERM; refuse a bad config naming the key.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fourLetterWord, freePort } from '@zkts/tools';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'zkts-server.js');

function startBin(args: string[]): { child: ChildProcess; output: () => string; waitFor: (re: RegExp) => Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  const onData = (c: Buffer): void => {
    text += c.toString();
    for (const w of waiters.splice(0)) (w.re.test(text) ? w.resolve : () => waiters.push(w))();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor: (re) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(text)) return resolve();
        waiters.push({ re, resolve });
        void exited.then(() => reject(new Error(`exited before ${re}: ${text}`)));
      }),
  };
}

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
