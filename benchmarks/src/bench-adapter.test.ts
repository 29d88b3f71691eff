import { describe, expect, it } from 'vitest';
import { compare, comparisonTable, markdownTable, ratio, runCase } from './bench-adapter.js';

const quick = { maxTimeS: 0.2, minSamples: 2 };

describe('bench-adapter', () => {
  it('measures an async case through deferred mode, with setup and teardown once each', async () => {
    const calls = { setup: 0, fn: 0, teardown: 0 };
    const r = await runCase(
      {
        name: 'tick',
        setup: () => void calls.setup++,
        fn: () => new Promise<void>((resolve) => setImmediate(() => { calls.fn++; resolve(); })),
        teardown: async () => void calls.teardown++,
        unitsPerOp: 10,
      },
      quick,
    );
    expect(r.error).toBeUndefined();
    expect(calls.setup).toBe(1);
    expect(calls.teardown).toBe(1);
    expect(calls.fn).toBeGreaterThan(0);
    expect(r.opsPerSec).toBeGreaterThan(0);
    expect(r.unitsPerSec).toBeCloseTo(r.opsPerSec * 10, 6);
    expect(r.samples).toBeGreaterThanOrEqual(2);
    expect(r.rme).toBeGreaterThanOrEqual(0);
  });

  it('reports a rejecting case as an error and still tears it down', async () => {
    let tornDown = false;
    const r = await runCase({ name: 'bad', fn: async () => { throw new Error('disk full'); }, teardown: () => void (tornDown = true) }, quick);
    expect(r.error).toBe('disk full');
    expect(Number.isNaN(r.opsPerSec)).toBe(true);
    expect(tornDown).toBe(true);
  });

  it('compares a candidate with the baseline and prints the ratio', async () => {
    let sink = 0;
    const cmp = await compare(
      { name: 'base', sync: true, fn: () => { for (let i = 0; i < 100; i++) sink += i; } },
      [{ name: 'cand', fn: async () => { sink++; } }],
      quick,
    );
    expect(sink).toBeGreaterThan(0);
    const table = comparisonTable(cmp, 'entries');
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('| base ');
    expect(table).toMatch(/\| cand .*\d+\.\d\dx/);
  });

  it('rejects bad options and malformed tables with a message naming the field', async () => {
    await expect(runCase({ name: 'x', fn: () => 0 }, { maxTimeS: 0 })).rejects.toThrow(/maxTimeS=0/);
    await expect(runCase({ name: 'x', fn: () => 0, unitsPerOp: -1 })).rejects.toThrow(/unitsPerOp=-1 of case x/);
    expect(() => markdownTable(['a', 'b'], [['1']])).toThrow(/row has 1 cells/);
    expect(ratio(3, 2)).toBe('1.50x');
    expect(ratio(NaN, 2)).toBe('-');
  });
});
