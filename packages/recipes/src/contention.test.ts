// 20 sessions contend for a Lock and for leadership (LeaderSelector, LeaderLatch); some holders and
// waiters have their connection black-holed so their sessions expire on the server. Checked:
// never two holders at once, everyone else makes progress, and the expired ones are told.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SessionExpiredError, ZooKeeperClient } from '@zkts/client';
import { LeaderLatch } from './leader-latch.js';
import { LeaderSelector } from './leader-selector.js';
import { Lock } from './lock.js';
import type { HoldState } from './internals.js';
import { TcpProxy } from '../../client/src/test-support/proxy.js';
import { TARGETS, type TestServer, uniqueName, until, within } from './test-support/targets.js';

const CONTENDERS = 20;
/** Sessions that are made to expire: the client sees 'disconnected' at 2/3 of this, the server expires at 1x. */
const DOOMED_SESSION_MS = 2000;
const HEALTHY_SESSION_MS = 10_000;
const TEST_TIMEOUT_MS = 60_000;

describe.each(TARGETS)('contention against $name', (target) => {
  let server: TestServer;
  const clients: ZooKeeperClient[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    if (target.available) server = await target.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  async function healthy(): Promise<ZooKeeperClient> {
    const c = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: HEALTHY_SESSION_MS });
    clients.push(c);
    return c;
  }

  /** A client behind its own proxy, so its connection can be black-holed and its session left to expire. */
  async function doomed(): Promise<{ client: ZooKeeperClient; proxy: TcpProxy }> {
    const proxy = await TcpProxy.start({ host: server.host, port: server.port });
    proxies.push(proxy);
    const client = await ZooKeeperClient.connect(proxy.connectString, { sessionTimeoutMs: DOOMED_SESSION_MS, reconnectDelayMs: 50 });
    clients.push(client);
    expect(client.negotiatedTimeoutMs).toBe(DOOMED_SESSION_MS);
    return { client, proxy };
  }

  /** Resolves once no child of `path` is owned by `sessionId` (the server expired it), awaiting deletes by watch. */
  async function sessionGoneFrom(observer: ZooKeeperClient, path: string, sessionId: bigint): Promise<void> {
    for (;;) {
      let owned: string | undefined;
      for (const c of await observer.getChildren(path)) {
        const st = await observer.exists(`${path}/${c}`);
        if (st?.ephemeralOwner === sessionId) owned = `${path}/${c}`;
      }
      if (owned === undefined) return;
      const { stat, watch } = await observer.exists(owned, { watch: true });
      if (stat !== null) await new Promise<void>((r) => watch.subscribe({ next: () => r(), complete: () => r(), error: () => r() }));
    }
  }

  /** Black-holes a doomed client's connection, and lets it reconnect (to learn of the expiry) once the server dropped its session. */
  function expireSession(observer: ZooKeeperClient, path: string, conn: { client: ZooKeeperClient; proxy?: TcpProxy | undefined }): Promise<void> {
    const id = conn.client.sessionId;
    conn.proxy!.blackhole();
    return sessionGoneFrom(observer, path, id).then(() => conn.proxy!.restore());
  }

  it.skipIf(!target.available)(
    `Lock: ${CONTENDERS} sessions, 3 holders and 2 waiters expire; never two holders, all others acquire, the expired are told`,
    async () => {
      const path = `/locks/${uniqueName()}`;
      const doomedHolders = new Set([3, 9, 15]);
      const doomedWaiters = new Set([6, 12]);
      const conns = await Promise.all(
        Array.from({ length: CONTENDERS }, async (_, i) => (doomedHolders.has(i) || doomedWaiters.has(i) ? doomed() : { client: await healthy(), proxy: undefined })),
      );
      const locks = conns.map(({ client }) => new Lock(client, path));
      // the holder count is driven by the locks' own state: 'held' counts, 'suspended' does not
      let holders = 0;
      let maxHolders = 0;
      const states: HoldState[][] = locks.map(() => []);
      locks.forEach((l, i) =>
        l.state$.subscribe((s) => {
          const was = states[i]!.at(-1);
          states[i]!.push(s);
          if (s === 'held') maxHolders = Math.max(maxHolders, ++holders);
          else if (was === 'held') holders--;
        }),
      );
      // contender 0 holds first, so everyone else queues behind it
      expect(await locks[0]!.acquire()).toBe(true);
      const order: number[] = [];
      const expiries: Promise<void>[] = [];
      const observer = await healthy();
      const outcomes = locks.slice(1).map(async (lock, k) => {
        const i = k + 1;
        try {
          expect(await lock.acquire()).toBe(true);
        } catch (e) {
          return { i, error: e };
        }
        order.push(i);
        if (doomedHolders.has(i)) {
          // holds "forever": only the session's expiry frees the lock
          expiries.push(expireSession(observer, path, conns[i]!));
          return { i, error: undefined };
        }
        await conns[i]!.client.exists('/'); // hold across a round trip so overlaps would show
        await lock.release();
        return { i, error: undefined };
      });
      await until(() => states.every((s, i) => i === 0 || s.length > 0), 10_000, 'state subscriptions');
      // every contender has its node queued (nothing announces it: poll the children, bounded)
      for (const deadline = Date.now() + 10_000; (await conns[0]!.client.getChildren(path)).length < CONTENDERS; ) {
        if (Date.now() > deadline) throw new Error('timed out: all queued');
        await new Promise((r) => setTimeout(r, 10));
      }
      for (const i of doomedWaiters) expiries.push(expireSession(observer, path, conns[i]!));
      await locks[0]!.release();
      order.unshift(0);
      const results = await within(Promise.all(outcomes), 45_000, 'all contenders');
      await within(Promise.all(expiries), 20_000, 'expiries');

      expect(maxHolders).toBe(1);
      const acquired = new Set(order);
      for (let i = 0; i < CONTENDERS; i++) {
        if (doomedWaiters.has(i)) {
          expect(acquired.has(i), `waiter ${i}`).toBe(false);
          expect(results[i - 1]!.error, `waiter ${i}`).toBeInstanceOf(SessionExpiredError);
        } else {
          expect(acquired.has(i), `contender ${i}`).toBe(true);
          expect(results[i - 1]?.error, `contender ${i}`).toBeUndefined();
        }
      }
      // the expired holders were suspended (stopped counting as holders) and then told they lost it
      for (const i of doomedHolders) {
        await within(until(() => locks[i]!.state === 'lost', 10_000, `lock ${i} lost`), 11_000, `lock ${i} lost`);
        expect(states[i]).toEqual(['idle', 'held', 'suspended', 'lost']);
        expect(locks[i]!.lostReason).toBeInstanceOf(SessionExpiredError);
        expect(locks[i]!.isHeld).toBe(false);
        await locks[i]!.release(); // a no-op after the loss
      }
      expect(await conns[0]!.client.getChildren(path)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!target.available)(
    `LeaderSelector: ${CONTENDERS} sessions each lead once, 3 leaders expire mid-term; one leader at a time, everyone else leads`,
    async () => {
      const path = `/election/${uniqueName()}`;
      const doomedLeaders = new Set([4, 11, 17]);
      const conns = await Promise.all(
        Array.from({ length: CONTENDERS }, async (_, i) => (doomedLeaders.has(i) ? doomed() : { client: await healthy(), proxy: undefined })),
      );
      let inside = 0;
      let maxInside = 0;
      const led: number[] = [];
      const aborted: number[] = [];
      const expiries: Promise<void>[] = [];
      const observer = await healthy();
      const selectors = conns.map(
        ({ client, proxy }, i) =>
          new LeaderSelector(client, path, async (signal) => {
            maxInside = Math.max(maxInside, ++inside);
            led.push(i);
            try {
              if (proxy !== undefined) {
                expiries.push(expireSession(observer, path, conns[i]!));
                // a leader must stop when the signal aborts (here: the connection is lost)
                await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
                aborted.push(i);
                return;
              }
              await client.exists('/'); // lead across a round trip so overlaps would show
            } finally {
              inside--;
            }
          }, { id: `p${i}` }),
      );
      for (const s of selectors) s.start();
      await within(until(() => led.length === CONTENDERS, 45_000, 'everyone led'), 46_000, 'everyone led');
      await within(Promise.all(expiries), 20_000, 'expiries');
      expect(maxInside).toBe(1);
      expect(new Set(led).size).toBe(CONTENDERS);
      expect(aborted.sort((a, b) => a - b)).toEqual([...doomedLeaders]);
      for (const i of doomedLeaders) {
        await until(() => selectors[i]!.state === 'lost', 10_000, `selector ${i} lost`);
        expect(selectors[i]!.lostReason).toBeInstanceOf(SessionExpiredError);
      }
      await until(() => selectors.every((s, i) => doomedLeaders.has(i) || s.state === 'idle'), 10_000, 'healthy selectors idle');
      await Promise.all(selectors.map((s) => s.close()));
      expect(await conns[0]!.client.getChildren(path)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!target.available)(
    `LeaderLatch: ${CONTENDERS} sessions, leaders close in turn, one expires; exactly one leader at each step`,
    async () => {
      const path = `/election/${uniqueName()}`;
      const doomedIndex = 7;
      const conns = await Promise.all(
        Array.from({ length: CONTENDERS }, async (_, i) => (i === doomedIndex ? doomed() : { client: await healthy(), proxy: undefined })),
      );
      const latches = conns.map(({ client }) => new LeaderLatch(client, path));
      let leaders = 0;
      let maxLeaders = 0;
      latches.forEach((l) => {
        let was = false;
        l.leader$.subscribe((v) => {
          if (v && !was) maxLeaders = Math.max(maxLeaders, ++leaders);
          if (!v && was) leaders--;
          was = v;
        });
      });
      for (const l of latches) await l.start();
      const led: number[] = [];
      const open = new Set(latches.keys());
      while (open.size > 0) {
        await within(until(() => [...open].some((i) => latches[i]!.isLeader), 20_000, 'a leader'), 21_000, `leader among ${open.size}`);
        const now = [...open].filter((i) => latches[i]!.isLeader);
        expect(now.length).toBe(1);
        const i = now[0]!;
        led.push(i);
        open.delete(i);
        if (i === doomedIndex) {
          conns[i]!.proxy!.blackhole();
          await until(() => !latches[i]!.isLeader, 10_000, 'doomed latch suspended');
          // the server expires the session; then the next participant becomes leader
          await until(() => [...open].some((j) => latches[j]!.isLeader), 20_000, 'leader after expiry');
          conns[i]!.proxy!.restore();
          await until(() => latches[i]!.state === 'lost', 10_000, 'doomed latch lost');
          expect(latches[i]!.lostReason).toBeInstanceOf(SessionExpiredError);
          await expect(latches[i]!.awaitLeadership()).rejects.toBeInstanceOf(SessionExpiredError);
        } else {
          await latches[i]!.close();
        }
      }
      expect(maxLeaders).toBe(1);
      expect(new Set(led).size).toBe(CONTENDERS);
      expect(await conns[0]!.client.getChildren(path)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
