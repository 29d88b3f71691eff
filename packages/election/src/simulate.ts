// Seeded election trials over ElectionCluster, summarised as numbers a benchmark or the harness
// can print: how long until one leader is established and everyone follows it, and how many
// messages that took.

import { mixSeed, seededRandom } from './random.js';
import { ElectionCluster, type SimulatedNetwork } from './simulation.js';
import type { ElectionStrategyFactory } from './spi.js';
import type { ElectionTiming } from './timing.js';
import { compareVotes, type ServerId } from './vote.js';

export interface SimulateElectionOptions {
  /** Default 3 voters (ids 1..n). */
  readonly voters?: number;
  readonly observers?: number;
  /** Default 100 trials, seeds seedStart .. seedStart + trials - 1. */
  readonly trials?: number;
  readonly seedStart?: number;
  /** 'cold-start': everyone boots at once. 'leader-crash': after a stable start the leader crashes; times and messages count from the crash. */
  readonly scenario?: 'cold-start' | 'leader-crash';
  readonly network?: Partial<SimulatedNetwork>;
  readonly timing?: Partial<ElectionTiming>;
  readonly failureDetectionMs?: number;
  /** Give up on a trial after this much virtual time (default 60 000 ms). */
  readonly maxVirtualMs?: number;
}

export interface Summary {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface ElectionStats {
  readonly strategy: string;
  readonly scenario: 'cold-start' | 'leader-crash';
  readonly trials: number;
  /** Trials that reached a stable leader within maxVirtualMs. */
  readonly converged: number;
  /** Converged trials whose leader had the best (peerEpoch, zxid, sid) among some quorum. */
  readonly bestOfQuorum: number;
  /** Converged trials where some server had to look more than once (a decision that did not hold). */
  readonly reElections: number;
  /** Virtual ms from the start (or the crash) to a stable leader, over converged trials. */
  readonly timeToStableMs: Summary;
  /** Messages sent from the start (or the crash) to a stable leader, over converged trials. */
  readonly messages: Summary;
}

/** Trials allowed per call, so a typo cannot run for hours. */
export const SIMULATE_TRIALS_MAX = 100_000;

export function simulateElection(strategy: ElectionStrategyFactory, options: SimulateElectionOptions = {}): ElectionStats {
  const voterCount = options.voters ?? 3;
  const observerCount = options.observers ?? 0;
  const trials = options.trials ?? 100;
  const scenario = options.scenario ?? 'cold-start';
  const maxVirtualMs = options.maxVirtualMs ?? 60_000;
  if (!Number.isInteger(voterCount) || voterCount < 1) throw new RangeError(`simulateElection: voters must be a positive integer, got ${voterCount}`);
  if (!Number.isInteger(observerCount) || observerCount < 0) throw new RangeError(`simulateElection: observers must be a non-negative integer, got ${observerCount}`);
  if (!Number.isInteger(trials) || trials < 1 || trials > SIMULATE_TRIALS_MAX) throw new RangeError(`simulateElection: trials must be in 1..${SIMULATE_TRIALS_MAX}, got ${trials}`);
  if (scenario === 'leader-crash' && voterCount < 3) throw new RangeError('simulateElection: leader-crash needs at least 3 voters');
  const voters = Array.from({ length: voterCount }, (_, i) => i + 1);
  const observers = Array.from({ length: observerCount }, (_, i) => voterCount + i + 1);
  const times: number[] = [];
  const messages: number[] = [];
  let converged = 0;
  let bestOfQuorum = 0;
  let reElections = 0;

  for (let trial = 0; trial < trials; trial++) {
    const seed = (options.seedStart ?? 1) + trial;
    const logs = randomLogs(seed, voters);
    const cluster = new ElectionCluster({
      strategy, voters, observers, seed,
      lastZxid: (id) => logs.get(id)?.zxid ?? 0,
      currentEpoch: (id) => logs.get(id)?.epoch ?? 0,
      ...(options.network ? { network: options.network } : {}),
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.failureDetectionMs !== undefined ? { failureDetectionMs: options.failureDetectionMs } : {}),
    });
    cluster.start();
    let startMs = 0;
    let startMessages = 0;
    let looksBefore = 0;
    if (scenario === 'leader-crash') {
      if (!cluster.runUntil(() => cluster.stableLeader() !== null, maxVirtualMs)) continue;
      const leader = cluster.stableLeader()!;
      cluster.crash(leader);
      startMs = cluster.nowMs;
      startMessages = cluster.messagesSent;
      looksBefore = voters.reduce((n, id) => n + cluster.looks(id), 0);
    }
    const candidates = new Map(voters.filter((id) => cluster.role(id) !== 'down').map((id) => [id, { leader: id, zxid: cluster.lastZxid(id), peerEpoch: cluster.currentEpoch(id) }]));
    if (!cluster.runUntil(() => cluster.stableLeader() !== null, maxVirtualMs)) continue;
    converged += 1;
    times.push(cluster.nowMs - startMs);
    messages.push(cluster.messagesSent - startMessages);
    const leader = cluster.stableLeader()!;
    const leaderVote = candidates.get(leader);
    if (leaderVote) {
      const beaten = new Set<ServerId>([...candidates].filter(([, v]) => compareVotes(v, leaderVote) <= 0).map(([id]) => id));
      if (cluster.quorum.containsQuorum(beaten)) bestOfQuorum += 1;
    }
    const looksAfter = voters.reduce((n, id) => n + cluster.looks(id), 0);
    const expectedLooks = scenario === 'cold-start' ? voters.length : candidates.size;
    if (looksAfter - looksBefore > expectedLooks) reElections += 1;
  }
  return {
    strategy: strategy.name, scenario, trials, converged, bestOfQuorum, reElections,
    timeToStableMs: summarize(times), messages: summarize(messages),
  };
}

/** Per-seed logs with deliberate ties: epochs 1..2, zxid counters 0..3. */
function randomLogs(seed: number, voters: readonly ServerId[]): Map<ServerId, { epoch: number; zxid: number }> {
  const random = seededRandom(mixSeed(seed, 0x6c6f67));
  const logs = new Map<ServerId, { epoch: number; zxid: number }>();
  for (const id of voters) {
    const epoch = 1 + Math.floor(random() * 2);
    logs.set(id, { epoch, zxid: epoch * 2 ** 32 + Math.floor(random() * 4) });
  }
  return logs;
}

function summarize(values: number[]): Summary {
  if (values.length === 0) return { mean: Number.NaN, p50: Number.NaN, p95: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}
