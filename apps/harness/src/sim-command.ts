// zkts-harness sim: one seed (ending with the trace hash) or a sweep over seeds and strategies
// (a summary table; every failure printed with its seed, first violation and shortened trace).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ELECTION_NAMES, OPS_MAX, PLANTED_BUGS, SEED_MAX, SERVERS_MAX, CLIENTS_MAX, formatFailure, parseFaults, parseScript, parseWorkloads, simulate,
  toEdn, toJsonLines, toPorcupineJson, type ElectionName, type PlantedBug, type SimResult,
} from '@zkts/sim';
import { choiceFlag, intFlag, parseArgs, parseSeedRange, UsageError } from './args.js';
import { EXIT_OK, EXIT_VIOLATION, type HarnessIo } from './cli.js';
import { progressBar } from './progress.js';

/** Seeds one sweep may cover. */
export const SWEEP_SEEDS_MAX = 100_000;

export async function simCommand(argv: readonly string[], io: HarnessIo): Promise<number> {
  const args = parseArgs(argv, ['seed', 'seeds', 'servers', 'clients', 'election', 'faults', 'workloads', 'ops', 'bug', 'script', 'history', 'edn', 'porcupine'], ['trace']);
  if (args.positionals.length) throw new UsageError(`sim takes no positional arguments (got "${args.positionals[0]}")`);
  if (args.flags.has('seed') && args.flags.has('seeds')) throw new UsageError('give --seed or --seeds, not both');
  const [from, to] = args.flags.has('seeds') ? parseSeedRange(args.flags.get('seeds')!, SEED_MAX) : [intFlag(args, 'seed', 1, 0, SEED_MAX), intFlag(args, 'seed', 1, 0, SEED_MAX)];
  if (to - from + 1 > SWEEP_SEEDS_MAX) throw new UsageError(`--seeds: at most ${SWEEP_SEEDS_MAX} seeds per sweep`);
  const electionArg = choiceFlag<ElectionName | 'all'>(args, 'election', 'fast', [...ELECTION_NAMES, 'all']);
  const elections: ElectionName[] = electionArg === 'all' ? [...ELECTION_NAMES] : [electionArg];
  let faults;
  let workloads;
  try {
    faults = parseFaults(args.flags.get('faults') ?? 'all');
    workloads = parseWorkloads(args.flags.get('workloads') ?? 'all');
  } catch (err) {
    throw new UsageError(`--${(err as Error).message}`);
  }
  const base = {
    servers: intFlag(args, 'servers', 5, 1, SERVERS_MAX),
    clients: intFlag(args, 'clients', 5, 1, CLIENTS_MAX),
    ops: intFlag(args, 'ops', 1000, 0, OPS_MAX),
    bug: choiceFlag<PlantedBug>(args, 'bug', 'none', PLANTED_BUGS),
    faults,
    workloads,
    script: args.flags.get('script') ?? '',
    keepTrace: args.flags.has('trace'),
  };
  try {
    parseScript(base.script, base.servers);
  } catch (err) {
    throw new UsageError(`--script: ${(err as Error).message}`);
  }
  const single = from === to && elections.length === 1;
  if (single) {
    const r = simulate({ ...base, seed: from, election: elections[0]! });
    if (r.trace) io.out(r.trace.join('\n') + '\n');
    io.out(describeRun(r) + '\n');
    await writeHistories(args.flags, r, io);
    if (!r.ok) io.out(formatFailure(r) + '\n');
    io.out(`trace sha256: ${r.traceSha256}\n`);
    return r.ok ? EXIT_OK : EXIT_VIOLATION;
  }
  const rows: string[] = [];
  const failures: SimResult[] = [];
  const total = (to - from + 1) * elections.length;
  const bar = progressBar(io, total, 'sim');
  const started = Date.now();
  const perElection = new Map<ElectionName, { runs: number; failed: number; unknown: number; ok: number; fail: number; info: number; epochs: number }>();
  for (const election of elections) {
    const agg = { runs: 0, failed: 0, unknown: 0, ok: 0, fail: 0, info: 0, epochs: 0 };
    perElection.set(election, agg);
    for (let seed = from; seed <= to; seed++) {
      const r = simulate({ ...base, seed, election });
      agg.runs++;
      agg.ok += r.ops.ok;
      agg.fail += r.ops.fail;
      agg.info += r.ops.info;
      agg.epochs += r.epochs;
      if (r.check?.valid === 'unknown') agg.unknown++;
      if (!r.ok) {
        agg.failed++;
        failures.push(r);
      }
      bar.tick();
    }
  }
  bar.done();
  rows.push(`sweep seeds ${from}..${to}, ${base.servers} servers, faults ${faults.join(',') || 'none'}, workloads ${workloads.join(',')}, ${base.ops} ops per seed${base.bug !== 'none' ? `, planted bug ${base.bug}` : ''}`);
  rows.push('');
  rows.push(pad(['election', 'runs', 'failed', 'unchecked', 'ops ok', 'ops fail', 'ops info', 'epochs/run']));
  for (const [election, a] of perElection) {
    rows.push(pad([election, a.runs, a.failed, a.unknown, a.ok, a.fail, a.info, (a.epochs / a.runs).toFixed(1)]));
  }
  rows.push('(unchecked: the history checker gave up within its limits: verdict unknown, not a failure)');
  rows.push('');
  rows.push(`${total} runs in ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
  io.out(rows.join('\n') + '\n');
  for (const r of failures.slice(0, 5)) io.out('\n' + formatFailure(r) + '\n');
  if (failures.length) io.out(`\nfailed seeds: ${failures.map((r) => `${r.seed} (${r.options.election}, ${r.failure!.kind})`).join(', ')}\n`);
  return failures.length ? EXIT_VIOLATION : EXIT_OK;
}

function describeRun(r: SimResult): string {
  const o = r.options;
  return [
    `seed ${r.seed}: ${r.ok ? 'ok' : `FAILED (${r.failure!.kind})`}`,
    `  ${o.servers} servers, ${o.clients} clients, election ${o.election}, faults ${o.faults.join(',') || 'none'}, workloads ${o.workloads.join(',')}${o.bug !== 'none' ? `, planted bug ${o.bug}` : ''}`,
    `  operations: ${r.ops.invoked} invoked, ${r.ops.ok} ok, ${r.ops.fail} fail, ${r.ops.info} info`,
    `  ${r.epochs} epochs established, ${r.elections.length} election decisions, ${r.messages} peer messages delivered, ${r.nemesis.length} nemesis actions`,
    `  history check (zookeeper model): ${r.check ? (r.check.valid === true ? 'valid' : r.check.valid === false ? 'NOT linearizable' : 'unknown') : 'not run'}`,
    `  virtual time ${Math.round(r.virtualMs)} ms, ${r.traceLines} trace lines`,
  ].join('\n');
}

async function writeHistories(flags: Map<string, string>, r: SimResult, io: HarnessIo): Promise<void> {
  const cwd = io.cwd ?? process.cwd();
  const outputs: [string, () => string][] = [
    ['history', () => toJsonLines(r.history.events)],
    ['edn', () => toEdn(r.history.events)],
    ['porcupine', () => toPorcupineJson(r.history.events)],
  ];
  for (const [flag, render] of outputs) {
    const file = flags.get(flag);
    if (!file) continue;
    await writeFile(resolve(cwd, file), render());
    io.out(`  ${flag} written to ${file}\n`);
  }
}

function pad(cells: readonly (string | number)[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(10) : String(c).padStart(10))).join(' ');
}
