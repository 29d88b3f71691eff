// Ensemble benchmark: zkts ensembles (fast and basic election) against Apache ZooKeeper
// ensembles on this machine, real processes on loopback with their data on the disk.
//   failover    SIGKILL the leader (and, with --kill 2 on 5 servers, a follower too); time to the
//               first write accepted through a survivor (fresh session per attempt); the killed
//               members are restarted and a full quorum awaited between trials
//   cold-start  spawn every member of a fresh ensemble at once; time to the first write and to a
//               full quorum, plus the longest election the members logged
//   throughput  the e2e load generator with its connections dealt round-robin over the members
//   elections   in memory: seeded ElectionCluster trials per strategy, scenario and fault
//   node dist/ensemble-bench.js [all|failover|cold-start|throughput|elections ...] [--quick] ... (--help)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOnce } from './failover-reference.js';
import { runLoadChild } from './load-child.js';
import { WORKLOADS, populate, type LoadResult } from './loadgen.js';
import { formatProfile } from './profile.js';
import { describeFilesystem, javaVersion } from './servers.js';
import { SIM_FAULTS, SIM_LOSS_RATE, SIM_SCENARIOS, runSimCase, type SimCaseResult } from './ensemble/election-sim.js';
import { measureColdStart, measureFailover, type ColdStartSample, type KillSample } from './ensemble/failover.js';
import { startBenchEnsemble, type BenchEnsemble, type BenchEnsembleOptions } from './ensemble/launch.js';
import { USAGE, parseEnsemblePlan, type Cell, type EnsemblePlan, type TargetName } from './ensemble/plan.js';
import type { SpreadLoadOptions } from './ensemble/spread-load.js';
import { fmtMs, fmtRatio, markdownTable, summarize } from './ensemble/stats.js';

const say = (s = ''): void => void process.stdout.write(s + '\n');
const SPREAD_LOAD = fileURLToPath(new URL('./ensemble/spread-load.js', import.meta.url));
const PROBE_PATH_CREATE_TIMEOUT_MS = 20_000;
/** A cold start whose full quorum comes this much later than its first write keeps its logs. */
const STRAGGLER_KEEP_LOGS_MS = 3000;

function ensembleOptions(plan: EnsemblePlan, target: TargetName, forceSync: boolean, extra: Partial<BenchEnsembleOptions> = {}): BenchEnsembleOptions {
  return {
    kind: target === 'zookeeper' ? 'zookeeper' : 'zkts',
    servers: plan.servers,
    ...(target === 'zookeeper' ? {} : { election: target === 'zkts-basic' ? 'basic' : 'fast' }),
    forceSync,
    tickTimeMs: plan.tickTimeMs,
    dataParent: plan.dir,
    ...extra,
  };
}

// Every ensemble started is stopped on the way out, also on SIGINT/SIGTERM.
const running = new Set<BenchEnsemble>();
async function withEnsemble<T>(opts: BenchEnsembleOptions, body: (e: BenchEnsemble) => Promise<T>): Promise<T> {
  const e = await startBenchEnsemble(opts);
  running.add(e);
  try {
    return await body(e);
  } catch (err) {
    // The ensemble's directory goes with it: keep the members' logs for the post-mortem.
    const kept = mkdtempSync(join(tmpdir(), `zkts-ens-failed-${e.kind}-`));
    e.saveLogs(kept);
    throw new Error(`${(err as Error).message}\n(members' logs kept in ${kept})`, { cause: err });
  } finally {
    running.delete(e);
    await e.stop();
  }
}

// ---- failover ----

interface FailoverResult {
  target: TargetName;
  servers: number;
  kill: number;
  forceSync: boolean;
  samples: KillSample[];
}

