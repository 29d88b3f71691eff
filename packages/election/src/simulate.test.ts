import { describe, expect, it } from 'vitest';
import { basicElection } from './basic.js';
import { fastElection } from './fast.js';
import { simulateElection, SIMULATE_TRIALS_MAX } from './simulate.js';

describe('simulateElection', () => {
  for (const strategy of [fastElection, basicElection]) {
    it(`${strategy.name}: every trial converges to the best of a quorum; stats are plausible and reproducible`, () => {
      const stats = simulateElection(strategy, { voters: 5, observers: 1, trials: 40 });
      expect(stats).toMatchObject({ strategy: strategy.name, scenario: 'cold-start', trials: 40, converged: 40, bestOfQuorum: 40 });
      // 5 voters + 1 observer exchange at least one message each way with every voter.
      expect(stats.messages.p50).toBeGreaterThanOrEqual(20);
      expect(stats.timeToStableMs.p50).toBeGreaterThan(0);
      expect(stats.timeToStableMs.max).toBeGreaterThanOrEqual(stats.timeToStableMs.p95);
      expect(stats.timeToStableMs.p95).toBeGreaterThanOrEqual(stats.timeToStableMs.p50);
      expect(simulateElection(strategy, { voters: 5, observers: 1, trials: 40 })).toEqual(stats);
    });

    it(`${strategy.name}: after a leader crash the survivors converge; time counts from the crash and includes failure detection`, () => {
      const stats = simulateElection(strategy, { voters: 3, trials: 30, scenario: 'leader-crash', failureDetectionMs: 100 });
      expect(stats).toMatchObject({ scenario: 'leader-crash', converged: 30, bestOfQuorum: 30 });
      expect(stats.timeToStableMs.p50).toBeGreaterThanOrEqual(100);
    });
  }

  it('fast needs no re-election without loss; message loss costs time but still converges', () => {
    const clean = simulateElection(fastElection, { voters: 5, trials: 30 });
    const lossy = simulateElection(fastElection, { voters: 5, trials: 30, network: { lossRate: 0.2 } });
    expect(clean.reElections).toBe(0);
    expect(lossy.converged).toBe(30);
    expect(lossy.timeToStableMs.mean).toBeGreaterThanOrEqual(clean.timeToStableMs.mean);
  });

  it('refuses bad options with a message naming them', () => {
    expect(() => simulateElection(fastElection, { trials: 0 })).toThrow(/trials must be in 1\.\./);
    expect(() => simulateElection(fastElection, { trials: SIMULATE_TRIALS_MAX + 1 })).toThrow(/trials/);
    expect(() => simulateElection(fastElection, { voters: 0 })).toThrow(/voters must be a positive integer/);
    expect(() => simulateElection(fastElection, { voters: 2, scenario: 'leader-crash' })).toThrow(/at least 3 voters/);
    expect(() => simulateElection(fastElection, { trials: 1, network: { lossRate: 1 } })).toThrow(/lossRate/);
  });
});
