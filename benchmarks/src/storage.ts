// Storage benchmarks, every backend side by side, fsync on, in a temp dir on the real disk:
//   append+flush throughput by batch size, snapshot write/load, in-process recovery, and servers
//   (zkts-server per backend, Apache ZooKeeper) holding N znodes: RSS, disk bytes, restart time.
//   node dist/storage.js [--quick] [--backends memory,file,level,rocksdb] [--sections append,snapshot,recovery,server]
//        [--dir PATH] [--max-time S] [--no-zookeeper] [--server-nodes N,N] [--json FILE]
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { recoverDataTree } from '@zkts/storage-file';
import { referenceZooKeeperAvailable } from '@zkts/tools';
import type { LogEntry } from '@zkts/txn-log';
import { type BenchResult, compare, formatRate, markdownTable, ratio } from './bench-adapter.js';
import { DEFAULT_LAYOUT, populate } from './loadgen.js';
import { BACKENDS, VALUE_BYTES, appendCase, buildTree, loadLevel, openBackend, setDataEntry, snapshotBytes } from './storage-cases.js';
import { type RunningServer, type ZktsStorage, describeFilesystem, diskBytes, javaVersion, rssBytes, startZkts, startZooKeeper } from './servers.js';

const SECTIONS = ['append', 'snapshot', 'recovery', 'server'] as const;
type Section = (typeof SECTIONS)[number];
const MIB = 2 ** 20;

interface Plan {
  quick: boolean;
  backends: ZktsStorage[];
  sections: Section[];
  dir: string;
  batchSizes: number[];
  maxTimeS: number;
  snapshotSizes: number[];
  recoveryNodes: number;
  recoveryTail: number;
  serverSizes: number[];
  zookeeperNodes: number;
  zookeeper: boolean;
  json: string | undefined;
}

const USAGE = `usage: node dist/storage.js [--quick] [--backends memory,file,level,rocksdb]
  [--sections append,snapshot,recovery,server] [--dir PATH] [--max-time S] [--no-zookeeper]
  [--server-nodes N,N (server section sizes; ZooKeeper gets the first)] [--json FILE]`;