async function runFailover(plan: EnsemblePlan, target: TargetName): Promise<FailoverResult> {
  const forceSync = plan.forceSync[0]!;
  return withEnsemble(ensembleOptions(plan, target, forceSync), async (ensemble) => {
    say(`${ensemble.label} (forceSync=${forceSync ? 'yes' : 'no'}, tickTime=${plan.tickTimeMs}): ${plan.failoverTrials} trials, SIGKILL ${plan.kill === 1 ? 'the leader' : `the leader and ${plan.kill - 1} follower(s)`}`);
    const first = ensemble.members[0]!;
    const created = await writeOnce({ host: first.host, port: first.clientPort }, { create: true, timeoutMs: PROBE_PATH_CREATE_TIMEOUT_MS });
    if (!created.ok) throw new Error(`${ensemble.label}: could not create the probe node: ${created.why}`);
    const samples: KillSample[] = [];
    for (let t = 1; t <= plan.failoverTrials; t++) {
      const s = await measureFailover(ensemble, plan.kill);
      samples.push(s);
      say(`  trial ${t}: ${fmtMs(s.ms)} ms (killed ${s.killed.join(',')}, write via ${s.writtenVia}, ${s.attempts} attempts, logged election ${s.loggedElectionMs ?? '?'} ms; failed: ${JSON.stringify(s.failures)})`);
      await Promise.all(s.killed.map((id) => ensemble.member(id).restart()));
      await ensemble.waitForQuorum();
    }
    return { target, servers: plan.servers, kill: plan.kill, forceSync, samples };
  });
}

function failoverTable(results: readonly FailoverResult[]): string {
  const zk = results.find((r) => r.target === 'zookeeper');
  const zkMedian = zk ? summarize(zk.samples.map((s) => s.ms)).median : Number.NaN;
  const rows = results.map((r) => {
    const s = summarize(r.samples.map((x) => x.ms));
    const logged = summarize(r.samples.flatMap((x) => (x.loggedElectionMs === undefined ? [] : [x.loggedElectionMs])));
    const attempts = summarize(r.samples.map((x) => x.attempts));
    return [
      `${r.target} x${r.servers}, kill ${r.kill}`, String(s.n), fmtMs(s.median), fmtMs(s.p90), fmtMs(s.max), fmtMs(s.min),
      r.target === 'zookeeper' ? '1.00x' : fmtRatio(s.median / zkMedian), fmtMs(logged.median), String(attempts.median),
    ];
  });
  return markdownTable(['ensemble', 'trials', 'median ms', 'p90 ms', 'max ms', 'min ms', 'median / ZK', 'logged election median ms', 'attempts (median)'], rows);
}

// ---- cold start ----

interface ColdStartResult {
  target: TargetName;
  servers: number;
  samples: ColdStartSample[];
}

async function runColdStart(plan: EnsemblePlan, target: TargetName): Promise<ColdStartResult> {
  const samples: ColdStartSample[] = [];
  for (let t = 1; t <= plan.coldStartTrials; t++) {
    let kept = '';
    const s = await withEnsemble(ensembleOptions(plan, target, plan.forceSync[0]!, { noWait: true }), async (e) => {
      const sample = await measureColdStart(e);
      // A member that joins long after the first write is worth a look: keep the logs.
      if (sample.fullQuorumMs - sample.firstWriteMs > STRAGGLER_KEEP_LOGS_MS) {
        kept = mkdtempSync(join(tmpdir(), `zkts-ens-straggler-${target}-`));
        e.saveLogs(kept);
      }
      return sample;
    });
    samples.push(s);
    say(`  ${target} x${plan.servers} cold start ${t}: first write ${fmtMs(s.firstWriteMs)} ms, full quorum ${fmtMs(s.fullQuorumMs)} ms, longest logged election ${s.loggedElectionMs ?? '?'} ms${kept ? ` (a member joined late: logs kept in ${kept})` : ''}`);
  }
  return { target, servers: plan.servers, samples };
}

