// The other recipes against zkts and (when installed) Apache ZooKeeper, plus their codecs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientClosedError, ZooKeeperClient } from '@zkts/client';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { Barrier, DoubleBarrier } from './barrier.js';
import { GroupMember } from './group-member.js';
import { watchNode, type NodeValue } from './node-watch.js';
import { DistributedQueue, decodeQueueItems, encodeQueueItems } from './queue.js';
import { ReadWriteLock } from './read-write-lock.js';
import { Semaphore } from './semaphore.js';
import { ServiceDiscovery, decodeServiceInstance, encodeServiceInstance, type ServiceInstance } from './service-discovery.js';
import { SharedCount, decodeCount, encodeCount } from './shared-count.js';
import { UniqueIdGenerator } from './unique-id.js';
import { TARGETS, type TestServer, uniqueName, until, within } from './test-support/targets.js';

const dec = new TextDecoder();

describe('codecs', () => {
  it("queue items: Curator's ItemSerializer bytes, round trip, bad input named", () => {
    const bytes = encodeQueueItems([new TextEncoder().encode('ab')]);
    expect([...bytes]).toEqual([0, 1, 0, 1, 1, 0, 0, 0, 2, 97, 98, 2]);
    expect(decodeQueueItems(encodeQueueItems([new Uint8Array([1]), new Uint8Array(0)]), '/q/x').map((b) => [...b])).toEqual([[1], []]);
    expect(() => decodeQueueItems(new Uint8Array([0, 1, 0, 2, 2]), '/q/x')).toThrow(/\/q\/x: unknown version/);
    expect(() => decodeQueueItems(new Uint8Array([0, 1, 0, 1, 1, 0, 0, 0, 9, 2]), '/q/y')).toThrow(/\/q\/y: item length 9/);
  });
  it('shared count: 4-byte big-endian int; other lengths and non-int32 values are errors', () => {
    expect([...encodeCount(258)]).toEqual([0, 0, 1, 2]);
    expect(decodeCount(encodeCount(-5), '/c')).toBe(-5);
    expect(() => decodeCount(new Uint8Array(3), '/c')).toThrow(/\/c: expected 4 bytes/);
    expect(() => encodeCount(2 ** 31)).toThrow(RangeError);
  });
  it("service instance: Curator's JSON field order; Curator's JSON parses", () => {
    const i: ServiceInstance<string> = { name: 'w', id: 'w1', address: '127.0.0.1', port: 1234, sslPort: null, payload: 'hello', registrationTimeUTC: 5, serviceType: 'DYNAMIC', uriSpec: null };
    expect(dec.decode(encodeServiceInstance(i))).toBe(
      '{"name":"w","id":"w1","address":"127.0.0.1","port":1234,"sslPort":null,"payload":"hello","registrationTimeUTC":5,"serviceType":"DYNAMIC","uriSpec":null}',
    );
    // as Curator 5.4 writes a Map payload
    const curator = '{"name":"worker","id":"w2","address":"127.0.0.1","port":1234,"sslPort":null,"payload":{"@class":"java.util.HashMap","k":"v"},"registrationTimeUTC":1795331134729,"serviceType":"DYNAMIC","uriSpec":null}';
    expect(decodeServiceInstance(new TextEncoder().encode(curator), '/s/worker/w2')).toMatchObject({ id: 'w2', payload: { k: 'v' }, enabled: true });
    expect(() => decodeServiceInstance(new TextEncoder().encode('{"id":1}'), '/s/x/y')).toThrow(/\/s\/x\/y: missing/);
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
  const run = it.skipIf(!target.available);

  run('ReadWriteLock: readers share, a writer excludes them, a reader queued behind a writer waits (Curator layout)', async () => {
    const path = `/rw/${uniqueName()}`;
    const [a, b, c, d] = await connect(4);
    const r1 = new ReadWriteLock(a!, path).readLock;
    const r2 = new ReadWriteLock(b!, path).readLock;
    const w = new ReadWriteLock(c!, path).writeLock;
    const r3 = new ReadWriteLock(d!, path).readLock;
    expect(await r1.acquire()).toBe(true);
    expect(await r2.acquire()).toBe(true);
    expect(await w.acquire({ timeoutMs: 200 })).toBe(false);
    const writing = w.acquire();
    // the writer's node is queued: a later reader waits behind it (no writer starvation)
    for (const deadline = Date.now() + 5000; (await a!.getChildren(path)).length < 3; ) if (Date.now() > deadline) throw new Error('writer not queued');
    expect(await r3.acquire({ timeoutMs: 200 })).toBe(false);
    const names = await a!.getChildren(path);
    expect(names.every((n) => /^_c_[0-9a-f-]{36}-__(READ|WRIT)__\d{10}$/.test(n))).toBe(true);
    await r1.release();
    await r2.release();
    expect(await within(writing, 10_000, 'writer')).toBe(true);
    const reading = r3.acquire();
    await w.release();
    expect(await within(reading, 10_000, 'reader after writer')).toBe(true);
    await r3.release();
    // downgrade: the write lock's holder may take the read lock
    const rw = new ReadWriteLock(c!, path);
    await rw.writeLock.acquire();
    expect(await rw.readLock.acquire({ timeoutMs: 1000 })).toBe(true);
    await rw.readLock.release();
    await rw.writeLock.release();
    expect(await a!.getChildren(path)).toEqual([]);
  });

  run('Semaphore: 6 contenders, 2 leases: never more than 2 holders, everyone gets one; a closed session loses its lease', async () => {
    const path = `/sem/${uniqueName()}`;
    const cs = await connect(7);
    let holding = 0;
    let maxHolding = 0;
    await within(
      Promise.all(
        cs.slice(0, 6).map(async (c) => {
          const lease = await new Semaphore(c, path, 2).acquire();
          expect(lease).not.toBeNull();
          maxHolding = Math.max(maxHolding, ++holding);
          await c.exists('/');
          holding--;
          await lease!.release();
        }),
      ),
      20_000,
      'all leases',
    );
    expect(maxHolding).toBeLessThanOrEqual(2);
    // two leases at once, the third waits
    const both = [await new Semaphore(cs[1]!, path, 2).acquire(), await new Semaphore(cs[2]!, path, 2).acquire()];
    expect(both.every((l) => l !== null && l.state === 'held')).toBe(true);
    expect(await new Semaphore(cs[3]!, path, 2).acquire({ timeoutMs: 200 })).toBeNull();
    await Promise.all(both.map((l) => l!.release()));
    expect(both[0]!.state).toBe('idle');
    const sem = new Semaphore(cs[0]!, path, 1);
    const lease = (await sem.acquire())!;
    expect(lease.nodePath).toMatch(new RegExp(`^${path}/leases/_c_[0-9a-f-]{36}-lease-\\d{10}$`));
    expect(await new Semaphore(cs[6]!, path, 1).acquire({ timeoutMs: 200 })).toBeNull();
    const waiting = new Semaphore(cs[6]!, path, 1).acquire();
    await cs[0]!.close();
    expect(lease.state).toBe('lost');
    expect(lease.lostReason).toBeInstanceOf(ClientClosedError);
    const next = await within(waiting, 10_000, 'lease after the holder closed');
    expect(next).not.toBeNull();
    await next!.release();
    expect(() => new Semaphore(cs[1]!, path, 0)).toThrow(/maxLeases/);
  });

  run('Barrier: wait() blocks while set, returns when removed; times out while set', async () => {
    const path = `/barriers/${uniqueName()}`;
    const [a, b, c] = await connect(3);
    const owner = new Barrier(a!, path);
    await owner.set();
    expect(await new Barrier(b!, path).wait({ timeoutMs: 200 })).toBe(false);
    let released = 0;
    const waits = [b!, c!].map((cl) => new Barrier(cl, path).wait().then((r) => (released++, r)));
    await b!.exists('/');
    expect(released).toBe(0);
    await owner.remove();
    expect(await within(Promise.all(waits), 10_000, 'released')).toEqual([true, true]);
    expect(await new Barrier(b!, path).wait({ timeoutMs: 100 })).toBe(true);
  });

  run('DoubleBarrier: 3 members enter together and leave together', async () => {
    const path = `/dbl/${uniqueName()}`;
    const cs = await connect(3);
    const members = cs.map((c) => new DoubleBarrier(c, path, 3));
    let entered = 0;
    const first = [members[0]!.enter().then(() => entered++), members[1]!.enter().then(() => entered++)];
    for (const deadline = Date.now() + 5000; (await cs[0]!.getChildren(path).catch(() => [])).length < 2; ) if (Date.now() > deadline) throw new Error('not entered');
    expect(entered).toBe(0);
    expect(await members[2]!.enter()).toBe(true);
    await within(Promise.all(first), 10_000, 'all entered');
    expect((await cs[0]!.getChildren(path)).sort()).toEqual([...members.map((m) => m.memberName), 'ready'].sort());
    let left = 0;
    const leaving = [members[0]!.leave().then(() => left++), members[1]!.leave().then(() => left++)];
    await cs[0]!.sync(path);
    await cs[0]!.exists('/');
    expect(left).toBe(0);
    expect(await members[2]!.leave()).toBe(true);
    await within(Promise.all(leaving), 10_000, 'all left');
    expect(await cs[0]!.getChildren(path)).toEqual([]);
  });

  run('DistributedQueue: FIFO, 2 producers and 3 consumers, every item taken exactly once', async () => {
    const path = `/queues/${uniqueName()}`;
    const cs = await connect(5);
    const q0 = new DistributedQueue(cs[0]!, path);
    expect(await q0.takeString({ timeoutMs: 100 })).toBeNull();
    for (const s of ['a', 'b', 'c']) await q0.put(s);
    expect(await q0.size()).toBe(3);
    expect((await cs[0]!.getChildren(path)).every((n) => /^queue-\d{10}$/.test(n))).toBe(true);
    expect([await q0.takeString(), await q0.takeString(), await q0.takeString()]).toEqual(['a', 'b', 'c']);
    await q0.putMulti(['m1', 'm2']);
    expect([await q0.takeString(), await q0.takeString()]).toEqual(['m1', 'm2']);
    const N = 30;
    const taken: string[] = [];
    const consumers = cs.slice(2).map(async (c) => {
      const q = new DistributedQueue(c, path);
      for (;;) {
        const item = await q.takeString({ timeoutMs: 1500 });
        if (item === null) return;
        taken.push(item);
      }
    });
    await Promise.all(
      cs.slice(0, 2).map(async (c, p) => {
        const q = new DistributedQueue(c, path);
        for (let i = 0; i < N / 2; i++) await q.put(`p${p}-${i}`);
      }),
    );
    await within(Promise.all(consumers), 20_000, 'consumers');
    expect(taken.length).toBe(N);
    expect(new Set(taken).size).toBe(N);
    // per producer, items come out in the order they went in (a single consumer would see total FIFO)
    for (const p of [0, 1]) {
      const mine = taken.filter((t) => t.startsWith(`p${p}-`)).map((t) => Number(t.split('-')[1]));
      expect(mine.length).toBe(N / 2);
    }
  });

  run('SharedCount: 4 clients add 10 each with compare-and-set; count$ sees the final value; stale trySetCount fails', async () => {
    const path = `/counts/${uniqueName()}`;
    const cs = await connect(4);
    const counts = cs.map((c) => new SharedCount(c, path, 0));
    const seen = firstValueFrom(counts[0]!.count$.pipe(filter((v) => v === 40)));
    await within(Promise.all(counts.map(async (sc) => { for (let i = 0; i < 10; i++) await sc.add(1); })), 20_000, 'adds');
    expect(await counts[1]!.get()).toBe(40);
    expect(await within(seen, 10_000, 'count$ 40')).toBe(40);
    const v = await counts[0]!.getVersioned();
    expect(v).toEqual({ value: 40, version: 39 }); // the first add created the node at version 0
    expect(await counts[1]!.trySetCount(v, 41)).toBe(true);
    expect(await counts[0]!.trySetCount(v, 99)).toBe(false);
    expect([...(await cs[0]!.getData(path)).data!]).toEqual([0, 0, 0, 41]);
  });

  run('GroupMember: members see each other; a closed session leaves the group and is told', async () => {
    const path = `/groups/${uniqueName()}`;
    const cs = await connect(3);
    const members = cs.map((c, i) => new GroupMember(c, path, `m${i}`, `payload-${i}`));
    for (const m of members) await m.start();
    const views: Map<string, Uint8Array | null>[] = [];
    const sub = members[0]!.members$.subscribe((v) => views.push(v));
    await until(() => views.at(-1)?.size === 3, 10_000, 'three members');
    expect(dec.decode(views.at(-1)!.get('m2')!)).toBe('payload-2');
    await cs[2]!.close();
    expect(members[2]!.state).toBe('lost');
    await until(() => views.at(-1)?.size === 2, 10_000, 'member gone');
    expect([...views.at(-1)!.keys()]).toEqual(['m0', 'm1']);
    await members[1]!.close();
    await until(() => views.at(-1)?.size === 1, 10_000, 'member left');
    sub.unsubscribe();
    await expect(new GroupMember(cs[1]!, path, 'm0').start()).rejects.toThrow(/NODEEXISTS|NodeExists|exists/i);
  });

  for (const mode of ['dataWatch', 'persistent'] as const) {
    run(`watchNode (${mode}): current value, then every change, deletion and re-creation; completes on close`, async () => {
      const path = `/config/${uniqueName()}`;
      const [w, r] = await connect(2);
      const values: NodeValue[] = [];
      let completed = false;
      const next = (n: number) => until(() => values.length >= n, 10_000, `value ${n}`);
      watchNode(r!, path, { mode }).subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
      await next(1);
      expect(values[0]!.stat).toBeNull();
      await w!.create('/config', null).catch(() => undefined);
      await w!.create(path, 'v1');
      await next(2);
      for (const v of ['v2', 'v3']) {
        await w!.setData(path, v);
        await next(values.length + 1);
      }
      await w!.delete(path);
      await next(5);
      await w!.create(path, 'v4');
      await next(6);
      expect(values.map((v) => (v.stat === null ? null : dec.decode(v.data!)))).toEqual([null, 'v1', 'v2', 'v3', null, 'v4']);
      await r!.close();
      await until(() => completed, 5000, 'completed');
    });
  }

  run('UniqueIdGenerator: concurrent ids from 2 sessions are unique; each session sees them increase; nothing left behind', async () => {
    const path = `/ids/${uniqueName()}`;
    const cs = await connect(2);
    const perClient = await Promise.all(
      cs.map(async (c) => {
        const gen = new UniqueIdGenerator(c, path);
        const ids: number[] = [];
        for (let i = 0; i < 10; i++) ids.push(await gen.next());
        return ids;
      }),
    );
    for (const ids of perClient) expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(perClient.flat()).size).toBe(20);
    expect(await cs[0]!.getChildren(path)).toEqual([]);
  });

  run('ServiceDiscovery: providers register, a consumer sees the live list; a closed provider drops out', async () => {
    const base = `/services-${uniqueName()}`;
    const [p1, p2, consumer] = await connect(3);
    const lists: ServiceInstance<{ zone: string }>[][] = [];
    const sub = new ServiceDiscovery(consumer!, base).instances$<{ zone: string }>('worker').subscribe((l) => lists.push(l));
    await until(() => lists.length === 1, 10_000, 'initial list');
    expect(lists[0]).toEqual([]);
    const d1 = new ServiceDiscovery(p1!, base);
    await d1.register({ name: 'worker', id: 'w1', address: '10.0.0.1', port: 8080, payload: { zone: 'a' } });
    await new ServiceDiscovery(p2!, base).register({ name: 'worker', id: 'w2', address: '10.0.0.2', port: 8080, payload: { zone: 'b' } });
    await until(() => lists.at(-1)?.length === 2, 10_000, 'two instances');
    expect(lists.at(-1)!.map((i) => [i.id, i.address, i.payload?.zone, i.serviceType])).toEqual([
      ['w1', '10.0.0.1', 'a', 'DYNAMIC'],
      ['w2', '10.0.0.2', 'b', 'DYNAMIC'],
    ]);
    const raw = JSON.parse(dec.decode((await consumer!.getData(`${base}/worker/w1`)).data!)) as object;
    expect(Object.keys(raw)).toEqual(['name', 'id', 'address', 'port', 'sslPort', 'payload', 'registrationTimeUTC', 'serviceType', 'uriSpec']);
    expect((await consumer!.exists(`${base}/worker/w1`))!.ephemeralOwner).toBe(p1!.sessionId);
    await p2!.close();
    await until(() => lists.at(-1)?.length === 1, 10_000, 'w2 gone');
    await d1.close();
    await until(() => lists.at(-1)?.length === 0, 10_000, 'w1 unregistered');
    expect(await new ServiceDiscovery(consumer!, base).names()).toEqual(['worker']);
    sub.unsubscribe();
    const all = await firstValueFrom(new ServiceDiscovery(consumer!, base).names$().pipe(take(1), toArray()));
    expect(all).toEqual([['worker']]);
  });
});
