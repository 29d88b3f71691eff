import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLines, checkHistory } from '@zkts/sim';
import { runHarness } from './cli.js';
import { quantile } from './stats.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkts-harness-sim-'));
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

describe('zkts-harness sim', () => {
  it('one seed ends with the trace hash, the same for the same seed; writes the history', async () => {
    const a = await run('sim', '--seed', '5', '--servers', '5', '--election', 'fast', '--faults', 'crash,partition,loss', '--ops', '200', '--history', 'h.jsonl', '--edn', 'h.edn');
    expect(a.code).toBe(0);
    const last = a.out.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^trace sha256: [0-9a-f]{64}$/);
    const b = await run('sim', '--seed', '5', '--servers', '5', '--election', 'fast', '--faults', 'crash,partition,loss', '--ops', '200');
    expect(b.out.trimEnd().split('\n').at(-1)).toBe(last);
    const history = parseJsonLines(await readFile(join(dir, 'h.jsonl'), 'utf8'));
    expect(history.length).toBeGreaterThan(200);
    expect(checkHistory(history).valid).toBe(true);
    expect(await readFile(join(dir, 'h.edn'), 'utf8')).toMatch(/^\[\n \{:process/);
    // And the exported history checks through the check command.
    expect((await run('check', join(dir, 'h.jsonl'))).code).toBe(0);
  });

  it('runs a scripted nemesis', async () => {
    const r = await run('sim', '--seed', '2', '--faults', 'none', '--ops', '150', '--script', '200:crash-leader; 500:restart 1; 600:isolate 2; 900:heal');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d+ nemesis actions/);
  });

  it('a sweep over both strategies prints a summary table', async () => {
    const r = await run('sim', '--seeds', '1..4', '--election', 'all', '--ops', '150');
    expect(r.code).toBe(0);
    expect(r.out).toContain('sweep seeds 1..4');
    expect(r.out).toMatch(/^fast\s+4\s+0\s/m);
    expect(r.out).toMatch(/^basic\s+4\s+0\s/m);
  });

  it('a planted bug makes a sweep fail with the seed, the violation and a shortened trace', async () => {
    const r = await run('sim', '--seeds', '1..30', '--ops', '200', '--workloads', 'register', '--bug', 'stale-reads');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seed \d+: FAILED \(linearizability\)/);
    expect(r.out).toContain('trace lines:');
    expect(r.out).toContain('reproduce: zkts-harness sim --seed');
    expect(r.out).toContain('failed seeds:');
  });

  it('rejects bad options naming them', async () => {
    expect((await run('sim', '--servers', '0')).err).toContain('--servers: "0" is not an integer in [1, 9]');
    expect((await run('sim', '--faults', 'crash,meteor')).err).toContain('faults: "meteor"');
    expect((await run('sim', '--seeds', '9..3')).err).toContain('--seeds: "9..3"');
    expect((await run('sim', '--election', 'raft')).code).toBe(2);
    expect((await run('sim', '--frobnicate', '1')).err).toContain('unknown option --frobnicate');
    expect((await run('sim', '--workloads', 'register,bank')).err).toContain('workloads: "bank"');
    expect((await run('sim', '--script', '100:crash 7')).err).toContain('--script: nemesis script step "100:crash 7": server must be in 1..5');
  });
});

describe('zkts-harness elections', () => {
  it('compares fast and basic, writing the table and an SVG chart', async () => {
    const r = await run('elections', '--trials', '3', '--servers', '5', '--out', '.');
    expect(r.code).toBe(0);
    for (const strategy of ['fast', 'basic']) {
      expect(r.out).toMatch(new RegExp(`^none\\s+cold\\s+${strategy}\\s+0/3\\s+\\d`, 'm'));
      expect(r.out).toMatch(new RegExp(`^none\\s+failover\\s+${strategy}\\s+0/3\\s+\\d`, 'm'));
      for (const scenario of ['loss', 'partition']) expect(r.out).toMatch(new RegExp(`^${scenario}\\s+(cold|failover)\\s+${strategy}\\s+\\d/3`, 'm'));
    }
    expect(await readFile(join(dir, 'elections.txt'), 'utf8')).toBe(r.out.slice(0, r.out.indexOf('\nwrote ')));
    const svg = await readFile(join(dir, 'elections.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('none failover basic (n=3)');
  });

  it('quantiles by nearest rank', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });
});
