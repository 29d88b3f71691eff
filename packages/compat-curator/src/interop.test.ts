// The TypeScript recipes (@zkts/recipes) and Apache Curator 5.4 contending on the same paths:
// Lock vs InterProcessMutex and LeaderLatch vs LeaderLatch, 10 + 10 contenders, against zkts and
// Apache ZooKeeper. Mutual exclusion is checked across languages: each holder creates the EPHEMERAL
// <base>/holder on entry (it must not exist) and appends <base>/log/e-N with its name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeExistsError, NoNodeError, ZooKeeperClient } from '@zkts/client';
import { LeaderLatch, Lock } from '@zkts/recipes';
import { referenceZooKeeperAvailable, startReferenceZooKeeper } from '@zkts/tools';
import { defaultStandaloneConfig, memoryLogger, startStandaloneServer } from '@zkts/server';
import { curatorAvailable, runCuratorScenario } from './curator-driver.js';

const PER_LANGUAGE = 10;
const ROUNDS = 3;
const TEST_TIMEOUT_MS = 120_000;
const GATE_TIMEOUT_MS = 60_000;

interface Target {
  connectString: string;
  stop(): Promise<void>;
}

async function startReference(): Promise<Target> {
  const zk = await startReferenceZooKeeper();
  return { connectString: zk.connectString, stop: () => zk.stop() };
}

async function startZkts(): Promise<Target> {
  const server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0 }), { logger: memoryLogger() });
  const { host, port } = server.listenAddress!;
  return { connectString: `${host}:${port}`, stop: () => server.stop() };
}

/** Resolves once `path` has at least `n` children (a children watch, re-armed). */
async function childrenAtLeast(zk: ZooKeeperClient, path: string, n: number): Promise<void> {
  for (;;) {
    try {
      const { children, watch } = await zk.getChildren(path, { watch: true });
      if (children.length >= n) return;
      await new Promise<void>((r) => watch.subscribe({ next: () => r(), complete: () => r(), error: () => r() }));
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      const { stat, watch } = await zk.exists(path, { watch: true });
      if (stat === null) await new Promise<void>((r) => watch.subscribe({ next: () => r(), complete: () => r(), error: () => r() }));
    }
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p.finally(() => clearTimeout(t)), new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms)))]);
}

/** The TypeScript side of the critical section; false when another holder (either language) was inside. */
async function critical(zk: ZooKeeperClient, base: string, name: string): Promise<boolean> {
  let alone = true;
  try {
    await zk.create(`${base}/holder`, name, { mode: 'ephemeral' });
  } catch (e) {
    if (!(e instanceof NodeExistsError)) throw e;
    alone = false;
  }
  await zk.create(`${base}/log/e-`, name, { mode: 'persistentSequential' });
  await new Promise((r) => setTimeout(r, 2));
  if (alone) await zk.delete(`${base}/holder`);
  return alone;
}

/** The log's holder names in order. */
async function readLog(zk: ZooKeeperClient, base: string): Promise<string[]> {
  const entries = (await zk.getChildren(`${base}/log`)).sort();
  const dec = new TextDecoder();
  return Promise.all(entries.map(async (e) => dec.decode((await zk.getData(`${base}/log/${e}`)).data!)));
}

function languageSwitches(log: readonly string[]): number {
  let n = 0;
  for (let i = 1; i < log.length; i++) if (log[i]!.slice(0, 2) !== log[i - 1]!.slice(0, 2)) n++;
  return n;
}

