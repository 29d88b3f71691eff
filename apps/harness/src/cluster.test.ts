import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHistory, parseJsonLines } from '@zkts/sim';
import { runHarness } from './cli.js';
import { findServerBin } from './cluster/ensemble.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkts-harness-cluster-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runHarness(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: dir });
  return { code, out, err };
}

const serverBuilt = ((): boolean => {
  try {
    return existsSync(findServerBin());
  } catch {
    return false;
  }
})();

describe('zkts-harness cluster', () => {
  it('rejects bad options naming them', async () => {
    expect((await run('cluster', '--servers', '4')).err).toMatch(/--servers: "4" is not one of 3\|5/);
    expect((await run('cluster', '--faults', 'kill,partition')).err).toMatch(/--faults: "partition"/);
    expect((await run('cluster', '--ops', '0')).code).toBe(2);
  });

  it.skipIf(!serverBuilt)('3 real servers, ~200 ops, one kill and one stop: a valid, checkable history and converged members', async () => {
    const r = await run('cluster', '--servers', '3', '--ops', '200', '--clients', '3', '--rate', '40', '--faults', 'kill,stop', '--seed', '7', '--history', 'c.jsonl');
    expect(r.out).toMatch(/history check \(zookeeper model\): valid/);
    expect(r.out).toMatch(/every member has the same data/);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/SIGKILL server \d, restarted/);
    expect(r.out).toMatch(/SIGSTOP server \d, SIGCONT/);
    const ops = /operations: (\d+) invoked, (\d+) ok, (\d+) fail, (\d+) info/.exec(r.out)!;
    expect(Number(ops[1])).toBeGreaterThanOrEqual(200);
    expect(Number(ops[2])).toBeGreaterThan(50);
    const history = parseJsonLines(await readFile(join(dir, 'c.jsonl'), 'utf8'));
    expect(history.filter((e) => e.type === 'invoke').length).toBe(Number(ops[1]));
    expect(checkHistory(history, { model: 'zookeeper' }).valid).toBe(true);
    expect((await run('check', join(dir, 'c.jsonl'))).code).toBe(0);
  }, 90_000);
});