function coldStartTable(results: readonly ColdStartResult[]): string {
  const rows = results.map((r) => {
    const w = summarize(r.samples.map((s) => s.firstWriteMs));
    const q = summarize(r.samples.map((s) => s.fullQuorumMs));
    const e = summarize(r.samples.flatMap((s) => (s.loggedElectionMs === undefined ? [] : [s.loggedElectionMs])));
    return [`${r.target} x${r.servers}`, String(w.n), fmtMs(w.median), fmtMs(w.max), fmtMs(q.median), fmtMs(q.max), fmtMs(e.median), fmtMs(e.max)];
  });
  return markdownTable(['ensemble', 'trials', 'first write median ms', 'max', 'full quorum median ms', 'max', 'logged election median ms', 'max'], rows);
}

// ---- throughput ----


interface ThroughputCell extends Cell {
  forceSync: boolean;
  /** Median round per target, and every round's ops/s. */
  results: Partial<Record<TargetName, LoadResult | { failure: string }>>;
  rounds: Partial<Record<TargetName, number[]>>;
}

const opsOf = (r: LoadResult | { failure: string } | undefined): number => (r === undefined || 'failure' in r ? Number.NaN : r.opsPerSec);

/** Members in the order connections are dealt: followers first (a 1-connection cell talks to a follower), the leader last; or the leader first. */
async function dealOrder(e: BenchEnsemble, leaderFirst: boolean): Promise<Array<{ host: string; port: number }>> {
  const leader = await e.waitForQuorum();
  const followers = e.members.filter((m) => m !== leader);
  return (leaderFirst ? [leader, ...followers] : [...followers, leader]).map((m) => ({ host: m.host, port: m.clientPort }));
}

async function runThroughput(plan: EnsemblePlan, forceSync: boolean, profileDir: string | undefined): Promise<ThroughputCell[]> {
  // All ensembles of this forceSync setting run side by side, cell by cell (as e2e.ts does), so
  // the machine's background load hits them alike.
  const ensembles = new Map<TargetName, BenchEnsemble>();
  try {
    for (const t of plan.throughputTargets) {
      const e = await startBenchEnsemble(ensembleOptions(plan, t, forceSync, { zktsLogLevel: 'warn', ...(profileDir && t !== 'zookeeper' ? { cpuProfileDir: profileDir } : {}) }));
      running.add(e);
      ensembles.set(t, e);
      const leader = await e.waitForQuorum();
      await populate(leader.host, leader.clientPort, { keys: plan.keys, valueSize: plan.valueSize });
      say(`  ${e.label} up: members ${e.members.map((m) => `${m.id}@${m.clientPort} pid ${m.pid}`).join(', ')}; leader ${leader.id}; data in ${describeFilesystem(e.rootDir).text}`);
    }
    const perRound: ThroughputCell[][] = [];
    for (let round = 1; round <= plan.rounds; round++) {
      if (plan.rounds > 1) say(`  round ${round} of ${plan.rounds}`);
      const cells: ThroughputCell[] = [];
      for (const c of plan.cells) {
        const cell: ThroughputCell = { ...c, forceSync, results: {}, rounds: {} };
        const order = [...ensembles];
        const shift = (round - 1) % order.length;
        for (const [t, e] of [...order.slice(shift), ...order.slice(0, shift)]) {
          const targets = await dealOrder(e, plan.leaderFirst);
          cell.results[t] = await runLoadChild(SPREAD_LOAD, {
            targets, connections: c.connections, inFlight: c.inFlight, mix: WORKLOADS[c.op]!,
            warmupMs: plan.warmupS * 1000, durationMs: plan.durationS * 1000, keys: plan.keys, valueSize: plan.valueSize,
          } satisfies SpreadLoadOptions, (plan.warmupS + plan.durationS) * 1000 + 60_000);
          await e.waitForQuorum(); // sessions closed, ephemerals of `create` removed, nobody left behind
        }
        cells.push(cell);
        say(`    ${c.op} ${c.connections}x${c.inFlight}: ${[...ensembles.keys()].map((t) => {
          const r = cell.results[t];
          return r && !('failure' in r) ? `${t} ${(r.opsPerSec / 1000).toFixed(1)}k ops/s (p50 ${fmtMs(r.latencyMs.p50)} ms)${Object.keys(r.errors).length ? ' ' + JSON.stringify(r.errors) : ''}` : `${t} failed: ${r && 'failure' in r ? r.failure : '?'}`;
        }).join(', ')}`);
      }
      perRound.push(cells);
    }
    return plan.cells.map((c, i) => {
      const cell: ThroughputCell = { ...c, forceSync, results: {}, rounds: {} };
      for (const t of ensembles.keys()) {
        const all = perRound.map((r) => r[i]!.results[t]!);
        const sorted = [...all].sort((a, b) => (opsOf(a) || 0) - (opsOf(b) || 0));
        cell.results[t] = sorted[Math.floor((sorted.length - 1) / 2)];
        cell.rounds[t] = all.map((r) => Math.round(opsOf(r) || 0));
      }
      return cell;
    });
  } finally {
    for (const e of ensembles.values()) {
      running.delete(e);
      await e.stop();
    }
  }
}