export function parseStoragePlan(argv: readonly string[]): Plan {
  const quick = argv.includes('--quick');
  const plan: Plan = {
    quick,
    backends: [...BACKENDS],
    sections: [...SECTIONS],
    dir: tmpdir(),
    batchSizes: [1, 10, 100, 1000],
    maxTimeS: quick ? 0.5 : 3,
    snapshotSizes: quick ? [10_000] : [100_000, 1_000_000],
    recoveryNodes: quick ? 10_000 : 100_000,
    recoveryTail: quick ? 1_000 : 10_000,
    serverSizes: quick ? [10_000] : [100_000, 1_000_000],
    zookeeperNodes: quick ? 10_000 : 100_000,
    zookeeper: true,
    json: undefined,
  };
  const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    switch (a) {
      case '--quick': break;
      case '--backends': {
        const names = list(v());
        for (const n of names) if (!BACKENDS.includes(n as ZktsStorage)) throw new Error(`--backends: unknown backend ${n} (${BACKENDS.join(', ')})`);
        plan.backends = names as ZktsStorage[];
        break;
      }
      case '--sections': {
        const names = list(v());
        for (const n of names) if (!SECTIONS.includes(n as Section)) throw new Error(`--sections: unknown section ${n} (${SECTIONS.join(', ')})`);
        plan.sections = names as Section[];
        break;
      }
      case '--dir': plan.dir = v(); break;
      case '--max-time': {
        plan.maxTimeS = Number(v());
        if (!(plan.maxTimeS > 0)) throw new Error(`--max-time: must be a number of seconds > 0`);
        break;
      }
      case '--no-zookeeper': plan.zookeeper = false; break;
      case '--server-nodes': {
        plan.serverSizes = list(v()).map(Number);
        if (plan.serverSizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--server-nodes: a list of positive integers');
        plan.zookeeperNodes = plan.serverSizes[0]!;
        break;
      }
      case '--json': plan.json = v(); break;
      case '--help': case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  return plan;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmtMs = (ms: number): string => (!Number.isFinite(ms) ? '-' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtMiB = (b: number): string => (Number.isFinite(b) ? (b / MIB).toFixed(1) : '-');
const fmtCount = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const say = (s: string): void => void process.stdout.write(s + '\n');

// ---------------------------------------------------------------- sections

interface AppendRow { batch: number; results: Record<string, BenchResult> }

/** append(batch) + flush() per op, one fresh log per case; file is the baseline of the ratios. */
async function appendSection(plan: Plan, backends: ZktsStorage[]): Promise<AppendRow[]> {
  const rows: AppendRow[] = [];
  const baselineKind: ZktsStorage = backends.includes('file') ? 'file' : backends[0]!;
  for (const batch of plan.batchSizes) {
    const caseOf = (kind: ZktsStorage) => appendCase(kind, batch, plan.dir);
    const others = backends.filter((k) => k !== baselineKind);
    const cmp = await compare(caseOf(baselineKind), others.map(caseOf), { maxTimeS: plan.maxTimeS, minSamples: 5 });
    const results: Record<string, BenchResult> = {};
    for (const r of [cmp.baseline, ...cmp.candidates]) results[r.name] = r;
    rows.push({ batch, results });
    say(`  append batch ${batch}: ${[cmp.baseline, ...cmp.candidates].map((r) => `${r.name} ${formatRate(r.unitsPerSec)} entries/s${r.error ? ` [${r.error}]` : ''}`).join(', ')}`);
  }
  say('');
  say(`append + flush (fsync) of setData txns of ${VALUE_BYTES} B; ratio = entries/s / ${baselineKind}'s; benchmark.js, max ${plan.maxTimeS} s per case`);
  const header = ['batch', ...backends.flatMap((k) => [`${k} entries/s`, `${k} flushes/s`]), ...backends.filter((k) => k !== baselineKind).map((k) => `${k} / ${baselineKind}`)];
  say(markdownTable(header, rows.map((r) => {
    const base = r.results[baselineKind]!;
    return [
      String(r.batch),
      ...backends.flatMap((k) => {
        const x = r.results[k];
        return x === undefined || x.error ? ['-', '-'] : [`${formatRate(x.unitsPerSec)} ±${x.rme.toFixed(0)}%`, formatRate(x.opsPerSec)];
      }),
      ...backends.filter((k) => k !== baselineKind).map((k) => ratio(r.results[k]?.unitsPerSec ?? NaN, base.unitsPerSec)),
    ];
  })));
  say('');
  return rows;
}

interface SnapshotRow { kind: ZktsStorage; nodes: number; bytes: number; disk: number; writeMs: number; loadMs: number }

async function snapshotSection(plan: Plan, backends: ZktsStorage[]): Promise<SnapshotRow[]> {
  const rows: SnapshotRow[] = [];
  for (const n of plan.snapshotSizes) {
    const tree = buildTree(n);
    const bytes = snapshotBytes(tree);
    let recordCount = 0;
    for (const _ of tree.snapshotNodes()) recordCount++;
    const reps = plan.quick || n >= 1_000_000 ? 1 : 3;
    for (const kind of backends) {
      const dir = mkdtempSync(join(plan.dir, `zkts-bench-snap-${kind}-`));
      const b = await openBackend(kind, dir);
      if (b === null) continue;
      try {
        const writes: number[] = [];
        const loads: number[] = [];
        let disk = NaN;
        for (let rep = 0; rep < reps; rep++) {
          const zxid = tree.lastProcessedZxid + rep;
          let t = performance.now();
          await b.snapshots.save(zxid, { nodes: tree.snapshotNodes(), sessions: [], digest: tree.digest() });
          writes.push(performance.now() - t);
          if (rep === 0 && kind !== 'memory') disk = diskBytes(dir);
          t = performance.now();
          const snap = await b.snapshots.load(zxid);
          loads.push(performance.now() - t);
          if (snap.nodes.length !== recordCount) throw new Error(`${kind}: loaded ${snap.nodes.length} nodes, saved ${recordCount}`);
        }
        rows.push({ kind, nodes: n, bytes, disk, writeMs: median(writes), loadMs: median(loads) });
        say(`  snapshot ${fmtCount(n)} ${kind}: write ${fmtMs(median(writes))} ms, load ${fmtMs(median(loads))} ms`);
      } finally {
        await b.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  say('');
  say(`snapshot save (fsync) and load (read + checksum + decode) of a tree of N znodes of ${VALUE_BYTES} B; MB/s over the encoded bytes; median of 3 runs (1 for 1M and --quick)`);
  say(markdownTable(['znodes', 'backend', 'snapshot bytes', 'disk bytes', 'write ms', 'write MB/s', 'load ms', 'load MB/s'], rows.map((r) => [
    fmtCount(r.nodes), r.kind, String(r.bytes), Number.isFinite(r.disk) ? String(r.disk) : '-', fmtMs(r.writeMs), (r.bytes / MIB / (r.writeMs / 1000)).toFixed(0), fmtMs(r.loadMs), (r.bytes / MIB / (r.loadMs / 1000)).toFixed(0),
  ])));
  say('');
  return rows;
}

interface RecoveryRow { kind: ZktsStorage; nodes: number; tail: number; ms: number; openMs: number }

/** Snapshot of N znodes + a log tail of setData txns; timed: open the backend, recover the tree, close. */
async function recoverySection(plan: Plan, backends: ZktsStorage[]): Promise<RecoveryRow[]> {
  const rows: RecoveryRow[] = [];
  const n = plan.recoveryNodes;
  const tree = buildTree(n);
  const snapZxid = tree.lastProcessedZxid;
  const expectedNodes = tree.nodeCount;
  for (const kind of backends) {
    const dir = mkdtempSync(join(plan.dir, `zkts-bench-recover-${kind}-`));
    try {
      let b = await openBackend(kind, dir);
      if (b === null) continue;
      await b.snapshots.save(snapZxid, { nodes: tree.snapshotNodes(), sessions: [], digest: tree.digest() });
      for (let z = snapZxid + 1; z <= snapZxid + plan.recoveryTail; z += 1000) {
        const entries: LogEntry[] = [];
        for (let i = z; i < Math.min(z + 1000, snapZxid + plan.recoveryTail + 1); i++) entries.push(setDataEntry(i, n));
        b.txnLog.append(entries);
      }
      await b.txnLog.flush();
      const memory = kind === 'memory' ? b : null;
      if (memory === null) await b.close();
      const times: number[] = [];
      const opens: number[] = [];
      for (let rep = 0; rep < (plan.quick ? 1 : 3); rep++) {
        const t = performance.now();
        b = memory ?? (await openBackend(kind, dir))!;
        const opened = performance.now();
        const r = await recoverDataTree(b.txnLog, b.snapshots);
        if (memory === null) await b.close();
        times.push(performance.now() - t);
        opens.push(opened - t);
        if (r.tree.nodeCount !== expectedNodes || r.replayed !== plan.recoveryTail) throw new Error(`${kind}: recovered ${r.tree.nodeCount} nodes and ${r.replayed} txns, expected ${expectedNodes} and ${plan.recoveryTail}`);
      }
      if (memory !== null) await memory.close();
      rows.push({ kind, nodes: n, tail: plan.recoveryTail, ms: median(times), openMs: median(opens) });
      say(`  recovery ${kind}: ${fmtMs(median(times))} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  say('');
  say(`in-process recovery: open the backend + newest snapshot (${fmtCount(n)} znodes of ${VALUE_BYTES} B) + replay of a ${fmtCount(plan.recoveryTail)}-txn setData tail + close; median of ${plan.quick ? 1 : 3} (memory: no open, the same objects)`);
  const base = rows.find((r) => r.kind === 'file');
  say(markdownTable(['backend', 'znodes', 'log tail', 'recovery ms', 'of which open ms', 'vs file'], rows.map((r) => [r.kind, fmtCount(r.nodes), fmtCount(r.tail), fmtMs(r.ms), fmtMs(r.openMs), ratio(r.ms, base?.ms ?? NaN)])));
  say('');
  return rows;
}

interface ServerRow {
  server: string;
  nodes: number;
  createsPerSec: number;
  /** Spawn until serving, empty. */
  startMs: number;
  rssEmpty: number;
  rssLoaded: number;
  rssRestarted: number;
  disk: number;
  restartMs: number;
  error?: string;
}

/** A server with N znodes: creation rate, RSS empty / after creating / after restart, disk, restart time. */
async function measureServer(name: string, start: (opts: { dir?: string; minNodes?: number }) => Promise<RunningServer>, n: number, durable: boolean): Promise<ServerRow> {
  const minNodes = n + 4 + DEFAULT_LAYOUT.listChildren;
  let s = await start({});
  const dir = s.dir;
  const startMs = s.readyMs;
  try {
    const rssEmpty = rssBytes(s.pid);
    const t = performance.now();
    await populate(s.host, s.port, { keys: n, valueSize: VALUE_BYTES }, 'random');
    const createsPerSec = minNodes / ((performance.now() - t) / 1000);
    await new Promise((r) => setTimeout(r, 1000)); // let the server settle (GC, snapshot in progress)
    const rssLoaded = rssBytes(s.pid);
    let rssRestarted = NaN;
    let restartMs = NaN;
    let disk = NaN;
    if (durable) {
      await s.stop(60_000);
      disk = diskBytes(dir);
      s = await start({ dir, minNodes });
      restartMs = s.readyMs;
      await new Promise((r) => setTimeout(r, 1000));
      rssRestarted = rssBytes(s.pid);
    }
    say(`  ${name} ${fmtCount(n)}: ${formatRate(createsPerSec)} creates/s, RSS ${fmtMiB(rssEmpty)} -> ${fmtMiB(rssLoaded)} MiB, restart ${fmtMs(restartMs)} ms (RSS ${fmtMiB(rssRestarted)} MiB), disk ${fmtMiB(disk)} MiB`);
    return { server: name, nodes: n, createsPerSec, startMs, rssEmpty, rssLoaded, rssRestarted, disk, restartMs };
  } catch (e) {
    const log = existsSync(s.logFile) ? readFileSync(s.logFile, 'utf8').trim().split('\n').slice(-8).join('\n') : '';
    say(`  ${name} ${fmtCount(n)} FAILED: ${(e as Error).message}${log ? `\n  last lines of its log:\n${log}` : ''}`);
    return { server: name, nodes: n, createsPerSec: NaN, startMs, rssEmpty: NaN, rssLoaded: NaN, rssRestarted: NaN, disk: NaN, restartMs: NaN, error: (e as Error).message };
  } finally {
    await s.stop(60_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function serverSection(plan: Plan, backends: ZktsStorage[]): Promise<ServerRow[]> {
  const rows: ServerRow[] = [];
  const zk = plan.zookeeper && referenceZooKeeperAvailable();
  if (plan.zookeeper && !zk) say('note: Apache ZooKeeper is not installed: measuring zkts only');
  if (zk) {
    rows.push(await measureServer('zookeeper', (o) => startZooKeeper({ dataParent: plan.dir, forceSync: true, fixedHeap: false, keepDir: true, ...o }), plan.zookeeperNodes, true));
  }
  for (const n of plan.serverSizes) {
    for (const kind of backends) {
      if ((kind === 'level' || kind === 'rocksdb') && (await loadLevel()) === null) continue;
      rows.push(await measureServer(`zkts ${kind}`, (o) => startZkts({ storage: kind, forceSync: true, dataParent: plan.dir, keepDir: true, ...o }), n, kind !== 'memory'));
    }
  }
  const zkRow = rows.find((r) => r.server === 'zookeeper');
  say('');
  say(`servers holding N znodes of ${VALUE_BYTES} incompressible B (created by one pipelined client, 256 in flight), forceSync=yes, data on ${plan.dir}; ` +
    'RSS = VmRSS from /proc/<pid>/status 1 s after the creates / after the restart; restart = spawn until srvr answers with the whole tree (20 ms polls); ' +
    'disk = du of the data directory after a clean stop; ratios vs ZooKeeper at the same N');
  say(markdownTable(
    ['server', 'znodes', 'creates/s', 'empty start ms', 'RSS empty MiB', 'RSS loaded MiB', 'RSS restarted MiB', 'RSS vs ZK', 'disk MiB', 'restart ms', 'restart vs ZK', 'error'],
    rows.map((r) => {
      const sameN = zkRow !== undefined && zkRow.nodes === r.nodes && r !== zkRow;
      return [
        r.server, fmtCount(r.nodes), formatRate(r.createsPerSec), fmtMs(r.startMs), fmtMiB(r.rssEmpty), fmtMiB(r.rssLoaded), fmtMiB(r.rssRestarted),
        sameN ? ratio(r.rssLoaded, zkRow.rssLoaded) : '-', fmtMiB(r.disk), fmtMs(r.restartMs), sameN ? ratio(r.restartMs, zkRow.restartMs) : '-', r.error ?? '',
      ];
    }),
  ));
  return rows;
}

// ---------------------------------------------------------------- main

/** Median time of a 4 KiB write + fsync in `parent` (what one flush costs at least on this disk). */
function fsyncLatencyMs(parent: string, times = 50): number {
  const dir = mkdtempSync(join(parent, 'zkts-bench-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const ms: number[] = [];
  try {
    for (let i = 0; i < times; i++) {
      const t = performance.now();
      writeSync(fd, block, 0, block.length, i * block.length);
      fsyncSync(fd);
      ms.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  return median(ms);
}

async function main(): Promise<void> {
  const plan = parseStoragePlan(process.argv.slice(2));
  const fsInfo = describeFilesystem(plan.dir);
  const cpu = cpus();
  const about = [
    `zkts storage benchmark${plan.quick ? ' (--quick)' : ''}, ${new Date().toISOString()}`,
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`,
    `node ${process.version}; ${plan.zookeeper && plan.sections.includes('server') && referenceZooKeeperAvailable() ? javaVersion() : 'java not used'}`,
    `data: ${fsInfo.text}; a 4 KiB write + fsync there takes ${fmtMs(fsyncLatencyMs(plan.dir))} ms (median of 50)`,
    `backends: ${plan.backends.join(', ')} (fsync on; memory as the no-disk reference)`,
  ];
  for (const line of about) say(line);
  if (fsInfo.tmpfs) say(`WARNING: ${plan.dir} is on ${fsInfo.fsType}, not a disk: fsync costs nothing there; pass --dir on a real disk`);
  say('');
  const backends: ZktsStorage[] = [];
  for (const k of plan.backends) if ((k !== 'level' && k !== 'rocksdb') || (await loadLevel()) !== null) backends.push(k);
  const out: Record<string, unknown> = { about, plan };
  if (plan.sections.includes('append')) out['append'] = await appendSection(plan, backends);
  if (plan.sections.includes('snapshot')) out['snapshot'] = await snapshotSection(plan, backends);
  if (plan.sections.includes('recovery')) out['recovery'] = await recoverySection(plan, backends);
  if (plan.sections.includes('server')) out['server'] = await serverSection(plan, backends);
  say(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (plan.json) writeFileSync(plan.json, JSON.stringify(out, null, 2));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`storage: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
