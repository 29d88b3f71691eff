// zkts-harness elections: fast vs basic over the same seeds, in the full simulator (real zab and
// election cores): time until zab establishes a leader after a cold start and after the leader
// crashes, election messages, rounds and failures; median and p99; under no faults, 5% message
// loss, and one server partitioned away. Writes the table and an SVG chart to --out.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ELECTION_NAMES, ELECTION_SCENARIOS, SERVERS_MAX, electionTrial, type ElectionMeasure, type ElectionTrial } from '@zkts/sim';
import { intFlag, parseArgs, UsageError } from './args.js';
import { stripChart, type Series } from './chart.js';
import { EXIT_OK, type HarnessIo } from './cli.js';
import { progressBar } from './progress.js';
import { median, p99 } from './stats.js';

export const ELECTION_TRIALS_MAX = 10_000;
/** A trial with no leader after this much virtual time counts as a failure. */
export const ELECTION_TRIAL_LIMIT_MS = 30_000;

const COLORS: Record<string, string> = { fast: '#1f77b4', basic: '#ff7f0e' };

export async function electionsCommand(argv: readonly string[], io: HarnessIo): Promise<number> {
  const args = parseArgs(argv, ['trials', 'servers', 'out', 'seed']);
  if (args.positionals.length) throw new UsageError(`elections takes no positional arguments (got "${args.positionals[0]}")`);
  const trials = intFlag(args, 'trials', 50, 1, ELECTION_TRIALS_MAX);
  const servers = intFlag(args, 'servers', 5, 3, SERVERS_MAX);
  const seedStart = intFlag(args, 'seed', 1, 0, 0xffff_ffff - ELECTION_TRIALS_MAX);
  const outDir = resolve(io.cwd ?? process.cwd(), args.flags.get('out') ?? '.');
  const results = new Map<string, ElectionTrial[]>();
  const bar = progressBar(io, trials * ELECTION_NAMES.length * ELECTION_SCENARIOS.length, 'elections');
  for (const scenario of ELECTION_SCENARIOS) {
    for (const election of ELECTION_NAMES) {
      const list: ElectionTrial[] = [];
      for (let i = 0; i < trials; i++) {
        list.push(electionTrial({ seed: seedStart + i, election, servers }, scenario, ELECTION_TRIAL_LIMIT_MS));
        bar.tick();
      }
      results.set(`${scenario}/${election}`, list);
    }
  }
  bar.done();
  const table = renderTable(results, trials, servers, seedStart);
  io.out(table);
  await writeFile(join(outDir, 'elections.txt'), table);
  const series: Series[] = [];
  for (const scenario of ELECTION_SCENARIOS) {
    for (const phase of ['cold', 'failover'] as const) {
      for (const election of ELECTION_NAMES) {
        const ms = results.get(`${scenario}/${election}`)!.map((t) => t[phase]?.ms).filter((v): v is number => v !== undefined);
        series.push({ label: `${scenario} ${phase} ${election}`, color: COLORS[election] ?? '#555', samples: ms.map((v) => Math.round(v)) });
      }
    }
  }
  await writeFile(join(outDir, 'elections.svg'), stripChart(`Time to an established leader, ${servers} servers, ${trials} trials per row`, 'virtual ms', series));
  io.out(`\nwrote ${join(outDir, 'elections.txt')} and ${join(outDir, 'elections.svg')}\n`);
  return EXIT_OK;
}

function renderTable(results: Map<string, ElectionTrial[]>, trials: number, servers: number, seedStart: number): string {
  const lines: string[] = [];
  lines.push(`election comparison: ${servers} servers, seeds ${seedStart}..${seedStart + trials - 1} per row, zab + election cores in the simulator`);
  lines.push('time = until zab establishes a leader (broadcast phase); ticks of 20 ms; messages = election messages sent; rounds = most any server needed');
  lines.push('');
  const head = ['scenario', 'phase', 'strategy', 'failed', 'ms p50', 'ms p99', 'ticks p50', 'ticks p99', 'msgs p50', 'msgs p99', 'rounds p50', 'rounds p99'];
  lines.push(row(head));
  for (const scenario of ELECTION_SCENARIOS) {
    for (const phase of ['cold', 'failover'] as const) {
      for (const election of ELECTION_NAMES) {
        const list = results.get(`${scenario}/${election}`)!;
        if (phase === 'failover' && list.every((t) => t.failoverImpossible)) {
          lines.push(row([scenario, phase, election, 'n/a', '(no quorum left once the leader is gone: needs 5+ servers)']));
          continue;
        }
        const ok = list.map((t) => t[phase]).filter((m): m is ElectionMeasure => m !== undefined);
        const failed = list.length - ok.length;
        const col = (f: (m: ElectionMeasure) => number, q: (s: number[]) => number) => (ok.length ? fmt(q(ok.map(f))) : '-');
        lines.push(row([
          scenario, phase, election, `${failed}/${trials}`,
          col((m) => m.ms, median), col((m) => m.ms, p99), col((m) => m.ticks, median), col((m) => m.ticks, p99),
          col((m) => m.messages, median), col((m) => m.messages, p99), col((m) => m.rounds, median), col((m) => m.rounds, p99),
        ]));
      }
    }
  }
  return lines.join('\n') + '\n';
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function row(cells: readonly string[]): string {
  return cells.map((c, i) => (i < 3 ? c.padEnd(i === 0 ? 10 : 9) : i > 3 && c.startsWith('(') ? ` ${c}` : c.padStart(i === 3 ? 8 : 10))).join(' ');
}
