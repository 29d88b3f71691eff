// zkts-cli against an in-process zkts server: one command from argv (output, stream, exit code),
// scripts from a pipe, --json, watch events, connection loss, completion, and the built bin.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '@zkts/client';
import { defaultStandaloneConfig, memoryLogger, startStandaloneServer } from '@zkts/server';
import { freePort } from '@zkts/tools';
import { complete } from './cli.js';
import { Shell } from './shell.js';
import { runZktsCli } from './test-support/transcript.js';

let server: Awaited<ReturnType<typeof startStandaloneServer>>;
let S = '';
let zk: ZooKeeperClient;

beforeAll(async () => {
  server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0, extendedTypesEnabled: true }), { logger: memoryLogger() });
  S = `${server.listenAddress!.host}:${server.listenAddress!.port}`;
  zk = await ZooKeeperClient.connect(S);
  await zk.create('/c', 'top');
  await zk.create('/c/alpha', 'a');
  await zk.create('/c/alpine', 'b');
  await zk.create('/c/beta', null);
});
afterAll(async () => {
  await zk?.close();
  await server?.stop();
});

describe('one command from argv', () => {
  it('prints only the command output (no banner) and exits 0', async () => {
    const r = await runZktsCli(['-server', S, 'get', '/c'], undefined);
    expect(r).toEqual({ stdout: 'top\n', stderr: '', exitCode: 0 });
    expect((await runZktsCli(['-server', S, 'ls', '/c'], undefined)).stdout).toBe('[alpha, alpine, beta]\n');
  });
  it('sends errors to stderr with exit code 1, usage errors too, unknown commands 127', async () => {
    expect(await runZktsCli(['-server', S, 'get', '/nope'], undefined)).toEqual({ stdout: '', stderr: 'Node does not exist: /nope\n', exitCode: 1 });
    expect(await runZktsCli(['-server', S, 'stat'], undefined)).toEqual({ stdout: '', stderr: 'stat [-w] path\n', exitCode: 1 });
    const unknown = await runZktsCli(['-server', S, 'frobnicate'], undefined);
    expect(unknown.exitCode).toBe(127);
    expect(unknown.stderr.split('\n').at(-2)).toBe('Command not found: Command not found frobnicate');
    expect(unknown.stderr).toContain('\tsetquota -n|-b|-N|-B val path\n');
  });
  it('prints "Created" on stderr as zkCli does, and keeps chroots', async () => {
    expect(await runZktsCli(['-server', `${S}/c`, 'create', '/gamma', 'g'], undefined)).toEqual({ stdout: '', stderr: 'Created /gamma\n', exitCode: 0 });
    expect(new TextDecoder().decode((await zk.getData('/c/gamma')).data!)).toBe('g');
  });
  it('refuses bad zkts-cli arguments with exit code 2', async () => {
    const r = await runZktsCli(['-server', S, '-timeout', 'x', 'ls', '/'], undefined);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^zkts-cli: -timeout must be a positive integer/);
    expect((await runZktsCli(['-server', 'h:notaport', 'ls', '/'], undefined)).stderr).toContain('connect string');
  });
  it('fails with ConnectionLoss when no server answers within -timeout', async () => {
    const port = await freePort();
    const r = await runZktsCli(['-server', `127.0.0.1:${port}`, '-timeout', '1500', 'ls', '/'], undefined);
    expect(r).toEqual({ stdout: '', stderr: 'KeeperErrorCode = ConnectionLoss for /\n', exitCode: 1 });
  });
});

