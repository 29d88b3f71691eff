// End-to-end benchmark: zkts-server and Apache ZooKeeper on this machine, the same load
// generator (a child process per measurement) against each, cell by cell, in one run.
//   node dist/e2e.js [--quick] [--durable] [--ops get,set,create,mixed] [--connections 1,8,32] [--in-flight 1,64]
//        [--warmup S] [--duration S] [--value-size B] [--keys N] [--servers zkts,zookeeper]
//        [--dir PATH] [--rounds N] [--profile] [--json FILE]
// --durable: zkts with each durable backend (zkts-file, zkts-level, zkts-rocksdb; forceSync=yes)
// against ZooKeeper with forceSync=yes, all with their data on the disk under --dir (default the
// OS temp dir); cells set and create at 8 x 64 and set at 1 x 1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoadChild } from './load-child.js';
import { WORKLOADS, populate, type LoadOptions, type LoadResult } from './loadgen.js';
import { formatProfile } from './profile.js';
import { fourLetterWord, referenceZooKeeperAvailable } from '@zkts/tools';
import { describeFilesystem, javaVersion, newestProfile, startZkts, startZooKeeper, type RunningServer, type ZktsStorage } from './servers.js';

interface CellSpec {
  op: string;
  connections: number;
  inFlight: number;
}

/** Every server name --servers accepts: zkts (memory storage) or zkts-<backend>, and zookeeper. */
export const SERVER_NAMES = ['zkts', 'zkts-memory', 'zkts-file', 'zkts-level', 'zkts-rocksdb', 'zookeeper'] as const;
const DURABLE_SERVERS = ['zkts-file', 'zkts-level', 'zkts-rocksdb', 'zookeeper'];
const ROUNDS_MAX = 20;
const DURABLE_CELLS: readonly CellSpec[] = [
  { op: 'set', connections: 8, inFlight: 64 },
  { op: 'create', connections: 8, inFlight: 64 },
  { op: 'set', connections: 1, inFlight: 1 },
];

function storageOf(server: string): ZktsStorage {
  return server === 'zkts' ? 'memory' : (server.slice('zkts-'.length) as ZktsStorage);
}

interface Plan {
  ops: string[];
  connections: number[];
  inFlight: number[];
  warmupS: number;
  durationS: number;
  valueSize: number;
  keys: number;
  servers: string[];
  durable: boolean;
  /** Where durable servers keep their data. */
  dir: string;
  cells: CellSpec[];
  /** The whole cell list is measured this many times; each cell reports its median round. */
  rounds: number;
  profile: boolean;
  json: string | undefined;
}

const USAGE = `usage: node dist/e2e.js [--quick] [--durable] [--ops get,set,create,mixed] [--connections 1,8,32]
  [--in-flight 1,64] [--warmup S] [--duration S] [--value-size B] [--keys N]
  [--servers ${SERVER_NAMES.join(',')}] [--dir PATH] [--rounds N] [--profile] [--json FILE]`;

