// The ensemble benchmark's pure parts: argument parsing, how connections are dealt, how per-server
// results merge, and the in-memory election trials (deterministic; no timing is asserted).
import { describe, expect, it } from 'vitest';
import { fastElection, simulateElection } from '@zkts/election';
import { Histogram } from '../histogram.js';
import type { LoadResult } from '../loadgen.js';
import { runSimCase, runSimTrial } from './election-sim.js';
import { DEFAULT_PARTS, parseCells, parseEnsemblePlan } from './plan.js';
import { dealConnections, mergeResults } from './spread-load.js';
import { quantile, summarize } from './stats.js';

describe('parseEnsemblePlan', () => {
  it('defaults to every part, 3 servers, one kill, 20 failover trials, forceSync on', () => {
    const p = parseEnsemblePlan([]);
    expect(p.parts).toEqual(DEFAULT_PARTS);
    expect(p).toMatchObject({ servers: 3, kill: 1, failoverTrials: 20, forceSync: [true], targets: ['zkts-fast', 'zkts-basic', 'zookeeper'] });
    expect(parseEnsemblePlan(['--quick']).failoverTrials).toBeLessThan(20);
  });

  it('reads parts and flags', () => {
    const p = parseEnsemblePlan(['failover', 'throughput', '--servers', '5', '--kill', '2', '--trials', '25', '--force-sync', 'yes,no', '--targets', 'zkts-basic', '--cells', 'set:8x64,get:1x1']);
    expect(p.parts).toEqual(['failover', 'throughput']);
    expect(p).toMatchObject({ servers: 5, kill: 2, failoverTrials: 25, forceSync: [true, false], targets: ['zkts-basic'] });
    expect(p.cells).toEqual([{ op: 'set', connections: 8, inFlight: 64 }, { op: 'get', connections: 1, inFlight: 1 }]);
    expect(p.leaderFirst).toBe(false);
    expect(parseEnsemblePlan(['--deal', 'leader-first']).leaderFirst).toBe(true);
  });

  it('refuses bad input with a message naming the flag', () => {
    expect(() => parseEnsemblePlan(['--servers', '4'])).toThrow(/--servers/);
    expect(() => parseEnsemblePlan(['--kill', '2'])).toThrow(/--kill 2: a 3-server ensemble/);
    expect(() => parseEnsemblePlan(['--trials', '0'])).toThrow(/--trials: expected an integer/);
    expect(() => parseEnsemblePlan(['--trials'])).toThrow(/got nothing/);
    expect(() => parseEnsemblePlan(['--targets', 'etcd'])).toThrow(/unknown target etcd/);
    expect(() => parseEnsemblePlan(['--force-sync', 'maybe'])).toThrow(/--force-sync/);
    expect(() => parseEnsemblePlan(['--frobnicate'])).toThrow(/unknown argument --frobnicate/);
    expect(() => parseEnsemblePlan(['--deal', 'random'])).toThrow(/--deal: expected followers-first or leader-first/);
    expect(() => parseEnsemblePlan(['benchmark-everything'])).toThrow(/unknown part/);
    expect(() => parseCells('set:8')).toThrow(/bad item set:8/);
    expect(() => parseCells('set:0x64')).toThrow(/connections must be/);
  });
});

describe('spread load', () => {
  it('deals connections round-robin, the first targets getting the remainder', () => {
    expect(dealConnections(8, 3)).toEqual([3, 3, 2]);
    expect(dealConnections(1, 3)).toEqual([1, 0, 0]);
    expect(dealConnections(6, 3)).toEqual([2, 2, 2]);
    expect(() => dealConnections(0, 3)).toThrow(/connections/);
  });

  it('merges per-server results: ops/s add up, latencies come from the summed histogram', () => {
    const part = (latUs: number[], ops: number): LoadResult => {
      const h = new Histogram();
      for (const us of latUs) h.record(us);
      return {
        opsPerSec: ops, completed: latUs.length, measuredMs: 1000, latencyMs: { p50: 0, p99: 0, p999: 0, max: 0, mean: 0 },
        errors: { connection: 1 }, byOp: { set: latUs.length }, histogram: h.toSparse(), connections: 1, inFlight: 4,
      };
    };
    // Both parts share bucket 100 µs: its counts must add, not overwrite.
    const m = mergeResults([part([100, 100, 100], 300), part([100, 200], 200)], 4);
    expect(m.opsPerSec).toBe(500);
    expect(m.completed).toBe(5);
    expect(m.errors).toEqual({ connection: 2 });
    expect(m.byOp).toEqual({ set: 5 });
    expect(m.connections).toBe(2);
    expect(m.latencyMs.p50).toBeCloseTo(0.1, 3);
    expect(m.latencyMs.max).toBeCloseTo(0.2, 3);
  });
});

describe('stats', () => {
  it('median of an even sample is the mean of the middle two; p90 by nearest rank', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(summarize([5, 1, 3]).median).toBe(3);
    expect(summarize(Array.from({ length: 10 }, (_, i) => i + 1)).p90).toBe(9);
    expect(Number.isNaN(summarize([]).median)).toBe(true);
  });
});

describe('elections in memory', () => {
  it('a cold start without faults matches simulateElection on the same seeds', () => {
    const mine = runSimCase({ strategy: 'fast', voters: 5, scenario: 'cold-start', fault: 'none', trials: 40 });
    const theirs = simulateElection(fastElection, { voters: 5, trials: 40 });
    expect(mine.converged).toBe(theirs.converged);
    expect(mine.ms.max).toBe(theirs.timeToStableMs.max);
    expect(mine.ms.mean).toBeCloseTo(theirs.timeToStableMs.mean, 9);
    expect(mine.messages.max).toBe(theirs.messages.max);
  });

  it('a trial is deterministic per seed, and a cut-off leader is replaced by another', () => {
    for (const strategy of ['fast', 'basic'] as const) {
      const c = { strategy, voters: 3, scenario: 'leader-crash', fault: 'partition' } as const;
      const a = runSimTrial(c, 7);
      expect(a).toEqual(runSimTrial(c, 7));
      expect(a!.ms).toBeGreaterThan(0);
      expect(a!.messages).toBeGreaterThan(0);
      expect(a!.rounds).toBeGreaterThanOrEqual(1);
    }
  });

  it('refuses a trial count out of range', () => {
    expect(() => runSimCase({ strategy: 'basic', voters: 3, scenario: 'cold-start', fault: 'loss', trials: 0 })).toThrow(/trials/);
  });
});
