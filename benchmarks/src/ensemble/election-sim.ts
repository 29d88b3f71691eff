// Elections in memory: seeded trials of @zkts/election's ElectionCluster (the strategies' pure
// cores over a virtual clock and a simulated network, with the small ZAB model that settles an
// elected leader once a quorum follows it). Per trial: virtual ms and ticks until one stable
// leader, messages sent, vote rounds of the deciding peers, and whether anyone had to look twice.
// Scenarios: cold start (everyone boots at once) and leader crash (after a stable start); faults:
// none, message loss from the start, or a partition (cold start: the highest-id minority is cut
// off from the beginning; leader crash: instead of crashing, the leader is cut off alone).
import { ElectionCluster, SIMULATION_TICK_MS_DEFAULT, electionStrategyNamed, mixSeed, seededRandom, type ServerId } from '@zkts/election';
import { summarize, type SampleSummary } from './stats.js';

export const SIM_SCENARIOS = ['cold-start', 'leader-crash'] as const;
export type SimScenario = (typeof SIM_SCENARIOS)[number];
export const SIM_FAULTS = ['none', 'loss', 'partition'] as const;
export type SimFault = (typeof SIM_FAULTS)[number];
/** Message loss rate of the 'loss' fault. */
export const SIM_LOSS_RATE = 0.2;
/** A trial that has no stable leader after this much virtual time counts as not converged. */
export const SIM_TRIAL_VIRTUAL_MS_MAX = 60_000;
export const SIM_TRIALS_MAX = 100_000;

export interface SimCase {
  strategy: 'fast' | 'basic';
  voters: number;
  scenario: SimScenario;
  fault: SimFault;
  trials: number;
  seedStart?: number;
}

export interface SimTrial {
  ms: number;
  ticks: number;
  messages: number;
  /** Most vote rounds any peer ran in the decisions that made the stable leader. */
  rounds: number;
  /** Someone looked more than once (a decision that did not hold). */
  reElection: boolean;
}

export interface SimCaseResult extends SimCase {
  converged: number;
  reElections: number;
  ms: SampleSummary;
  ticks: SampleSummary;
  messages: SampleSummary;
  rounds: SampleSummary;
}

/** Per-seed logs with deliberate ties (epochs 1..2, zxid counters 0..3), as simulateElection makes them. */
export function seededLogs(seed: number, voters: readonly ServerId[]): Map<ServerId, { epoch: number; zxid: number }> {
  const random = seededRandom(mixSeed(seed, 0x6c6f67));
  const logs = new Map<ServerId, { epoch: number; zxid: number }>();
  for (const id of voters) {
    const epoch = 1 + Math.floor(random() * 2);
    logs.set(id, { epoch, zxid: epoch * 2 ** 32 + Math.floor(random() * 4) });
  }
  return logs;
}

/** One seeded trial; undefined when it did not converge within SIM_TRIAL_VIRTUAL_MS_MAX. */
export function runSimTrial(c: Omit<SimCase, 'trials' | 'seedStart'>, seed: number): SimTrial | undefined {
  const voters = Array.from({ length: c.voters }, (_, i) => i + 1);
  const logs = seededLogs(seed, voters);
  const cluster = new ElectionCluster({
    strategy: electionStrategyNamed(c.strategy),
    voters,
    seed,
    lastZxid: (id) => logs.get(id)?.zxid ?? 0,
    currentEpoch: (id) => logs.get(id)?.epoch ?? 0,
    ...(c.fault === 'loss' ? { network: { lossRate: SIM_LOSS_RATE } } : {}),
  });
  const minority = Math.floor((c.voters - 1) / 2);
  if (c.scenario === 'cold-start' && c.fault === 'partition') cluster.partition(voters.slice(0, c.voters - minority), voters.slice(c.voters - minority));
  cluster.start();
  let startMs = 0;
  let startMessages = 0;
  const looksBefore = new Map<ServerId, number>();
  let oldLeader: ServerId | null = null;
  if (c.scenario === 'leader-crash') {
    if (!cluster.runUntil(() => cluster.stableLeader() !== null, SIM_TRIAL_VIRTUAL_MS_MAX)) return undefined;
    const leader = cluster.stableLeader()!;
    oldLeader = leader;
    if (c.fault === 'partition') cluster.partition(voters.filter((id) => id !== leader), [leader]);
    else cluster.crash(leader);
    startMs = cluster.nowMs;
    startMessages = cluster.messagesSent;
    for (const id of voters) looksBefore.set(id, cluster.looks(id));
  }
  const logFrom = cluster.electedLog.length;
  // With a partition the cut-off side keeps looking; only the side with the quorum must be stable.
  // (A cut-off leader still counts as established until it notices: stable means a new one.)
  const settled = (): boolean => {
    const l = cluster.stableLeader();
    return l !== null && l !== oldLeader;
  };
  if (!cluster.runUntil(settled, SIM_TRIAL_VIRTUAL_MS_MAX)) return undefined;
  const leader = cluster.stableLeader()!;
  const decisions = cluster.electedLog.slice(logFrom).filter((e) => e.output.leader === leader);
  // Each live server on the leader's side looks once per clean election; more is a re-election.
  const side = voters.filter((id) => cluster.role(id) !== 'down' && cluster.connected(id, leader));
  const looks = side.reduce((n, id) => n + cluster.looks(id) - (looksBefore.get(id) ?? 0), 0);
  const ms = cluster.nowMs - startMs;
  return {
    ms,
    ticks: Math.ceil(ms / SIMULATION_TICK_MS_DEFAULT),
    messages: cluster.messagesSent - startMessages,
    rounds: Math.max(0, ...decisions.map((e) => e.output.rounds)),
    reElection: looks > side.length,
  };
}

export function runSimCase(c: SimCase): SimCaseResult {
  if (!Number.isInteger(c.trials) || c.trials < 1 || c.trials > SIM_TRIALS_MAX) throw new RangeError(`trials: expected 1..${SIM_TRIALS_MAX}, got ${c.trials}`);
  if (!Number.isInteger(c.voters) || c.voters < 3) throw new RangeError(`voters: expected an integer >= 3, got ${c.voters}`);
  const trials: SimTrial[] = [];
  for (let t = 0; t < c.trials; t++) {
    const r = runSimTrial(c, (c.seedStart ?? 1) + t);
    if (r) trials.push(r);
  }
  return {
    ...c,
    converged: trials.length,
    reElections: trials.filter((t) => t.reElection).length,
    ms: summarize(trials.map((t) => t.ms)),
    ticks: summarize(trials.map((t) => t.ticks)),
    messages: summarize(trials.map((t) => t.messages)),
    rounds: summarize(trials.map((t) => t.rounds)),
  };
}