function parsePlan(argv: readonly string[]): Plan {
  const quick = argv.includes('--quick');
  const durable = argv.includes('--durable');
  let crossProduct = !durable;
  const plan: Plan = {
    ops: ['get', 'set', 'create', 'mixed'],
    connections: quick ? [1, 8] : [1, 8, 32],
    inFlight: [1, 64],
    warmupS: quick ? 0.5 : 2,
    durationS: quick ? 1 : 5,
    valueSize: 100,
    keys: 1000,
    servers: durable ? [...DURABLE_SERVERS] : ['zkts', 'zookeeper'],
    durable,
    dir: tmpdir(),
    cells: [],
    rounds: durable && !quick ? 3 : 1,
    profile: false,
    json: undefined,
  };
  const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
  const nums = (v: string): number[] => list(v).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    switch (a) {
      case '--quick': case '--durable': break;
      case '--ops': plan.ops = list(v()); crossProduct = true; break;
      case '--connections': plan.connections = nums(v()); crossProduct = true; break;
      case '--in-flight': plan.inFlight = nums(v()); crossProduct = true; break;
      case '--dir': plan.dir = v(); break;
      case '--rounds': {
        plan.rounds = Number(v());
        if (!Number.isInteger(plan.rounds) || plan.rounds < 1 || plan.rounds > ROUNDS_MAX) throw new Error(`--rounds: must be an integer from 1 to ${ROUNDS_MAX}`);
        break;
      }
      case '--warmup': plan.warmupS = Number(v()); break;
      case '--duration': plan.durationS = Number(v()); break;
      case '--value-size': plan.valueSize = Number(v()); break;
      case '--keys': plan.keys = Number(v()); break;
      case '--servers': plan.servers = list(v()); break;
      case '--profile': plan.profile = true; break;
      case '--json': plan.json = v(); break;
      case '--help': case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  for (const op of plan.ops) if (!WORKLOADS[op]) throw new Error(`unknown op ${op} (${Object.keys(WORKLOADS).join(', ')})`);
  for (const s of plan.servers) if (!(SERVER_NAMES as readonly string[]).includes(s)) throw new Error(`unknown server ${s} (${SERVER_NAMES.join(', ')})`);
  if (durable && !crossProduct) {
    // The durable matrix; --ops alone keeps these cells' shapes for the ops named.
    plan.cells = DURABLE_CELLS.map((c) => ({ ...c }));
  } else {
    for (const op of plan.ops) for (const connections of plan.connections) for (const inFlight of plan.inFlight) plan.cells.push({ op, connections, inFlight });
  }
  if (plan.servers.includes('zookeeper') && !referenceZooKeeperAvailable()) {
    process.stderr.write('Apache ZooKeeper is not installed: measuring zkts only\n');
    plan.servers = plan.servers.filter((s) => s !== 'zookeeper');
  }
  return plan;
}

const LOADGEN = fileURLToPath(new URL('./loadgen-main.js', import.meta.url));


interface Cell {
  op: string;
  connections: number;
  inFlight: number;
  results: Record<string, LoadResult | { failure: string }>;
  /** ops/s of every round per server (with --rounds > 1). */
  rounds?: Record<string, number[]>;
}

/** The round with the median ops/s (a failed round counts as 0), so its latencies come along. */
function medianRound(results: Array<LoadResult | { failure: string }>): LoadResult | { failure: string } {
  const ops = (r: LoadResult | { failure: string }): number => ('failure' in r ? 0 : r.opsPerSec);
  const sorted = [...results].sort((a, b) => ops(a) - ops(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

const fmtOps = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const fmtMs = (n: number): string => (n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3));

function cellText(r: LoadResult | { failure: string } | undefined): { ops: string; lat: string; errs: string; value: number } {
  if (r === undefined) return { ops: '-', lat: '-', errs: '', value: NaN };
  if ('failure' in r) return { ops: 'failed', lat: '-', errs: r.failure, value: NaN };
  const errs = Object.entries(r.errors).map(([k, v]) => `${k}:${v}`).join(' ');
  return { ops: fmtOps(r.opsPerSec), lat: `${fmtMs(r.latencyMs.p50)} / ${fmtMs(r.latencyMs.p99)}`, errs, value: r.opsPerSec };
}

function table(cells: Cell[], servers: readonly string[]): string {
  const others = servers.filter((s) => s !== 'zookeeper');
  const withZk = servers.includes('zookeeper');
  const header = [
    'workload', 'conns x in-flight',
    ...servers.map((s) => `${s} ops/s`),
    ...(withZk ? others.map((s) => `${s} / ZK`) : []),
    ...servers.map((s) => `${s} p50 / p99 ms`),
    'errors',
  ];
  const rows = cells.map((c) => {
    const t = Object.fromEntries(servers.map((s) => [s, cellText(c.results[s])]));
    const k = t['zookeeper'];
    const ratioOf = (v: number): string => (k !== undefined && Number.isFinite(v) && Number.isFinite(k.value) && k.value > 0 ? `${(v / k.value).toFixed(2)}x` : '-');
    const errs = servers.map((s) => t[s]!.errs && `${s} ${t[s]!.errs}`).filter(Boolean).join('; ') || 'none';
    return [
      c.op, `${c.connections} x ${c.inFlight}`,
      ...servers.map((s) => t[s]!.ops),
      ...(withZk ? others.map((s) => ratioOf(t[s]!.value)) : []),
      ...servers.map((s) => t[s]!.lat),
      errs,
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2));
  const servers: RunningServer[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= Promise.allSettled(servers.map((s) => s.stop(plan.profile ? 120_000 : 5000))).then(() => undefined));
  const onSignal = (sig: string): void => {
    process.stderr.write(`\n${sig}: stopping servers\n`);
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  const profileDir = plan.profile ? mkdtempSync(join(tmpdir(), 'zkts-bench-prof-')) : undefined;
  const cells: Cell[] = [];
  const notes: string[] = [];
  try {
    const byName = new Map<string, RunningServer>();
    for (const name of plan.servers) {
      const s = name === 'zookeeper'
        ? await startZooKeeper(plan.durable ? { forceSync: true, dataParent: plan.dir } : {})
        : await startZkts({ storage: storageOf(name), forceSync: true, dataParent: plan.dir, ...(profileDir ? { cpuProfileDir: profileDir } : {}) });
      servers.push(s);
      byName.set(name, s);
      await populate(s.host, s.port, { keys: plan.keys, valueSize: plan.valueSize });
    }
    const cpu = cpus();
    const about = [
      `zkts e2e benchmark, ${new Date().toISOString()}`,
      `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`,
      `node ${process.version}; ${plan.servers.includes('zookeeper') ? javaVersion() : 'java not used'}`,
      ...servers.map((s) => `${s.name}: ${s.version} on ${s.host}:${s.port} (pid ${s.pid})${s.name === 'zookeeper' ? `, -Xmx1g, forceSync=${plan.durable ? 'yes' : 'no'}` : `, zkts.storage=${storageOf(s.name)}${storageOf(s.name) === 'memory' ? '' : ', forceSync=yes'}`}, data in ${describeFilesystem(s.dir).text}`),
      `workload: ${plan.keys} nodes of ${plan.valueSize} B; get/set/exists on random nodes, create = ephemeral sequential with ${plan.valueSize} B (removed when the session closes), mixed = ${JSON.stringify(WORKLOADS['mixed'])}`,
      `each cell: ${plan.warmupS} s warm-up + ${plan.durationS} s measured, one fresh load-generator process (new sessions) per server, servers alternate cell by cell`,
      ...servers.filter((s) => describeFilesystem(s.dir).tmpfs && (plan.durable || s.name !== 'zookeeper')).map((s) => `WARNING: ${s.name}'s data is on tmpfs: fsync costs nothing there`),
    ];
    process.stdout.write(about.join('\n') + '\n\n');
    const perRound: Cell[][] = [];
    for (let round = 1; round <= plan.rounds; round++) {
      if (plan.rounds > 1) process.stdout.write(`round ${round} of ${plan.rounds}\n`);
      const roundCells: Cell[] = [];
      perRound.push(roundCells);
      for (const { op, connections, inFlight } of plan.cells) {
        const cell: Cell = { op, connections, inFlight, results: {} };
        // Each round starts with another server, so none always runs right after a create cell.
        const order = [...byName];
        const shift = (round - 1) % order.length;
        for (const [name, s] of [...order.slice(shift), ...order.slice(0, shift)]) {
          const opts: LoadOptions = {
            host: s.host, port: s.port, connections, inFlight, mix: WORKLOADS[op]!,
            warmupMs: plan.warmupS * 1000, durationMs: plan.durationS * 1000, keys: plan.keys, valueSize: plan.valueSize,
          };
          cell.results[name] = await runLoadChild(LOADGEN, opts, (plan.warmupS + plan.durationS) * 1000 + 60_000);
          // Wait until the server answers again (closing sessions, e.g. removing the ephemerals of
          // `create`, must not spill into the next measurement of either server).
          const settleStart = Date.now();
          await fourLetterWord(s.host, s.port, 'srvr', 300_000).catch(() => '');
          const settleMs = Date.now() - settleStart;
          if (settleMs > 500) notes.push(`${name} needed ${(settleMs / 1000).toFixed(1)} s to answer srvr after ${op} ${connections}x${inFlight} (closing its sessions)`);
        }
        roundCells.push(cell);
        const parts = plan.servers.map((n) => {
          const t = cellText(cell.results[n]);
          return `${n} ${t.ops} ops/s (${t.lat} ms)${t.errs ? ' [' + t.errs + ']' : ''}`;
        });
        process.stdout.write(`  ${op} ${connections}x${inFlight}: ${parts.join(', ')}\n`);
      }
    }
    for (let i = 0; i < plan.cells.length; i++) {
      const spec = plan.cells[i]!;
      const results: Cell['results'] = {};
      const rounds: Record<string, number[]> = {};
      for (const name of plan.servers) {
        const all = perRound.map((rc) => rc[i]!.results[name]!);
        results[name] = medianRound(all);
        rounds[name] = all.map((r) => ('failure' in r ? 0 : Math.round(r.opsPerSec)));
      }
      cells.push({ ...spec, results, ...(plan.rounds > 1 ? { rounds } : {}) });
    }
    if (plan.rounds > 1) {
      process.stdout.write(`\nops/s of each round:\n`);
      for (const c of cells) process.stdout.write(`  ${c.op} ${c.connections}x${c.inFlight}: ${plan.servers.map((n) => `${n} ${c.rounds![n]!.map((x) => (x / 1000).toFixed(1) + 'k').join(' ')}`).join(', ')}\n`);
    }
    process.stdout.write('\n' + table(cells, plan.servers) + (plan.rounds > 1 ? `\n(median of ${plan.rounds} rounds per cell)` : '') + '\n');
    process.stdout.write('<server> / ZK = that server\'s ops/s / ZooKeeper\'s; latencies from the generator (request written to reply read), ms\n');
    for (const n of notes) process.stdout.write(`note: ${n}\n`);
    if (plan.json) writeFileSync(plan.json, JSON.stringify({ about, plan, cells, notes }, null, 2));
  } finally {
    await stopAll();
  }
  if (profileDir) {
    const file = newestProfile(profileDir);
    process.stdout.write('\n' + (file ? formatProfile(file, 25) : `no CPU profile written in ${profileDir}`) + '\n');
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`e2e: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
