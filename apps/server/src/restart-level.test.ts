// The real zkts-server bin with zkts.storage=level (LevelDB) and zkts.storage=rocksdb: a node
// survives a SIGTERM restart, and after a SIGKILL in the middle of a stream of creates every
// acknowledged create is still there (with a small snapCount, so the restart starts from a
// snapshot taken during the stream plus the log after it).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { freePort } from '@zkts/tools';
import { killLeftovers, startBin, type BinRun } from './test-support/bin.js';
import { RawClient } from '../../../packages/server/src/test-support/raw-client.js';

afterEach(killLeftovers);

const ENGINE_DIRS = { level: 'level-v1', rocksdb: 'rocksdb-v1' } as const;

async function levelConfig(engine: 'level' | 'rocksdb', extra = ''): Promise<{ cfg: string; port: number; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `zkts-app-${engine}-`));
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  const dataDir = join(dir, 'data');
  writeFileSync(cfg, `tickTime=2000\nclientPort=${port}\nclientPortAddress=127.0.0.1\ndataDir=${dataDir}\nzkts.storage=${engine}\n${extra}`);
  return { cfg, port, dataDir };
}

async function serve(cfg: string): Promise<BinRun> {
  const run = startBin([cfg]);
  await run.waitFor(/binding to port 127\.0\.0\.1:\d+/);
  return run;
}

const createBody = (path: string, data = 'x') => ({ path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.persistent });

describe.each(['level', 'rocksdb'] as const)('zkts-server bin with zkts.storage=%s', (engine) => {
  it('keeps a node across a SIGTERM restart', async () => {
    const { cfg, port, dataDir } = await levelConfig(engine);
    const first = await serve(cfg);
    expect(first.output()).toContain(`opening ${engine} storage: dataDir ${dataDir}/${ENGINE_DIRS[engine]}`);
    expect(existsSync(join(dataDir, ENGINE_DIRS[engine], 'CURRENT'))).toBe(true);
    const c = await RawClient.connect('127.0.0.1', port);
    expect((await c.request(OpCode.create, createBody('/kept', 'survives'))).header.err).toBe(0);
    expect((await c.request(OpCode.create, createBody('/kept/child', 'too'))).header.err).toBe(0);
    c.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await serve(cfg);
    // The clean stop snapshotted the final state (zkts.snapshotOnShutdown): nothing to replay.
    expect(second.output()).toMatch(/recovered \d+ nodes and \d+ sessions from snapshot 0x[0-9a-f]+ and 0 log entries/);
    const d = await RawClient.connect('127.0.0.1', port);
    const r = await d.request(OpCode.getData, { path: '/kept', watch: false });
    expect(r.header.err).toBe(0);
    expect(Buffer.from((r.body as { data: Uint8Array }).data).toString()).toBe('survives');
    expect((await d.request(OpCode.exists, { path: '/kept/child', watch: false })).header.err).toBe(0);
    d.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('after a SIGKILL in the middle of a stream of creates, every acknowledged create is there', async () => {
    const N = 2000;
    const WINDOW = 64;
    const KILL_AFTER = 300;
    const SNAP_COUNT = 100; // a snapshot every 50..99 txns: several during the stream
    const { cfg, port } = await levelConfig(engine, `snapCount=${SNAP_COUNT}\n`);
    const first = await serve(cfg);
    const c = await RawClient.connect('127.0.0.1', port, { waitMs: 2000 });
    const acked: string[] = [];
    let sent = 0;
    // A bounded stream: WINDOW creates in flight; the kill lands while some are unanswered.
    await new Promise<void>((resolve) => {
      const sendNext = (): void => {
        if (sent >= N || acked.length >= KILL_AFTER) return;
        const path = `/k${sent++}`;
        c.reply(c.send(OpCode.create, createBody(path))).then(
          (r) => {
            if (acked.length >= KILL_AFTER || r.header.err !== 0) return;
            acked.push(path);
            if (acked.length === KILL_AFTER) {
              first.child.kill('SIGKILL');
              resolve();
            } else sendNext();
          },
          () => undefined,
        );
      };
      for (let i = 0; i < WINDOW; i++) sendNext();
    });
    await first.exited;
    c.close();
    expect(sent).toBeGreaterThan(KILL_AFTER);
    expect(sent).toBeLessThan(N);
    expect(first.output()).toMatch(/snapshot 0x[0-9a-f]+ saved/);

    const second = await serve(cfg);
    expect(second.output()).toMatch(/recovered \d+ nodes and \d+ sessions from snapshot 0x[0-9a-f]+ and \d+ log entries/);
    const d = await RawClient.connect('127.0.0.1', port);
    const missing: string[] = [];
    for (const p of acked) if ((await d.request(OpCode.exists, { path: p, watch: false })).header.err !== 0) missing.push(p);
    expect(missing).toEqual([]);
    expect(acked).toHaveLength(KILL_AFTER);
    d.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses to start on a dataDir written by the other engine, saying why', async () => {
    const other = engine === 'level' ? 'rocksdb' : 'level';
    const { cfg, dataDir, port: firstPort } = await levelConfig(other);
    const first = await serve(cfg);
    // A request answered also means the bin is past startup (its SIGTERM handler installed).
    const c = await RawClient.connect('127.0.0.1', firstPort);
    expect((await c.request(OpCode.create, createBody('/written-by-' + other))).header.err).toBe(0);
    c.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const port = await freePort();
    const wrong = join(dataDir, '..', 'wrong.cfg');
    writeFileSync(wrong, `clientPort=${port}\nclientPortAddress=127.0.0.1\ndataDir=${dataDir}\nzkts.storage=${engine}\n`);
    const run = startBin([wrong]);
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain(`holds ${ENGINE_DIRS[other]}/ (zkts.storage=${other})`);
  });
});
