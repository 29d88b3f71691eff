import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstValueFrom, toArray } from 'rxjs';
import type { PeerEnvelope, PeerLinkEvent, PeerTransport, ServerId } from '@zkts/transport';
import { MemoryNetwork, type NetworkEvent } from './network.js';
import { ManualScheduler, RealScheduler, seededRandom } from './scheduler.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Records what one transport receives and which link events it sees. */
function record(t: PeerTransport): { got: string[]; links: string[]; completed: () => boolean } {
  const got: string[] = [];
  const links: string[] = [];
  let done = false;
  t.messages$.subscribe({ next: (e: PeerEnvelope) => got.push(`${e.from}:${dec(e.msg)}`), complete: () => (done = true) });
  t.links$.subscribe((e: PeerLinkEvent) => links.push(`${e.peer}${e.up ? '+' : '-'}`));
  return { got, links, completed: () => done };
}

function cluster(ids: ServerId[], options: Partial<ConstructorParameters<typeof MemoryNetwork>[0]> = {}) {
  const scheduler = new ManualScheduler();
  const net = new MemoryNetwork({ scheduler, ...options });
  const t = new Map(ids.map((id) => [id, net.join(id)]));
  const rec = new Map(ids.map((id) => [id, record(t.get(id)!)]));
  return { scheduler, net, t: (id: ServerId) => t.get(id)!, rec: (id: ServerId) => rec.get(id)! };
}

