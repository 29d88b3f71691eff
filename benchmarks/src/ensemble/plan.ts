// Command line of the ensemble benchmark (ensemble-bench.ts): which parts run, against which
// ensembles, with which settings. Pure, so a test can check it.
import { tmpdir } from 'node:os';
import type { BenchEnsembleSize } from './launch.js';

export const PARTS = ['failover', 'cold-start', 'throughput', 'elections'] as const;
export type Part = (typeof PARTS)[number];
/** What `all` (and no part at all) runs: everything with real processes plus the in-memory elections. */
export const DEFAULT_PARTS: readonly Part[] = ['failover', 'cold-start', 'throughput', 'elections'];
export const TARGETS = ['zkts-fast', 'zkts-basic', 'zookeeper'] as const;
export type TargetName = (typeof TARGETS)[number];
export const THROUGHPUT_TARGETS_DEFAULT: readonly TargetName[] = ['zkts-fast', 'zookeeper'];
export const TRIALS_MAX = 10_000;
export const ROUNDS_MAX = 20;
export const DURATION_S_MAX = 600;

export interface Cell {
  op: string;
  connections: number;
  inFlight: number;
}

export const THROUGHPUT_CELLS: readonly Cell[] = [
  { op: 'set', connections: 8, inFlight: 64 },
  { op: 'create', connections: 8, inFlight: 64 },
  { op: 'get', connections: 8, inFlight: 64 },
  { op: 'mixed', connections: 8, inFlight: 64 },
  { op: 'set', connections: 1, inFlight: 1 },
  { op: 'get', connections: 1, inFlight: 1 },
];

export interface EnsemblePlan {
  parts: Part[];
  quick: boolean;
  targets: TargetName[];
  throughputTargets: TargetName[];
  servers: BenchEnsembleSize;
  /** Members SIGKILLed per failover trial: the leader, plus kill - 1 followers. */
  kill: number;
  failoverTrials: number;
  coldStartTrials: number;
  /** forceSync settings to run (failover and cold start use the first). */
  forceSync: boolean[];
  tickTimeMs: number;
  dir: string;
  warmupS: number;
  durationS: number;
  rounds: number;
  cells: Cell[];
  keys: number;
  valueSize: number;
  simTrials: number;
  simVoters: number[];
  /** Which member the first connection goes to: a follower (default) or the leader. */
  leaderFirst: boolean;
  profile: boolean;
  json: string | undefined;
}

export const USAGE = `usage: node dist/ensemble-bench.js [all|failover|cold-start|throughput|elections ...] [--quick]
  [--targets zkts-fast,zkts-basic,zookeeper] [--throughput-targets zkts-fast,zookeeper]
  [--servers 3|5] [--kill 1|2] [--trials N] [--cold-trials N] [--force-sync yes|no|yes,no] [--tick MS]
  [--dir PATH] [--warmup S] [--duration S] [--rounds N] [--cells set:8x64,get:1x1,...] [--keys N] [--value-size B]
  [--sim-trials N] [--sim-servers 3,5] [--deal followers-first|leader-first] [--profile] [--json FILE]`;

const fail = (message: string): never => {
  throw new Error(`${message}\n${USAGE}`);
};

function int(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max) fail(`${flag}: expected an integer in ${min}..${max}, got ${value ?? 'nothing'}`);
  return n;
}

function seconds(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0 || n > DURATION_S_MAX) fail(`${flag}: expected seconds in 0..${DURATION_S_MAX}, got ${value ?? 'nothing'}`);
  return n;
}

function targets(flag: string, value: string | undefined): TargetName[] {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) fail(`${flag}: expected a list of ${TARGETS.join(', ')}`);
  for (const t of list) if (!(TARGETS as readonly string[]).includes(t)) fail(`${flag}: unknown target ${t} (${TARGETS.join(', ')})`);
  return list as TargetName[];
}

/** `op:CxF` items, e.g. `set:8x64,get:1x1`. */
export function parseCells(value: string | undefined): Cell[] {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) fail('--cells: expected op:CONNECTIONSxIN_FLIGHT items, e.g. set:8x64,get:1x1');
  return items.map((item) => {
    const m = /^(get|set|create|mixed|exists|children):(\d+)x(\d+)$/.exec(item);
    if (!m) return fail(`--cells: bad item ${item} (expected op:CONNECTIONSxIN_FLIGHT with op get, set, create, mixed, exists or children)`);
    const connections = Number(m[2]);
    const inFlight = Number(m[3]);
    if (connections < 1 || connections > 1024 || inFlight < 1 || inFlight > 4096) fail(`--cells: ${item}: connections must be 1..1024 and in-flight 1..4096`);
    return { op: m[1]!, connections, inFlight };
  });
}

