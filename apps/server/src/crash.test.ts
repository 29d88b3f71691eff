// Crash test: a real zkts-server (zkts.storage=<backend>) under a bounded stream of creates and
// setData from this process is SIGKILLed at seeded random moments, KILLS times per backend.
// After every restart each write whose reply arrived is there with the same data and Stat, a
// write in flight at the kill is either wholly there or not at all, and no node appears that was
// never sent. The seed is printed in every failure (ZKTS_CRASH_SEED=<n> replays it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, ErrorCode, OPEN_ACL_UNSAFE, OpCode, type Stat } from '@zkts/protocol';
import { freePort } from '@zkts/tools';
import { killLeftovers, startBin, type BinRun } from './test-support/bin.js';
import { RawClient } from '../../../packages/server/src/test-support/raw-client.js';

/** Data directories made by a test, removed after it (once its servers are killed). */
const dirs: string[] = [];
afterEach(() => {
  killLeftovers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const BACKENDS = ['file', 'level', 'rocksdb'] as const;
const KILLS = 4;
/** Writes in flight at once (so several are unanswered when the kill lands). */
const WINDOW = 8;
/** Each round is killed after a random number of acknowledged writes in this range. */
const ACKED_PER_ROUND_MIN = 40;
const ACKED_PER_ROUND_MAX = 220;
const REPLY_WAIT_MS = 10_000;
const SEED = Number(process.env.ZKTS_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: the seeded source of every random choice here. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the test knows about one node: its last acknowledged state and a write in flight. */
interface Known {
  acked: { data: string; stat: Stat } | null;
  pending: string | null;
}

async function serve(cfg: string): Promise<BinRun> {
  const run = startBin([cfg]);
  await run.waitFor(/binding to port 127\.0\.0\.1:\d+/);
  return run;
}

describe.each(BACKENDS)('crash test: zkts.storage=%s', (backend) => {
  it(`${KILLS} SIGKILLs under write load lose no acknowledged write and invent nothing`, { timeout: 60_000 }, async () => {
    const seed = SEED + BACKENDS.indexOf(backend);
    const where = `(backend ${backend}, seed ${seed}; replay with ZKTS_CRASH_SEED=${SEED})`;
    const random = seeded(seed);
    const dir = mkdtempSync(join(tmpdir(), `zkts-crash-${backend}-`));
    dirs.push(dir);
    const port = await freePort();
    const cfg = join(dir, 'zoo.cfg');
    // A small snapCount: snapshots (and their purge) happen between and during the kills.
    writeFileSync(cfg, `tickTime=2000\nclientPort=${port}\nclientPortAddress=127.0.0.1\ndataDir=${join(dir, 'data')}\nzkts.storage=${backend}\nsnapCount=100\nautopurge.snapRetainCount=3\n`);
    const known = new Map<string, Known>();
    let seq = 0;
    let totalAcked = 0;
    let inFlightAtKills = 0;

    /** Checks the server's tree against `known` and settles every in-flight write. */
    async function check(c: RawClient, round: number): Promise<void> {
      const children = (await c.request(OpCode.getChildren, { path: '/', watch: false })).body as { children: string[] };
      const invented = children.children.filter((name) => name !== 'zookeeper' && !known.has(`/${name}`));
      expect(invented, `nodes never sent, after kill ${round} ${where}`).toEqual([]);
      const paths = [...known.keys()];
      const xids = paths.map((p) => c.send(OpCode.getData, { path: p, watch: false }));
      for (let i = 0; i < paths.length; i++) {
        const path = paths[i]!;
        const k = known.get(path)!;
        const r = await c.reply(xids[i]!, REPLY_WAIT_MS);
        const what = `${path} after kill ${round} ${where}`;
        if (r.header.err === ErrorCode.noNode) {
          expect(k.acked, `acknowledged create of ${what} is missing`).toBeNull();
          known.delete(path); // an unacknowledged create that did not survive
          continue;
        }
        expect(r.header.err, what).toBe(0);
        const got = r.body as { data: Uint8Array; stat: Stat };
        const data = Buffer.from(got.data).toString();
        if (k.acked !== null && data === k.acked.data) {
          expect(got.stat, `Stat of ${what}`).toEqual(k.acked.stat);
        } else {
          expect(data, `data of ${what}: neither the acknowledged ${k.acked?.data} nor the in-flight ${k.pending}`).toBe(k.pending);
          if (k.acked !== null) {
            expect(got.stat.version, `version of ${what}`).toBe(k.acked.stat.version + 1);
            expect(got.stat.czxid, `czxid of ${what}`).toBe(k.acked.stat.czxid);
            expect(got.stat.mzxid, `mzxid of ${what}`).toBeGreaterThan(k.acked.stat.mzxid);
          }
          k.acked = { data, stat: got.stat };
        }
        k.pending = null;
      }
    }

    /** Writes until `target` replies arrived, then SIGKILLs the server with writes in flight. */
    async function load(run: BinRun, c: RawClient, target: number): Promise<void> {
      let acked = 0;
      let killed = false;
      await new Promise<void>((resolve, reject) => {
        const next = (): void => {
          if (killed) return;
          const idle = [...known].filter(([, k]) => k.acked !== null && k.pending === null);
          const path = idle.length === 0 || random() < 0.45 ? `/c${seq}` : idle[Math.floor(random() * idle.length)]![0];
          const k = known.get(path) ?? { acked: null, pending: null };
          known.set(path, k);
          const data = k.acked === null ? `create-${seq++}` : `set-${seq++}`;
          k.pending = data;
          const xid =
            k.acked === null
              ? c.send(OpCode.create2, { path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.persistent })
              : c.send(OpCode.setData, { path, data: Buffer.from(data), version: k.acked.stat.version });
          c.reply(xid, REPLY_WAIT_MS).then(
            (r) => {
              // A reply that arrives (even after the kill was decided) is an acknowledged write.
              if (r.header.err !== 0) return reject(new Error(`${path}: ${data} failed with ${r.header.err} ${where}`));
              k.acked = { data, stat: (r.body as { stat: Stat }).stat };
              k.pending = null;
              acked++;
              totalAcked++;
              if (!killed && acked >= target) {
                killed = true;
                run.child.kill('SIGKILL');
                for (const other of known.values()) if (other.pending !== null) inFlightAtKills++;
                resolve();
              } else next();
            },
            () => undefined, // no reply: in flight at the kill
          );
        };
        for (let i = 0; i < WINDOW; i++) next();
      });
      await run.exited;
      await c.closed;
    }

    for (let round = 0; round < KILLS; round++) {
      const run = await serve(cfg);
      const c = await RawClient.connect('127.0.0.1', port, { waitMs: REPLY_WAIT_MS });
      await check(c, round);
      const target = ACKED_PER_ROUND_MIN + Math.floor(random() * (ACKED_PER_ROUND_MAX - ACKED_PER_ROUND_MIN));
      await load(run, c, target);
    }
    const last = await serve(cfg);
    const c = await RawClient.connect('127.0.0.1', port, { waitMs: REPLY_WAIT_MS });
    await check(c, KILLS);
    c.close();
    last.child.kill('SIGTERM');
    expect(await last.exited, where).toBe(0);
    expect(totalAcked, where).toBeGreaterThanOrEqual(KILLS * ACKED_PER_ROUND_MIN);
    expect(inFlightAtKills, `writes were in flight at the kills ${where}`).toBeGreaterThanOrEqual(KILLS);
    expect([...known.values()].every((k) => k.acked !== null), where).toBe(true);

    // The data directory the kills left behind verifies clean.
    const verify = startBin(['verify', join(dir, 'data'), '--storage', backend]);
    expect(await verify.exited, `verify: ${verify.output()} ${where}`).toBe(0);
    expect(verify.output()).toMatch(/final tree: \d+ nodes/);
  });
});
