// The real zkts-server bin with zkts.storage=file: a node survives a SIGTERM restart, and after
// a SIGKILL in the middle of a stream of creates every acknowledged create is still there.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { freePort } from '@zkts/tools';
import { killLeftovers, startBin, type BinRun } from './test-support/bin.js';
import { RawClient } from '../../../packages/server/src/test-support/raw-client.js';

afterEach(killLeftovers);

async function durableConfig(): Promise<{ cfg: string; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'zkts-app-durable-'));
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  writeFileSync(cfg, `tickTime=2000\nclientPort=${port}\nclientPortAddress=127.0.0.1\ndataDir=${join(dir, 'data')}\nzkts.storage=file\n`);
  return { cfg, port };
}

async function serve(cfg: string): Promise<BinRun> {
  const run = startBin([cfg]);
  await run.waitFor(/binding to port 127\.0\.0\.1:\d+/);
  return run;
}

const createBody = (path: string, data = 'x') => ({ path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.persistent });

describe('zkts-server bin with zkts.storage=file', () => {
  it('keeps a node across a SIGTERM restart', async () => {
    const { cfg, port } = await durableConfig();
    const first = await serve(cfg);
    const c = await RawClient.connect('127.0.0.1', port);
    expect((await c.request(OpCode.create, createBody('/kept', 'survives'))).header.err).toBe(0);
    c.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await serve(cfg);
    expect(second.output()).toMatch(/recovered \d+ nodes/);
    const d = await RawClient.connect('127.0.0.1', port);
    const r = await d.request(OpCode.getData, { path: '/kept', watch: false });
    expect(r.header.err).toBe(0);
    expect(Buffer.from((r.body as { data: Uint8Array }).data).toString()).toBe('survives');
    d.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('after a SIGKILL in the middle of a stream of creates, every acknowledged create is there', async () => {
    const N = 2000;
    const WINDOW = 64;
    const KILL_AFTER = 300;
    const { cfg, port } = await durableConfig();
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

    const second = await serve(cfg);
    const d = await RawClient.connect('127.0.0.1', port);
    const missing: string[] = [];
    for (const p of acked) if ((await d.request(OpCode.exists, { path: p, watch: false })).header.err !== 0) missing.push(p);
    expect(missing).toEqual([]);
    expect(acked).toHaveLength(KILL_AFTER);
    d.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