export function parseEnsemblePlan(argv: readonly string[]): EnsemblePlan {
  const quick = argv.includes('--quick');
  const plan: EnsemblePlan = {
    parts: [],
    quick,
    targets: [...TARGETS],
    throughputTargets: [...THROUGHPUT_TARGETS_DEFAULT],
    servers: 3,
    kill: 1,
    failoverTrials: quick ? 3 : 20,
    coldStartTrials: quick ? 2 : 10,
    forceSync: [true],
    tickTimeMs: 2000,
    dir: tmpdir(),
    warmupS: quick ? 0.5 : 2,
    durationS: quick ? 1 : 5,
    rounds: quick ? 1 : 3,
    cells: THROUGHPUT_CELLS.map((c) => ({ ...c })),
    keys: 1000,
    valueSize: 100,
    simTrials: quick ? 50 : 500,
    simVoters: [3, 5],
    leaderFirst: false,
    profile: false,
    json: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (!a.startsWith('--')) {
      if (a === 'all') plan.parts.push(...DEFAULT_PARTS);
      else if ((PARTS as readonly string[]).includes(a)) plan.parts.push(a as Part);
      else fail(`unknown part ${a} (all, ${PARTS.join(', ')})`);
      continue;
    }
    switch (a) {
      case '--quick': break;
      case '--targets': plan.targets = targets(a, next()); break;
      case '--throughput-targets': plan.throughputTargets = targets(a, next()); break;
      case '--servers': plan.servers = int(a, next(), 3, 5) as BenchEnsembleSize; if (plan.servers !== 3 && plan.servers !== 5) fail('--servers: expected 3 or 5'); break;
      case '--kill': plan.kill = int(a, next(), 1, 2); break;
      case '--trials': plan.failoverTrials = int(a, next(), 1, TRIALS_MAX); break;
      case '--cold-trials': plan.coldStartTrials = int(a, next(), 1, TRIALS_MAX); break;
      case '--force-sync': {
        const v = next();
        const list = (v ?? '').split(',').map((s) => s.trim());
        if (list.length === 0 || list.some((x) => x !== 'yes' && x !== 'no')) fail(`--force-sync: expected yes, no or yes,no, got ${v ?? 'nothing'}`);
        plan.forceSync = list.map((x) => x === 'yes');
        break;
      }
      case '--tick': plan.tickTimeMs = int(a, next(), 1, 60_000); break;
      case '--dir': { const v = next(); if (!v) fail('--dir: expected a directory'); plan.dir = v!; break; }
      case '--warmup': plan.warmupS = seconds(a, next()); break;
      case '--duration': plan.durationS = seconds(a, next()); if (plan.durationS <= 0) fail('--duration: must be more than 0'); break;
      case '--rounds': plan.rounds = int(a, next(), 1, ROUNDS_MAX); break;
      case '--cells': plan.cells = parseCells(next()); break;
      case '--keys': plan.keys = int(a, next(), 1, 1_000_000); break;
      case '--value-size': plan.valueSize = int(a, next(), 0, 1_000_000); break;
      case '--sim-trials': plan.simTrials = int(a, next(), 1, TRIALS_MAX); break;
      case '--sim-servers': {
        const v = next();
        const list = (v ?? '').split(',').map((s) => Number(s.trim()));
        if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 3 || n > 9)) fail(`--sim-servers: expected ensemble sizes in 3..9, got ${v ?? 'nothing'}`);
        plan.simVoters = list;
        break;
      }
      case '--deal': {
        const v = next();
        if (v !== 'followers-first' && v !== 'leader-first') fail(`--deal: expected followers-first or leader-first, got ${v ?? 'nothing'}`);
        plan.leaderFirst = v === 'leader-first';
        break;
      }
      case '--profile': plan.profile = true; break;
      case '--json': { const v = next(); if (!v) fail('--json: expected a file name'); plan.json = v; break; }
      default: fail(`unknown argument ${a}`);
    }
  }
  if (plan.parts.length === 0) plan.parts.push(...DEFAULT_PARTS);
  plan.parts = [...new Set(plan.parts)];
  if (plan.kill >= plan.servers - Math.floor(plan.servers / 2)) fail(`--kill ${plan.kill}: a ${plan.servers}-server ensemble keeps a quorum only with at most ${Math.floor((plan.servers - 1) / 2)} killed`);
  return plan;
}
