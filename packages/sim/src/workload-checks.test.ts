import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from './history.js';
import { checkIds, checkLock, checkQueue, type FinalTree } from './workload-checks.js';

type Ev = [process: number, type: HistoryEvent['type'], f: string, value: unknown];
const h = (path: string, ...evs: Ev[]): HistoryEvent[] => evs.map(([process, type, f, value]) => ({ process, type, f, path, value }));
const tree = (path: string, items: [string, string][]): FinalTree => ({
  children: (p) => (p === path ? items.map(([name, data]) => ({ name, data })) : null),
});

describe('unique ids', () => {
  const ok = h('/ids', [0, 'invoke', 'next-id', 'a'], [1, 'invoke', 'next-id', 'b'], [0, 'ok', 'next-id', '/ids/id-0000000000'], [1, 'ok', 'next-id', '/ids/id-0000000001']);
  it('passes when ids are distinct and all kept', () => {
    expect(checkIds(ok, tree('/ids', [['id-0000000000', 'a'], ['id-0000000001', 'b']]))).toEqual([]);
  });
  it('names a duplicate id, a lost id and an invented one', () => {
    const dup = h('/ids', [0, 'invoke', 'next-id', 'a'], [0, 'ok', 'next-id', '/ids/id-1'], [1, 'invoke', 'next-id', 'b'], [1, 'ok', 'next-id', '/ids/id-1']);
    expect(checkIds(dup, tree('/ids', [['id-1', 'b']])).join('\n')).toContain('/ids/id-1 handed out twice (lines 1 and 3)');
    expect(checkIds(ok, tree('/ids', [['id-0000000000', 'a']])).join('\n')).toContain('acknowledged /ids/id-0000000001 (line 2) is missing');
    expect(checkIds(ok, tree('/ids', [['id-0000000000', 'a'], ['id-0000000001', 'b'], ['id-9', 'zz']])).join('\n')).toContain('"zz", which no client asked for');
  });
});

describe('queue', () => {
  const base: Ev[] = [[0, 'invoke', 'enqueue', 'x'], [0, 'ok', 'enqueue', '/queue/item-0'], [0, 'invoke', 'enqueue', 'y'], [0, 'ok', 'enqueue', '/queue/item-1']];
  it('passes when items are dequeued once or still queued', () => {
    const evs = h('/queue', ...base, [1, 'invoke', 'dequeue', null], [1, 'ok', 'dequeue', 'x']);
    expect(checkQueue(evs, tree('/queue', [['item-1', 'y']]))).toEqual([]);
  });
  it('names a double dequeue, a phantom item and a lost item', () => {
    const twice = h('/queue', ...base, [1, 'invoke', 'dequeue', null], [1, 'ok', 'dequeue', 'x'], [2, 'invoke', 'dequeue', null], [2, 'ok', 'dequeue', 'x']);
    expect(checkQueue(twice, tree('/queue', [['item-1', 'y']])).join('\n')).toContain('x dequeued twice (lines 5 and 7)');
    const phantom = h('/queue', ...base, [1, 'invoke', 'dequeue', null], [1, 'ok', 'dequeue', 'q']);
    expect(checkQueue(phantom, tree('/queue', [['item-0', 'x'], ['item-1', 'y']])).join('\n')).toContain('q dequeued (line 5) but never enqueued');
    const lost = h('/queue', ...base);
    expect(checkQueue(lost, tree('/queue', [['item-1', 'y']])).join('\n')).toContain('1 acknowledged items neither dequeued nor queued');
    // ...unless a dequeue with an unknown outcome may have taken it.
    const maybe = h('/queue', ...base, [1, 'invoke', 'dequeue', null], [1, 'info', 'dequeue', null]);
    expect(checkQueue(maybe, tree('/queue', [['item-1', 'y']]))).toEqual([]);
  });
});

describe('lock', () => {
  const ev = (process: number, type: HistoryEvent['type'], f: string, value: unknown, time: number): HistoryEvent => ({ process, type, f, path: '/lock', value, time });
  const a = [ev(0, 'invoke', 'acquire', 'a', 0), ev(0, 'ok', 'acquire', '/lock/l-0', 1)];
  const b = (at: number) => [ev(1, 'invoke', 'acquire', 'b', 0), ev(1, 'ok', 'acquire', '/lock/l-1', at)];
  it('passes when the next holder starts after the release', () => {
    expect(checkLock([...a, ev(0, 'invoke', 'release', '/lock/l-0', 5), ev(0, 'ok', 'release', null, 7), ...b(6)], () => undefined, 100)).toEqual([]);
  });
  it('names two holders at once', () => {
    const r = checkLock([...a, ...b(3), ev(0, 'invoke', 'release', '/lock/l-0', 5)], () => undefined, 100);
    expect(r.join('\n')).toContain('lock: held twice at once: a (acquired line 2) and b (acquired line 4)');
  });
  it('lets the next holder in once the old holder\'s session was closed', () => {
    expect(checkLock([...a, ...b(4)], (t) => (t === 'a' ? 3 : undefined), 100)).toEqual([]);
  });
});
