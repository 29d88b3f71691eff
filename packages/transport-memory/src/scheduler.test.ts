import { describe, expect, it } from 'vitest';
import { ManualScheduler, RealScheduler, seededRandom } from './scheduler.js';

describe('ManualScheduler', () => {
  it('runs events in time order, ties in the order they were scheduled, moving the clock', () => {
    const s = new ManualScheduler(100);
    const log: string[] = [];
    s.schedule(5, () => log.push(`b@${s.now()}`));
    s.schedule(1, () => log.push(`a@${s.now()}`));
    s.schedule(5, () => log.push(`c@${s.now()}`));
    s.schedule(0, () => log.push(`z@${s.now()}`));
    expect(log).toEqual([]);
    expect(s.pending).toBe(4);
    expect(s.advance(4)).toBe(2);
    expect(log).toEqual(['z@100', 'a@101']);
    expect(s.now()).toBe(104);
    s.advance(1);
    expect(log).toEqual(['z@100', 'a@101', 'b@105', 'c@105']);
    expect(s.pending).toBe(0);
  });

  it('runs events scheduled while running when they fall due within the same advance', () => {
    const s = new ManualScheduler();
    const log: number[] = [];
    s.schedule(1, () => {
      log.push(s.now());
      s.schedule(0, () => log.push(s.now()));
      s.schedule(2, () => log.push(s.now()));
      s.schedule(10, () => log.push(s.now()));
    });
    s.advance(3);
    expect(log).toEqual([1, 1, 3]);
    expect(s.nextDueAt()).toBe(11);
    expect(s.runNext()).toBe(true);
    expect(log).toEqual([1, 1, 3, 11]);
    expect(s.runNext()).toBe(false);
  });

  it('cancel removes an event; cancelling twice or after it ran does nothing', () => {
    const s = new ManualScheduler();
    const log: string[] = [];
    const cancelA = s.schedule(1, () => log.push('a'));
    s.schedule(1, () => log.push('b'));
    cancelA();
    cancelA();
    expect(s.pending).toBe(1);
    expect(s.runUntilIdle()).toBe(1);
    expect(log).toEqual(['b']);
    expect(s.now()).toBe(1);
  });

  it('runUntilIdle refuses to spin forever on an event that reschedules itself', () => {
    const s = new ManualScheduler();
    const loop = (): void => void s.schedule(1, loop);
    loop();
    expect(() => s.runUntilIdle(1000)).toThrow(/still busy after 1000 events/);
  });

  it('rejects negative or non-finite delays and advances with a clear error', () => {
    const s = new ManualScheduler();
    expect(() => s.schedule(-1, () => {})).toThrow(/delayMs: -1/);
    expect(() => s.schedule(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => s.advance(-5)).toThrow(/advance ms: -5/);
  });
});

describe('RealScheduler', () => {
  it('runs on the wall clock and can be cancelled', async () => {
    const s = new RealScheduler();
    const before = s.now();
    let cancelledRan = false;
    s.schedule(1, () => (cancelledRan = true))();
    await new Promise<void>((resolve) => s.schedule(5, resolve));
    expect(s.now()).toBeGreaterThanOrEqual(before);
    expect(cancelledRan).toBe(false);
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(() => seededRandom(1.5)).toThrow(/seed/);
  });
});
