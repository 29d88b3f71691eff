import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness } from './cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkts-harness-check-'));
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

const line = (process: number, type: string, f: string, value: unknown = null, path = '/r') => JSON.stringify({ process, type, f, path, value });

describe('zkts-harness check', () => {
  it('exits 0 on a linearizable history and 1 naming the offending operation otherwise', async () => {
    const good = join(dir, 'good.jsonl');
    await writeFile(good, [line(0, 'invoke', 'write', 'a'), line(0, 'ok', 'write', 'a'), line(1, 'invoke', 'read'), line(1, 'ok', 'read', 'a')].join('\n'));
    expect(await run('check', '--model', 'register', good)).toMatchObject({ code: 0 });
    const stale = join(dir, 'stale.jsonl');
    await writeFile(stale, [line(0, 'invoke', 'write', 'a'), line(0, 'ok', 'write', 'a'), line(1, 'invoke', 'read'), line(1, 'ok', 'read', null)].join('\n'));
    const r = await run('check', '--model=register', stale);
    expect(r.code).toBe(1);
    expect(r.out).toContain('cannot linearize read /r -> null (process 1, ok, line 3..4)');
    // ZooKeeper lets another session read stale data.
    expect((await run('check', stale)).code).toBe(0);
  });

  it('exits 3 when the checker gives up and 2 on bad input, naming the problem', async () => {
    const many = join(dir, 'many.jsonl');
    const lines: string[] = [];
    for (let p = 0; p < 12; p++) lines.push(line(p, 'invoke', 'write', `v${p}`));
    lines.push(line(99, 'invoke', 'read'), line(99, 'ok', 'read', 'zzz'));
    await writeFile(many, lines.join('\n'));
    expect((await run('check', '--model', 'register', '--steps', '500', many)).code).toBe(3);
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, line(0, 'invoke', 'read') + '\n{"process":0,"type":"weird","f":"read"}\n');
    const r = await run('check', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 2: "type" must be one of invoke|ok|fail|info');
    expect((await run('check', '--model', 'linear', bad)).err).toContain('--model: "linear" is not one of register|zookeeper');
    expect((await run('check', join(dir, 'missing.jsonl'))).err).toContain('cannot read');
    expect((await run('bogus')).code).toBe(2);
  });
});
