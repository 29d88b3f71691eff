// Lock and LeaderLatch against zkts and (when installed) Apache ZooKeeper.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient, type WatchedEvent } from '@zkts/client';
import { LeaderLatch } from './leader-latch.js';
import { Lock } from './lock.js';
import { sortChildren } from './internals.js';
import { TARGETS, type TestServer, uniqueName, within } from './test-support/targets.js';

describe('sortChildren', () => {
  it('orders by the 10-digit suffix, ignoring the protected prefix', () => {
    const names = ['_c_ffff-lock-0000000003', '_c_0000-lock-0000000010', '_c_aaaa-lock-0000000001', 'other'];
    expect(sortChildren(names, 'lock-')).toEqual(['_c_aaaa-lock-0000000001', '_c_ffff-lock-0000000003', '_c_0000-lock-0000000010']);
  });
});

describe.each(TARGETS)('recipes against $name', (target) => {
  let server: TestServer;
  const clients: ZooKeeperClient[] = [];

  beforeAll(async () => {
    if (target.available) server = await target.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  async function connect(n: number): Promise<ZooKeeperClient[]> {
    const cs = await Promise.all(Array.from({ length: n }, () => ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10_000 })));
    clients.push(...cs);
    return cs;
  }

  it.skipIf(!target.available)('20 sessions contend: mutual exclusion, every contender acquires, Curator layout', async () => {
    const path = `/locks/${uniqueName()}`;
    const cs = await connect(20);
    let holders = 0;
    let maxHolders = 0;
    let acquired = 0;
    const layouts: string[] = [];
    await within(
      Promise.all(
        cs.map(async (c) => {
          const lock = new Lock(c, path);
          expect(await lock.acquire()).toBe(true);
          expect(lock.isHeld).toBe(true);
          layouts.push(lock.lockNodePath!);
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          await c.exists('/'); // hold across a round trip so overlaps would show
          holders--;
          acquired++;
          await lock.release();
          expect(lock.isHeld).toBe(false);
        }),
      ),
      25_000,
      '20 contenders',
    );
    expect(acquired).toBe(20);
    expect(maxHolders).toBe(1);
    for (const p of layouts) expect(p).toMatch(new RegExp(`^${path}/_c_[0-9a-f-]{36}-lock-\\d{10}$`));
    expect(await cs[0]!.getChildren(path)).toEqual([]);
  });

  it.skipIf(!target.available)('no herd: each release wakes exactly one waiter', async () => {
    const path = `/locks/${uniqueName()}`;
    const N = 6;
    const [holderClient, ...waiterClients] = await connect(N + 1);
    const holder = new Lock(holderClient!, path);
    await holder.acquire();
    const events: WatchedEvent[][] = waiterClients.map(() => []);
    let waitingCount = 0;
    let allWaiting!: () => void;
    const allWaitingP = new Promise<void>((r) => (allWaiting = r));
    const order: number[] = [];
    const locks = waiterClients.map(
      (c, i) =>
        new Lock(c, path, {
          onWatchEvent: (e) => events[i]!.push(e),
          onWaiting: () => {
            if (++waitingCount === N) allWaiting();
          },
        }),
    );
    const acquisitions = locks.map((l, i) => l.acquire().then(() => order.push(i)));
    await within(allWaitingP, 10_000, 'waiters queued');
    const total = () => events.reduce((s, e) => s + e.length, 0);
    let previous: Lock = holder;
    for (let k = 1; k <= N; k++) {
      await previous.release();
      await within(new Promise<void>((r) => { const t = setInterval(() => { if (order.length === k) { clearInterval(t); r(); } }, 5); }), 10_000, `waiter ${k}`);
      // a round trip on every waiter's session: any notification caused by the delete arrives first
      await Promise.all(waiterClients.map((c) => c.exists('/')));
      expect(total()).toBe(k);
      previous = locks[order[k - 1]!]!;
      expect(previous.isHeld).toBe(true);
      expect(events[order[k - 1]!]!.map((e) => e.type)).toEqual(['nodeDeleted']);
    }
    await Promise.all(acquisitions);
    await previous.release();
  });

  it.skipIf(!target.available)('a holder whose session closes hands the lock to the next waiter', async () => {
    const path = `/locks/${uniqueName()}`;
    const [a, b] = await connect(2);
    const la = new Lock(a!, path);
    await la.acquire();
    let waiting!: () => void;
    const waitingP = new Promise<void>((r) => (waiting = r));
    const lb = new Lock(b!, path, { onWaiting: () => waiting() });
    const got = lb.acquire();
    await within(waitingP, 10_000, 'b waiting');
    expect(lb.isHeld).toBe(false);
    await a!.close();
    expect(await within(got, 10_000, 'b acquires')).toBe(true);
    expect(lb.isHeld).toBe(true);
    await lb.release();
  });

  it.skipIf(!target.available)('acquire with a timeout gives up and removes its node; reentrant holds', async () => {
    const path = `/locks/${uniqueName()}`;
    const [a, b] = await connect(2);
    const la = new Lock(a!, path);
    expect(await la.acquire()).toBe(true);
    expect(await la.acquire()).toBe(true); // reentrant
    const lb = new Lock(b!, path);
    expect(await lb.acquire({ timeoutMs: 300 })).toBe(false);
    expect(lb.isHeld).toBe(false);
    expect((await a!.getChildren(path)).length).toBe(1);
    await la.release();
    expect(la.isHeld).toBe(true);
    await la.release();
    expect(la.isHeld).toBe(false);
    expect(await lb.acquire({ timeoutMs: 5_000 })).toBe(true);
    await lb.release();
    await expect(lb.release()).rejects.toThrow(/not held/);
  });

  it.skipIf(!target.available)('LeaderLatch: one leader among 3, failover on session close and on latch close', async () => {
    const path = `/election/${uniqueName()}`;
    const cs = await connect(3);
    const latches = cs.map((c) => new LeaderLatch(c, path));
    for (const l of latches) await l.start();
    await within(latches[0]!.awaitLeadership(), 10_000, 'first leader');
    const leaders = () => latches.filter((l) => l.isLeader).length;
    expect(leaders()).toBe(1);
    for (const l of latches) expect(l.nodePath).toMatch(new RegExp(`^${path}/_c_[0-9a-f-]{36}-latch-\\d{10}$`));
    // session of the leader closes: the next in line takes over
    const seen: boolean[] = [];
    latches[1]!.leader$.subscribe((v) => seen.push(v));
    await cs[0]!.close();
    await within(latches[1]!.awaitLeadership(), 10_000, 'second leader');
    expect(seen).toEqual([false, true]);
    expect(latches[2]!.isLeader).toBe(false);
    // graceful close hands on too
    await latches[1]!.close();
    expect(latches[1]!.isLeader).toBe(false);
    await within(latches[2]!.awaitLeadership(), 10_000, 'third leader');
    await latches[2]!.close();
    expect(await cs[2]!.getChildren(path)).toEqual([]);
  });
});