describe.skipIf(!referenceZooKeeperAvailable() || !curatorAvailable()).each([
  { name: 'Apache ZooKeeper', start: startReference },
  { name: 'zkts', start: startZkts },
])('TypeScript recipes with Curator 5.4 against $name', ({ start }) => {
  let target: Target | undefined;
  beforeAll(async () => {
    target = await start();
  });
  afterAll(async () => {
    await target?.stop();
  });

  async function clients(n: number): Promise<ZooKeeperClient[]> {
    return Promise.all(Array.from({ length: n }, () => ZooKeeperClient.connect(target!.connectString, { sessionTimeoutMs: 10_000 })));
  }

  it(`Lock and InterProcessMutex on one path: ${PER_LANGUAGE}+${PER_LANGUAGE} contenders x ${ROUNDS} rounds, one holder at a time across languages`, async () => {
    const base = `/interop/mutex-${process.pid}-${Date.now()}`;
    const cs = await clients(PER_LANGUAGE + 1);
    const admin = cs.pop()!;
    try {
      await admin.create('/interop', null).catch(() => undefined);
      await admin.create(base, null);
      await admin.create(`${base}/log`, null);
      const java = runCuratorScenario(target!.connectString, 'mutexInterop', [base, String(PER_LANGUAGE), String(ROUNDS)]);
      // start together: the Curator side announces its contenders under base/ready and waits for base/go
      await within(childrenAtLeast(admin, `${base}/ready`, PER_LANGUAGE), GATE_TIMEOUT_MS, 'Curator contenders ready');
      let violations = 0;
      let sawBothLayouts = false;
      const ts = cs.map(async (zk, i) => {
        const lock = new Lock(zk, `${base}/lock`);
        let got = 0;
        for (let r = 0; r < ROUNDS; r++) {
          expect(await lock.acquire({ timeoutMs: 60_000 })).toBe(true);
          try {
            if (!(await critical(zk, base, `ts-${i}`))) violations++;
            // while we hold it, the queue holds Curator's nodes next to ours, in one layout
            const queue = await zk.getChildren(`${base}/lock`);
            if (queue.length > 1 && queue.every((c) => /^_c_[0-9a-f-]{36}-lock-\d{10}$/.test(c))) sawBothLayouts = true;
            got++;
          } finally {
            await lock.release();
          }
        }
        return got;
      });
      await admin.create(`${base}/go`, null);
      const [tsGot, javaRun] = await Promise.all([Promise.all(ts), java]);
      expect(javaRun.result['error'], javaRun.stderr.slice(-2000)).toBeUndefined();
      expect(javaRun.result).toEqual({ acquisitions: Array(PER_LANGUAGE).fill(ROUNDS), violations: 0 });
      expect(tsGot).toEqual(Array(PER_LANGUAGE).fill(ROUNDS));
      expect(violations).toBe(0);
      expect(sawBothLayouts).toBe(true);
      const log = await readLog(admin, base);
      expect(log.length).toBe(2 * PER_LANGUAGE * ROUNDS);
      expect(log.filter((n) => n.startsWith('java-')).length).toBe(PER_LANGUAGE * ROUNDS);
      // the two languages really queued together: holders alternate between them more than once
      expect(languageSwitches(log)).toBeGreaterThanOrEqual(2);
      expect(await admin.getChildren(`${base}/lock`)).toEqual([]);
    } finally {
      await Promise.all([...cs, admin].map((c) => c.close()));
    }
  }, TEST_TIMEOUT_MS);

  it(`LeaderLatch (TypeScript) and LeaderLatch (Curator) on one path: ${PER_LANGUAGE}+${PER_LANGUAGE} participants each lead once, one leader at a time`, async () => {
    const base = `/interop/latch-${process.pid}-${Date.now()}`;
    const cs = await clients(PER_LANGUAGE + 1);
    const admin = cs.pop()!;
    try {
      await admin.create('/interop', null).catch(() => undefined);
      await admin.create(base, null);
      await admin.create(`${base}/log`, null);
      const java = runCuratorScenario(target!.connectString, 'latchInterop', [base, String(PER_LANGUAGE)]);
      await within(childrenAtLeast(admin, `${base}/ready`, PER_LANGUAGE), GATE_TIMEOUT_MS, 'Curator participants ready');
      let violations = 0;
      const latches = cs.map((zk) => new LeaderLatch(zk, `${base}/latch`));
      // interleave the queue: half the TypeScript participants first, then Curator's (after go), and
      // the other half once a Curator participant has led (so they queue behind Curator's nodes)
      const firstHalf = PER_LANGUAGE / 2;
      const secondGroup = childrenAtLeast(admin, `${base}/log`, firstHalf + 1);
      const ts = latches.map(async (latch, i) => {
        if (i >= firstHalf) await secondGroup;
        await latch.start();
        await latch.awaitLeadership();
        if (latches.some((o) => o !== latch && o.isLeader)) violations++;
        if (!(await critical(cs[i]!, base, `ts-${i}`))) violations++;
        await latch.close();
      });
      await within(childrenAtLeast(admin, `${base}/log`, firstHalf), GATE_TIMEOUT_MS, 'first TypeScript leaders');
      await admin.create(`${base}/go`, null);
      const [, javaRun] = await Promise.all([within(Promise.all(ts), 90_000, 'TypeScript leaders'), java]);
      expect(javaRun.result['error'], javaRun.stderr.slice(-2000)).toBeUndefined();
      expect(javaRun.result).toEqual({ allLed: true, led: PER_LANGUAGE, violations: 0, overlaps: 0 });
      expect(violations).toBe(0);
      const log = await readLog(admin, base);
      expect(log.length).toBe(2 * PER_LANGUAGE);
      expect(new Set(log).size).toBe(2 * PER_LANGUAGE);
      expect(log.slice(0, firstHalf).every((n) => n.startsWith('ts-'))).toBe(true);
      expect(log[firstHalf]).toMatch(/^java-/);
      expect(languageSwitches(log)).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.all([...cs, admin].map((c) => c.close()));
    }
  }, TEST_TIMEOUT_MS);
});