function throughputTable(cells: readonly ThroughputCell[], targets: readonly TargetName[]): string {
  const others = targets.filter((t) => t !== 'zookeeper');
  const withZk = targets.includes('zookeeper');
  const header = ['workload', 'conns x in-flight', 'forceSync', ...targets.map((t) => `${t} ops/s`), ...(withZk ? others.map((t) => `${t} / ZK`) : []), ...targets.map((t) => `${t} p50 / p99 ms`), 'errors'];
  const rows = cells.map((c) => {
    const zk = opsOf(c.results.zookeeper);
    const errs = targets.map((t) => {
      const r = c.results[t];
      if (!r) return '';
      if ('failure' in r) return `${t} failed: ${r.failure}`;
      const e = Object.entries(r.errors);
      return e.length ? `${t} ${e.map(([k, v]) => `${k}:${v}`).join(' ')}` : '';
    }).filter(Boolean).join('; ') || 'none';
    return [
      c.op, `${c.connections} x ${c.inFlight}`, c.forceSync ? 'yes' : 'no',
      ...targets.map((t) => { const v = opsOf(c.results[t]); return Number.isNaN(v) ? 'failed' : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0); }),
      ...(withZk ? others.map((t) => fmtRatio(opsOf(c.results[t]) / zk)) : []),
      ...targets.map((t) => { const r = c.results[t]; return r && !('failure' in r) ? `${fmtMs(r.latencyMs.p50)} / ${fmtMs(r.latencyMs.p99)}` : '-'; }),
      errs,
    ];
  });
  return markdownTable(header, rows);
}

// ---- elections in memory ----

function runElections(plan: EnsemblePlan): SimCaseResult[] {
  const results: SimCaseResult[] = [];
  for (const voters of plan.simVoters) {
    for (const scenario of SIM_SCENARIOS) {
      for (const fault of SIM_FAULTS) {
        for (const strategy of ['fast', 'basic'] as const) results.push(runSimCase({ strategy, voters, scenario, fault, trials: plan.simTrials }));
      }
    }
  }
  return results;
}

function electionsTable(results: readonly SimCaseResult[]): string {
  const rows = results.map((r) => [
    `${r.voters}`, r.scenario, r.fault === 'loss' ? `loss ${SIM_LOSS_RATE * 100}%` : r.fault, r.strategy, `${r.converged}/${r.trials}`,
    `${fmtMs(r.ms.median)} / ${fmtMs(r.ms.p90)} / ${fmtMs(r.ms.max)}`, `${r.ticks.median} / ${r.ticks.max}`,
    `${r.messages.median} / ${r.messages.max}`, `${r.rounds.median} / ${r.rounds.max}`, String(r.reElections),
  ]);
  return markdownTable(['voters', 'scenario', 'fault', 'strategy', 'converged', 'virtual ms median / p90 / max', 'ticks median / max', 'messages median / max', 'rounds median / max', 're-elections'], rows);
}

