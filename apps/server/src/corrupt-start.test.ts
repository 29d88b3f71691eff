// The real zkts-server bin on a damaged data directory: a flipped byte in the middle of a log
// segment stops startup (exit 1, file and offset on stderr, as ZooKeeper refuses a log that fails
// its CRC) and `verify` names the same place; a damaged newest snapshot is passed over and every
// node comes back from the previous snapshot plus the log, with recovery progress lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { scanLogFile } from '@zkts/storage-file';
import { freePort } from '@zkts/tools';
import { killLeftovers, startBin, type BinRun } from './test-support/bin.js';
import { RawClient } from '../../../packages/server/src/test-support/raw-client.js';

/** Data directories made by a test, removed after it (once its servers are killed). */
const dirs: string[] = [];
afterEach(() => {
  killLeftovers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NODES = 80;

async function dataDirWithNodes(): Promise<{ cfg: string; port: number; v2: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'zkts-app-corrupt-'));
  dirs.push(dir);
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  // Small snapCount and preallocation: several snapshots and several log segments.
  writeFileSync(cfg, `tickTime=2000\nclientPort=${port}\nclientPortAddress=127.0.0.1\ndataDir=${join(dir, 'data')}\nzkts.storage=file\nsnapCount=20\npreAllocSize=4\n`);
  const run = await serve(cfg);
  const c = await RawClient.connect('127.0.0.1', port, { waitMs: 5000 });
  for (let i = 0; i < NODES; i++) {
    const r = await c.request(OpCode.create, { path: `/n${i}`, data: Buffer.from(`v${i}`), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.persistent });
    expect(r.header.err).toBe(0);
  }
  c.close();
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  return { cfg, port, v2: join(dir, 'data', 'version-2') };
}

async function serve(cfg: string): Promise<BinRun> {
  const run = startBin([cfg]);
  await run.waitFor(/binding to port 127\.0\.0\.1:\d+/);
  return run;
}

const byZxid = (prefix: string) => (a: string, b: string) => parseInt(a.slice(prefix.length), 16) - parseInt(b.slice(prefix.length), 16);

describe('zkts-server bin on a damaged data directory', () => {
  it('a flipped byte in the middle of a log segment: exit 1 naming file and offset; verify agrees', async () => {
    const { cfg, v2 } = await dataDirWithNodes();
    // The segment with the most entries (segments roll at random points; the newest may hold few).
    const logs = (await readdir(v2)).filter((n) => n.startsWith('log.')).sort(byZxid('log.'));
    const scans = await Promise.all(logs.map((n, i) => scanLogFile(join(v2, n), { newest: i === logs.length - 1 })));
    const scan = scans.reduce((a, b) => (b.entries.length > a.entries.length ? b : a));
    const victim = scan.file;
    expect(scan.entries.length).toBeGreaterThan(2);
    const hit = scan.entries[1]!; // entries follow it: not a torn tail
    const bytes = await readFile(victim);
    bytes[hit.offset + 12] = bytes[hit.offset + 12]! ^ 0x20;
    await writeFile(victim, bytes);

    const run = startBin([cfg]);
    expect(await run.exited, run.output()).toBe(1);
    expect(run.output()).toContain(`cannot start: ${victim}: corrupt at offset ${hit.offset}`);
    expect(run.output()).not.toMatch(/binding to port/);

    const verify = startBin(['verify', join(v2, '..')]);
    expect(await verify.exited, verify.output()).toBe(1);
    expect(verify.output()).toContain(`verify: ${victim}: damaged at offset ${hit.offset}: checksum`);
  });

  it('a flipped byte in the newest snapshot: it is skipped, every node is back, progress is logged', async () => {
    const { cfg, port, v2 } = await dataDirWithNodes();
    const snaps = (await readdir(v2)).filter((n) => n.startsWith('snapshot.')).sort(byZxid('snapshot.'));
    expect(snaps.length).toBeGreaterThan(0);
    const newest = join(v2, snaps.at(-1)!);
    const bytes = await readFile(newest);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    await writeFile(newest, bytes);

    const run = await serve(cfg);
    const out = run.output();
    expect(out).toContain(`skipped ${bytes.length} bytes of ${newest} at offset 0`);
    expect(out).toMatch(/recovery: replayed \d+ log entries after (snapshot 0x[0-9a-f]+|zxid 0x0 \(no snapshot\)) in \d+ ms/);
    expect(out).toMatch(/recovered \d+ nodes/);
    const c = await RawClient.connect('127.0.0.1', port, { waitMs: 5000 });
    for (let i = 0; i < NODES; i++) {
      const r = await c.request(OpCode.getData, { path: `/n${i}`, watch: false });
      expect(r.header.err).toBe(0);
      expect(Buffer.from((r.body as { data: Uint8Array }).data).toString()).toBe(`v${i}`);
    }
    c.close();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
