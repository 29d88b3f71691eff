import { describe, expect, it } from 'vitest';
import { electionStrategies, electionStrategyNamed } from './registry.js';
import { ELECTION_MEMBERS_MAX, resolveSetup } from './setup.js';
import { ELECTION_TIMING_DEFAULTS, ELECTION_TIMING_MS_MAX, resolveTiming } from './timing.js';

const random = () => 0.5;

describe('resolveTiming', () => {
  it('fills in the defaults and keeps overrides', () => {
    expect(resolveTiming()).toEqual(ELECTION_TIMING_DEFAULTS);
    expect(resolveTiming({ finalizeWaitMs: 0, roundTimeoutMs: 7 })).toMatchObject({ finalizeWaitMs: 0, roundTimeoutMs: 7 });
  });

  it('names the knob that is wrong', () => {
    expect(() => resolveTiming({ finalizeWaitMs: -1 })).toThrow(/finalizeWaitMs must be an integer in 0\.\.60000/);
    expect(() => resolveTiming({ roundTimeoutMs: 0 })).toThrow(/roundTimeoutMs must be an integer in 1\.\./);
    expect(() => resolveTiming({ notificationIntervalMaxMs: ELECTION_TIMING_MS_MAX + 1 })).toThrow(/notificationIntervalMaxMs/);
    expect(() => resolveTiming({ roundPauseMs: 1.5 })).toThrow(/roundPauseMs/);
    expect(() => resolveTiming({ notificationIntervalMinMs: 500, notificationIntervalMaxMs: 400 })).toThrow(/exceeds notificationIntervalMaxMs/);
    expect(() => resolveTiming({ bogusMs: 1 } as never)).toThrow(/unknown knob 'bogusMs'/);
  });
});

describe('resolveSetup', () => {
  it('accepts voters and observers and defaults the quorum to a majority of voters', () => {
    const setup = resolveSetup({ self: 4, voters: [1, 2, 3], observers: [4], random });
    expect(setup.isVoter).toBe(false);
    expect(setup.otherVoters).toEqual([1, 2, 3]);
    expect(setup.quorum.containsQuorum(new Set([1, 4]))).toBe(false);
    expect(setup.quorum.containsQuorum(new Set([1, 2]))).toBe(true);
  });

  it('refuses a bad membership with a message naming the field', () => {
    expect(() => resolveSetup({ self: 9, voters: [1, 2, 3], observers: [], random })).toThrow(/self 9 is neither a voter nor an observer/);
    expect(() => resolveSetup({ self: 1, voters: [1, 1, 2], observers: [], random })).toThrow(/voters lists server 1 twice/);
    expect(() => resolveSetup({ self: 1, voters: [1, 2], observers: [2], random })).toThrow(/server 2 is both a voter and an observer/);
    expect(() => resolveSetup({ self: 1, voters: [], observers: [1], random })).toThrow(/voters must not be empty/);
    expect(() => resolveSetup({ self: 1, voters: [1, -2], observers: [], random })).toThrow(/voters holds -2/);
    expect(() => resolveSetup({ self: -1, voters: [1], observers: [], random })).toThrow(/self must be a non-negative integer/);
    expect(() => resolveSetup({ self: 1, voters: [1], observers: [], random: 3 as never })).toThrow(/random must be a function/);
    const many = Array.from({ length: ELECTION_MEMBERS_MAX + 1 }, (_, i) => i);
    expect(() => resolveSetup({ self: 0, voters: many, observers: [], random })).toThrow(/exceed ELECTION_MEMBERS_MAX/);
  });
});

describe('electionStrategies', () => {
  it('offers fast and basic by name', () => {
    expect(Object.keys(electionStrategies).sort()).toEqual(['basic', 'fast']);
    expect(electionStrategyNamed('fast').name).toBe('fast');
    expect(electionStrategyNamed('basic').create({ self: 1, voters: [1], observers: [], random }).name).toBe('basic');
  });

  it('refuses an unknown name, naming the config key', () => {
    expect(() => electionStrategyNamed('raft')).toThrow(/zkts\.election: unknown strategy 'raft' \(choose fast or basic\)/);
    expect(() => electionStrategyNamed('toString')).toThrow(/unknown strategy/);
  });
});