// ---- main ----

async function main(): Promise<void> {
  let plan: EnsemblePlan;
  try {
    plan = parseEnsemblePlan(process.argv.slice(2).filter((a) => a !== '--help' && a !== '-h'));
    if (process.argv.includes('--help') || process.argv.includes('-h')) {
      say(USAGE);
      return;
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const onSignal = (sig: string): void => {
    process.stderr.write(`\n${sig}: stopping ensembles\n`);
    void Promise.allSettled([...running].map((e) => e.stop())).then(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  const cpu = cpus();
  const real = plan.parts.some((p) => p !== 'elections');
  say(`zkts ensemble benchmark, ${new Date().toISOString()}`);
  say(`machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start (shared with other work)`);
  if (real) {
    say(`node ${process.version}; ${javaVersion()}; data in ${describeFilesystem(plan.dir).text}`);
    if (describeFilesystem(plan.dir).tmpfs) say('WARNING: the data directory is on tmpfs: fsync costs nothing there');
  }
  say(`parts: ${plan.parts.join(', ')}${plan.quick ? ' (quick)' : ''}`);
  const report: Record<string, unknown> = { plan, startedAt: new Date().toISOString() };
  const tables: string[] = [];

  if (plan.parts.includes('elections')) {
    say(`\n## Elections in memory (${plan.simTrials} seeded trials per row; virtual time, 10 ms ticks, 1-5 ms message delay)`);
    const results = runElections(plan);
    report['elections'] = results;
    const t = electionsTable(results);
    tables.push(t);
    say(t);
  }
  if (plan.parts.includes('failover')) {
    say(`\n## Failover: ${plan.servers} servers, kill ${plan.kill}`);
    const results: FailoverResult[] = [];
    for (const target of plan.targets) results.push(await runFailover(plan, target));
    report['failover'] = results;
    const t = failoverTable(results);
    tables.push(t);
    say('\n' + t);
  }
  if (plan.parts.includes('cold-start')) {
    say(`\n## Cold start: ${plan.servers} servers, all spawned at once, fresh data`);
    const results: ColdStartResult[] = [];
    for (const target of plan.targets) results.push(await runColdStart(plan, target));
    report['coldStart'] = results;
    const t = coldStartTable(results);
    tables.push(t);
    say('\n' + t);
  }
  if (plan.parts.includes('throughput')) {
    const profileDir = plan.profile ? mkdtempSync(join(tmpdir(), 'zkts-ens-prof-')) : undefined;
    const cells: ThroughputCell[] = [];
    for (const forceSync of plan.forceSync) {
      say(`\n## Throughput: ${plan.servers}-server ensembles, forceSync=${forceSync ? 'yes' : 'no'}, connections dealt round-robin over the members (${plan.leaderFirst ? 'leader' : 'followers'} first); ${plan.warmupS} s warm-up + ${plan.durationS} s per cell, median of ${plan.rounds} round(s)`);
      cells.push(...(await runThroughput(plan, forceSync, profileDir)));
    }
    report['throughput'] = cells;
    const t = throughputTable(cells, plan.throughputTargets);
    tables.push(t);
    say('\n' + t);
    if (profileDir) {
      say(`\nCPU profiles of the zkts members in ${profileDir}:`);
      const { readdirSync } = await import('node:fs');
      for (const f of readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile')).sort()) {
        say(`\n### ${f}\n${formatProfile(join(profileDir, f), 25)}`);
      }
    }
  }
  if (plan.json) writeFileSync(plan.json, JSON.stringify(report, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  void Promise.allSettled([...running].map((x) => x.stop())).then(() => process.exit(1));
});