describe('MemoryNetwork: delivery', () => {
  it('delivers per-peer in send order despite random delays, exactly once, and counts it', () => {
    const { scheduler, net, t, rec } = cluster([1, 2, 3], { delayMs: { min: 0, max: 20 }, random: seededRandom(7) });
    for (let i = 0; i < 50; i++) {
      t(1).send(2, enc(`a${i}`));
      t(3).send(2, enc(`c${i}`));
      t(2).send(1, enc(`b${i}`));
    }
    scheduler.runUntilIdle();
    const got2 = rec(2).got;
    expect(got2.filter((m) => m.startsWith('1:'))).toEqual(Array.from({ length: 50 }, (_, i) => `1:a${i}`));
    expect(got2.filter((m) => m.startsWith('3:'))).toEqual(Array.from({ length: 50 }, (_, i) => `3:c${i}`));
    expect(rec(1).got).toEqual(Array.from({ length: 50 }, (_, i) => `2:b${i}`));
    // The two senders interleave at the receiver: delays really are random.
    expect(got2.slice(0, 50).every((m) => m.startsWith('1:'))).toBe(false);
    expect(net.linkStats(1, 2)).toMatchObject({ sent: 50, delivered: 50, dropped: 0 });
    expect(net.stats().total).toMatchObject({ sent: 150, delivered: 150, dropped: 0 });
    expect(net.inFlight).toBe(0);
  });

  it('per-peer order and at-most-once hold for any seed, delays and send pattern (property)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 5 })), { maxLength: 60 }),
        (seed, maxDelay, sends) => {
          const { scheduler, t, rec } = cluster([1, 2, 3], { delayMs: { min: 0, max: maxDelay }, random: seededRandom(seed) });
          const expected = new Map<string, string[]>();
          sends.forEach(([from, to, wait], i) => {
            t(from).send(to, enc(`${i}`));
            expected.set(`${from}>${to}`, [...(expected.get(`${from}>${to}`) ?? []), `${from}:${i}`]);
            scheduler.advance(wait);
          });
          scheduler.runUntilIdle();
          for (const to of [1, 2, 3]) {
            for (const from of [1, 2, 3]) {
              expect(rec(to).got.filter((m) => m.startsWith(`${from}:`))).toEqual(expected.get(`${from}>${to}`) ?? []);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('delivers to oneself on a later turn, never inside send()', () => {
    const { scheduler, t, rec, net } = cluster([1]);
    t(1).send(1, enc('me'));
    expect(rec(1).got).toEqual([]);
    scheduler.advance(0);
    expect(rec(1).got).toEqual(['1:me']);
    expect(net.linkStats(1, 1).delivered).toBe(1);
  });

  it('copies the message: changing the buffer after send() does not reach the receiver', () => {
    const { scheduler, t, rec } = cluster([1, 2]);
    const buf = enc('abc');
    t(1).send(2, buf);
    buf[0] = 'x'.charCodeAt(0);
    scheduler.runUntilIdle();
    expect(rec(2).got).toEqual(['1:abc']);
  });

  it('drops messages to a server that never joined, and counts why', () => {
    const { scheduler, t, net } = cluster([1]);
    t(1).send(9, enc('x'));
    scheduler.runUntilIdle();
    expect(net.linkStats(1, 9).droppedBy['receiver-down']).toBe(1);
  });

  it('loss drops about the configured share, silently (no link event)', () => {
    const { scheduler, t, rec, net } = cluster([1, 2], { loss: 0.3, random: seededRandom(3) });
    scheduler.advance(0);
    for (let i = 0; i < 1000; i++) t(1).send(2, enc(`${i}`));
    scheduler.runUntilIdle();
    const s = net.linkStats(1, 2);
    expect(s.sent).toBe(1000);
    expect(s.delivered + s.dropped).toBe(1000);
    expect(s.droppedBy.loss).toBe(s.dropped);
    expect(s.dropped).toBeGreaterThan(200);
    expect(s.dropped).toBeLessThan(400);
    // What does arrive is still in order.
    const seqs = rec(2).got.map((m) => Number(m.split(':')[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(rec(1).links).toEqual(['2+']);
  });

  it('duplicate and reorder (nemesis tools) break at-most-once and ordering when asked to', () => {
    const dup = cluster([1, 2], { duplicate: 1 });
    for (let i = 0; i < 5; i++) dup.t(1).send(2, enc(`${i}`));
    dup.scheduler.runUntilIdle();
    expect(dup.rec(2).got).toEqual(['1:0', '1:0', '1:1', '1:1', '1:2', '1:2', '1:3', '1:3', '1:4', '1:4']);
    expect(dup.net.linkStats(1, 2)).toMatchObject({ sent: 5, delivered: 10, duplicated: 5 });

    const re = cluster([1, 2], { reorder: 1, delayMs: { min: 0, max: 10 }, random: seededRandom(11) });
    for (let i = 0; i < 20; i++) re.t(1).send(2, enc(`${i}`));
    re.scheduler.runUntilIdle();
    const seqs = re.rec(2).got.map((m) => Number(m.split(':')[1]));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(seqs).not.toEqual([...seqs].sort((a, b) => a - b));
  });

  it('configureLink overrides the global settings for one direction only', () => {
    const { scheduler, t, rec, net } = cluster([1, 2], { delayMs: { min: 1, max: 1 } });
    net.configureLink(1, 2, { delayMs: { min: 50, max: 50 } });
    t(1).send(2, enc('slow'));
    t(2).send(1, enc('fast'));
    scheduler.advance(1);
    expect(rec(1).got).toEqual(['2:fast']);
    expect(rec(2).got).toEqual([]);
    scheduler.advance(49);
    expect(rec(2).got).toEqual(['1:slow']);
    net.configureLink(1, 2, undefined);
    expect(net.faults(1, 2).delayMs).toEqual({ min: 1, max: 1 });
  });

  it('rejects bad fault settings naming the field', () => {
    const scheduler = new ManualScheduler();
    expect(() => new MemoryNetwork({ scheduler, loss: 1.5 })).toThrow(/loss: 1.5 is not a probability/);
    expect(() => new MemoryNetwork({ scheduler, delayMs: { min: 5, max: 1 } })).toThrow(/delayMs/);
    const net = new MemoryNetwork({ scheduler });
    expect(() => net.configure({ duplicate: -1 })).toThrow(/duplicate: -1/);
    expect(() => net.configureLink(1, 2, { reorder: Number.NaN })).toThrow(/reorder/);
    expect(() => net.partition([[1, 2], [2, 3]])).toThrow(/server 2 is in two groups/);
    expect(() => net.join(-1)).toThrow(/server id -1/);
    net.join(1);
    expect(() => net.join(1)).toThrow(/already running/);
  });
});

describe('MemoryNetwork: links, partitions, crashes', () => {
  it('reports links up once both ends run, on the next scheduler turn', () => {
    const { scheduler, net, rec } = cluster([1, 2]);
    expect(rec(1).links).toEqual([]);
    scheduler.advance(0);
    expect(rec(1).links).toEqual(['2+']);
    expect(rec(2).links).toEqual(['1+']);
    const t3 = net.join(3);
    const r3 = record(t3);
    scheduler.advance(0);
    expect(rec(1).links).toEqual(['2+', '3+']);
    expect(r3.links).toEqual(['1+', '2+']);
  });

  it('partition: cross-group sends are dropped, in-flight ones lost, links go down; heal restores', () => {
    const { scheduler, net, t, rec } = cluster([1, 2, 3], { delayMs: { min: 10, max: 10 } });
    scheduler.advance(0);
    t(1).send(3, enc('in-flight'));
    scheduler.advance(5);
    net.partition([[1, 2], [3]]);
    t(1).send(3, enc('blocked'));
    t(1).send(2, enc('same-side'));
    scheduler.advance(20);
    expect(rec(3).got).toEqual([]);
    expect(rec(2).got).toEqual(['1:same-side']);
    expect(net.linkStats(1, 3).droppedBy).toMatchObject({ 'link-reset': 1, cut: 1 });
    expect(rec(1).links).toEqual(['2+', '3+', '3-']);
    expect(rec(3).links).toEqual(['1+', '2+', '1-', '2-']);
    expect(rec(2).links).toEqual(['1+', '3+', '3-']);
    net.heal();
    scheduler.advance(0);
    expect(rec(3).links).toEqual(['1+', '2+', '1-', '2-', '1+', '2+']);
    t(1).send(3, enc('after'));
    scheduler.advance(10);
    expect(rec(3).got).toEqual(['1:after']);
  });

  it('an id named in no group of a partition is alone; isolate cuts one server off', () => {
    const { scheduler, net, t, rec } = cluster([1, 2, 3, 4]);
    net.partition([[1, 2]]);
    expect(net.isCut(3, 4)).toBe(true);
    expect(net.isCut(1, 2)).toBe(false);
    net.heal();
    net.isolate(4);
    for (const to of [1, 2, 3]) t(4).send(to, enc('x'));
    t(4).send(4, enc('self'));
    t(1).send(2, enc('ok'));
    scheduler.runUntilIdle();
    expect(rec(2).got).toEqual(['1:ok']);
    expect(rec(4).got).toEqual(['4:self']);
    expect(rec(4).links).toEqual([]); // isolated before the first link event ran
  });

  it('a one-way cut drops one direction only (and, reported, takes the link down)', () => {
    const { scheduler, net, t, rec } = cluster([1, 2]);
    scheduler.advance(0);
    net.cutLink(1, 2, { oneWay: true });
    t(1).send(2, enc('lost'));
    t(2).send(1, enc('arrives'));
    scheduler.runUntilIdle();
    expect(rec(2).got).toEqual([]);
    expect(rec(1).got).toEqual(['2:arrives']);
    expect(rec(1).links).toEqual(['2+', '2-']);
    net.healLink(2, 1);
    scheduler.runUntilIdle();
    expect(rec(1).links).toEqual(['2+', '2-', '2+']);
  });

  it('reportPartitions: false makes a silent network: drops without link events', () => {
    const { scheduler, net, t, rec } = cluster([1, 2], { reportPartitions: false });
    scheduler.advance(0);
    net.partition([[1], [2]]);
    t(1).send(2, enc('lost'));
    scheduler.runUntilIdle();
    expect(rec(2).got).toEqual([]);
    expect(rec(1).links).toEqual(['2+']);
    net.heal();
    t(1).send(2, enc('ok'));
    scheduler.runUntilIdle();
    expect(rec(2).got).toEqual(['1:ok']);
  });

  it('crash: the others see the link go down, the crashed streams complete, nothing reaches it', () => {
    const { scheduler, net, t, rec } = cluster([1, 2, 3], { delayMs: { min: 5, max: 5 } });
    scheduler.advance(0);
    const old2 = t(2);
    t(1).send(2, enc('in-flight'));
    t(2).send(1, enc('from-the-dead'));
    net.crash(2);
    expect(rec(2).completed()).toBe(true);
    expect(old2.closed).toBe(true);
    old2.send(1, enc('zombie'));
    scheduler.runUntilIdle();
    expect(rec(1).got).toEqual([]);
    expect(rec(1).links).toEqual(['2+', '3+', '2-']);
    expect(rec(3).links).toEqual(['1+', '2+', '2-']);
    expect(net.linkStats(2, 1).droppedBy).toMatchObject({ 'link-reset': 1, 'sender-down': 1 });
    expect(() => net.crash(2)).toThrow(/not running/);

    const new2 = net.restart(2);
    const r2 = record(new2);
    scheduler.advance(0);
    expect(r2.links).toEqual(['1+', '3+']);
    expect(rec(1).links).toEqual(['2+', '3+', '2-', '2+']);
    t(1).send(2, enc('hello again'));
    scheduler.runUntilIdle();
    expect(r2.got).toEqual(['1:hello again']);
    expect(net.runningIds()).toEqual([1, 2, 3]);
  });

  it('a crash and restart between two link reports still shows as down then up (a new link)', () => {
    const { scheduler, net, rec } = cluster([1, 2]);
    scheduler.advance(0);
    net.restart(2);
    scheduler.advance(0);
    expect(rec(1).links).toEqual(['2+', '2-', '2+']);
  });

  it('close: no delivery afterwards, streams complete, others see the link down', async () => {
    const { scheduler, t, rec, net } = cluster([1, 2], { delayMs: { min: 3, max: 3 } });
    scheduler.advance(0);
    t(1).send(2, enc('late'));
    t(2).send(2, enc('self-late'));
    await t(2).close();
    scheduler.runUntilIdle();
    expect(rec(2).got).toEqual([]);
    expect(rec(2).completed()).toBe(true);
    expect(rec(1).links).toEqual(['2+', '2-']);
    expect(net.transport(2)).toBeUndefined();
    await t(2).close(); // idempotent
  });

  it('links$ alternates up and down per peer, starting with up, under random chaos (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), (seed, script) => {
        const random = seededRandom(seed);
        const { scheduler, net } = cluster([]);
        const logs = new Map<PeerTransport, PeerLinkEvent[]>();
        const start = (id: number) => {
          const tr = net.transport(id) ?? net.join(id);
          if (!logs.has(tr)) {
            const log: PeerLinkEvent[] = [];
            logs.set(tr, log);
            tr.links$.subscribe((e) => log.push(e));
          }
        };
        [1, 2, 3].forEach(start);
        for (const step of script) {
          const id = 1 + Math.floor(random() * 3);
          if (step === 0 && net.transport(id)) net.crash(id);
          else if (step === 1) start(id);
          else if (step === 2) net.partition([[id], [1, 2, 3].filter((x) => x !== id)]);
          else if (step === 3) net.heal();
          else if (step === 4) net.isolate(id);
          else scheduler.advance(random() < 0.5 ? 0 : 1);
        }
        scheduler.runUntilIdle();
        for (const log of logs.values()) {
          for (const peer of [1, 2, 3]) {
            const ups = log.filter((e) => e.peer === peer).map((e) => e.up);
            ups.forEach((up, i) => expect(up).toBe(i % 2 === 0));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('linkEventDelayMs holds link events back by that long', () => {
    const { scheduler, rec } = cluster([1, 2], { linkEventDelayMs: 7 });
    scheduler.advance(6);
    expect(rec(1).links).toEqual([]);
    scheduler.advance(1);
    expect(rec(1).links).toEqual(['2+']);
  });
});

describe('MemoryNetwork: determinism and tracing', () => {
  /** A chaotic run: random sends, delays, loss, a partition and a crash, driven by one seed. */
  function run(seed: number): NetworkEvent[] {
    const scheduler = new ManualScheduler();
    const random = seededRandom(seed);
    const net = new MemoryNetwork({ scheduler, random, delayMs: { min: 1, max: 30 }, loss: 0.1 });
    const trace: NetworkEvent[] = [];
    net.observe((e) => trace.push(e));
    const ts = [1, 2, 3, 4, 5].map((id) => net.join(id));
    // Every server answers a message once, so deliveries feed back into sends.
    for (const t of ts) t.messages$.subscribe((e) => dec(e.msg).startsWith('q') && t.send(e.from, enc(`r${dec(e.msg)}`)));
    const scriptRandom = seededRandom(seed + 1);
    for (let step = 0; step < 200; step++) {
      const from = 1 + Math.floor(scriptRandom() * 5);
      const to = 1 + Math.floor(scriptRandom() * 5);
      net.transport(from)?.send(to, enc(`q${step}`));
      if (step === 50) net.partition([[1, 2, 3], [4, 5]]);
      if (step === 100) net.crash(5);
      if (step === 120) net.heal();
      if (step === 150) net.restart(5);
      scheduler.advance(Math.floor(scriptRandom() * 5));
    }
    scheduler.runUntilIdle();
    return trace;
  }

  it('the same seed gives the same trace; another seed another one', () => {
    const a = run(2024);
    const b = run(2024);
    const c = run(2025);
    expect(a.length).toBeGreaterThan(300);
    const show = (t: NetworkEvent[]) => JSON.stringify(t, (_k, v) => (v instanceof Uint8Array ? dec(v) : v));
    expect(show(b)).toBe(show(a));
    expect(show(c)).not.toBe(show(a));
    const kinds = new Set(a.map((e) => (e.type === 'drop' ? `drop:${e.reason}` : e.type)));
    for (const k of ['deliver', 'drop:loss', 'drop:cut', 'link', 'crash', 'start']) expect(kinds).toContain(k);
  });

  it('observe() sees each delivery with its send time; unsubscribing stops it', () => {
    const { scheduler, net, t } = cluster([1, 2], { delayMs: { min: 4, max: 4 } });
    const seen: NetworkEvent[] = [];
    const stop = net.observe((e) => seen.push(e));
    t(1).send(2, enc('x'));
    scheduler.runUntilIdle();
    const deliver = seen.find((e) => e.type === 'deliver');
    expect(deliver).toMatchObject({ type: 'deliver', from: 1, to: 2, sentAt: 0, at: 4, duplicate: false });
    stop();
    t(1).send(2, enc('y'));
    scheduler.runUntilIdle();
    expect(seen.filter((e) => e.type === 'deliver')).toHaveLength(1);
  });
});

describe('MemoryNetwork with the real scheduler', () => {
  it('works for ordinary async tests', async () => {
    const net = new MemoryNetwork({ scheduler: new RealScheduler(), delayMs: { min: 0, max: 3 }, random: seededRandom(1) });
    const a = net.join(1);
    const b = net.join(2);
    const received = firstValueFrom(b.messages$.pipe(toArray()));
    const linkUp = firstValueFrom(a.links$);
    expect(await linkUp).toEqual({ peer: 2, up: true });
    for (let i = 0; i < 20; i++) a.send(2, enc(`${i}`));
    await new Promise<void>((resolve) => {
      const stop = net.observe(() => net.linkStats(1, 2).delivered === 20 && (stop(), resolve()));
    });
    await b.close();
    expect((await received).map((e) => dec(e.msg))).toEqual(Array.from({ length: 20 }, (_, i) => `${i}`));
  });
});