describe('scripts from a pipe', () => {
  it('runs line by line, prints watch events, and exits with the last command\'s code', async () => {
    const r = await runZktsCli(['-server', S], 'get -w /c/alpha\nset /c/alpha changed\nget /c/alpha\nget /missing\n');
    expect(r.stdout).toBe('a\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/c/alpha\nchanged\n');
    expect(r.stderr).toBe('Node does not exist: /missing\n');
    expect(r.exitCode).toBe(1);
    expect((await runZktsCli(['-server', S], 'get /missing\nls /c\n')).exitCode).toBe(0);
  });
  it('prints one event when one change fires several of its watches (as Java\'s watcher set does)', async () => {
    const r = await runZktsCli(['-server', S], 'create /w1\nget -w /w1\nls -w /w1\nget -w /w1\ndelete /w1\n');
    expect(r.stdout.match(/NodeDeleted/g)).toHaveLength(1);
  });
  it('quit stops reading and keeps the previous exit code; history and redo number the lines', async () => {
    const r = await runZktsCli(['-server', S], 'get /missing\nquit\nls /\n');
    expect(r).toEqual({ stdout: '', stderr: 'Node does not exist: /missing\n', exitCode: 1 });
    const h = await runZktsCli(['-server', S], 'get /c\nhistory\nredo 0\nredo 1\nredo 9\nredo 4\n');
    // a redo is recorded as the command it ran; a failed one stays "redo 9", which cannot be redone
    expect(h.stdout).toBe('top\n0 - get /c\n1 - history\ntop\n0 - get /c\n1 - history\n2 - get /c\n3 - history\n');
    expect(h.stderr).toBe('Command index out of range\nNo redoing redos\n');
  });
  it('after close every command says "Not connected" until connect', async () => {
    const r = await runZktsCli(['-server', S], `close\nls /c\nconnect ${S}\nls /c\n`);
    expect(r.stdout).toContain('WatchedEvent state:Closed type:None path:null\nNot connected\n');
    expect(r.stdout).toContain('WatchedEvent state:SyncConnected type:None path:null');
    expect(r.stdout.endsWith('[alpha, alpine, beta, gamma]\n')).toBe(true);
  });
  it('a refused auth scheme ends the session: AuthFailed, then "Not connected"', async () => {
    const r = await runZktsCli(['-server', S], 'addauth nosuchscheme x\nls /\n');
    expect(r.stdout).toBe('\nWATCHER::\n\nWatchedEvent state:AuthFailed type:None path:null\nNot connected\n');
  });
});

describe('--json', () => {
  it('prints one object per command and per event', async () => {
    const r = await runZktsCli(['-server', S, '--json'], 'get -s -w /c/beta\nset /c/beta x\nget /missing\n');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ command: 'get', args: ['-s', '-w', '/c/beta'], exitCode: 0, result: { data: null, stat: { version: 0, numChildren: 0, ephemeralOwner: '0x0' } } });
    expect((lines[0]!.stdout as string[])[0]).toBe('null');
    expect(lines[1]).toEqual({ event: { state: 'SyncConnected', type: 'NodeDataChanged', path: '/c/beta' } });
    expect(lines[2]).toMatchObject({ command: 'set', exitCode: 0, result: { stat: { version: 1 } } });
    expect(lines[3]).toMatchObject({ command: 'get', exitCode: 1, error: { message: 'Node does not exist: /missing', code: -101, codeName: 'NONODE' }, stderr: ['Node does not exist: /missing'] });
    expect(r.stderr).toBe('');
  });
});

describe('tab completion', () => {
  it('completes command names and the children of the typed parent', async () => {
    const shell = new Shell({ out: () => undefined, err: () => undefined }, { server: S, timeoutMs: 5000, readOnly: false, json: false, banner: false });
    await shell.connect(S);
    try {
      expect(await complete(shell, 'get')).toEqual([['get', 'getAcl', 'getAllChildrenNumber', 'getEphemerals'], 'get']);
      expect(await complete(shell, 'ls /c/al')).toEqual([['alpha', 'alpine'], 'al']);
      expect(await complete(shell, 'ls /c')).toEqual([['c'], 'c']);
      expect(await complete(shell, 'ls /nope/x')).toEqual([[], 'x']);
      expect(shell.prompt()).toBe(`[zk: ${S}(CONNECTED) 0] `);
    } finally {
      await shell.shutdown();
    }
  });
});

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'zkts-cli.js');
describe.skipIf(!existsSync(join(dirname(BIN), '..', 'dist', 'main.js')))('the built bin', () => {
  it('runs a command and exits with its code', async () => {
    const child = spawn(process.execPath, [BIN, '-server', S, 'get', '/missing'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect({ code, out, err }).toEqual({ code: 1, out: '', err: 'Node does not exist: /missing\n' });
  });
});
