// The two servers under test, each as its own process on a free loopback port, stopped by pid:
// zkts-server (apps/server, any zkts.storage) and Debian's Apache ZooKeeper. A server can be
// stopped keeping its directory and started again on it (restart time), and reports its RSS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REFERENCE_ZOOKEEPER_JAR, fourLetterWord, freePort, referenceZooKeeperAvailable } from '@zkts/tools';

const START_TIMEOUT_MS = 30_000;
/** A restart with a big tree may take longer than a fresh start. */
const RESTART_TIMEOUT_MS = 300_000;
/** Poll interval while timing a start (fixed, so the measured time is off by at most this). */
export const READY_POLL_MS = 20;
const TICK_TIME = 2000;
/** Both servers: no throttling below this many requests in flight. */
const OUTSTANDING_LIMIT = 100_000;

export interface RunningServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  readonly logFile: string;
  /** First line of `srvr`. */
  readonly version: string;
  /** Milliseconds from spawn until `srvr` answered as serving (with at least `minNodes` nodes). */
  readonly readyMs: number;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`); removes its directory unless kept. */
  stop(graceMs?: number): Promise<void>;
}

export interface LaunchOptions {
  /** Keep the directory on stop (to start again on it); the caller removes it. */
  readonly keepDir?: boolean;
  /** Ready only once `srvr` reports at least this many nodes (a restart has loaded its tree). */
  readonly minNodes?: number;
  readonly timeoutMs?: number;
}

/** VmRSS of a process in bytes, from /proc/<pid>/status (Linux). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** The `Node count:` line of a srvr answer, or -1. */
export function srvrNodeCount(answer: string): number {
  const m = /^Node count: (\d+)/m.exec(answer);
  return m ? Number(m[1]) : -1;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function writeCfg(path: string, lines: Record<string, string | number | boolean>): void {
  writeFileSync(path, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
}

async function launch(name: string, dir: string, host: string, port: number, cmd: string, args: string[], opts: LaunchOptions): Promise<RunningServer> {
  const cleanup = opts.keepDir !== true;
  const logFile = join(dir, 'stdout.log');
  const out = openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], cwd: dir });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}`);
  let stopped = false;
  let diedEarly = false;
  child.once('exit', () => {
    if (!stopped) diedEarly = true;
  });
  const stop = async (graceMs = 5000): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      }, graceMs);
      await exited(child);
      clearTimeout(timer);
    }
    // A server that died on its own keeps its directory, so its log can be read.
    if (cleanup && !diedEarly) rmSync(dir, { recursive: true, force: true });
    else if (diedEarly) process.stderr.write(`${name} (pid ${pid}) had exited with ${child.exitCode ?? child.signalCode}; log kept: ${logFile}\n`);
  };
  const timeoutMs = opts.timeoutMs ?? (opts.minNodes !== undefined ? RESTART_TIMEOUT_MS : START_TIMEOUT_MS);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      await stop().catch(() => undefined);
      throw new Error(`${name} exited with ${child.exitCode} before serving:\n${log}`);
    }
    // srvr answers only once the server serves requests (ruok says imok earlier on ZooKeeper).
    const answer = await fourLetterWord(host, port, 'srvr', 2000).catch(() => '');
    if (answer.startsWith('Zookeeper version') && srvrNodeCount(answer) >= (opts.minNodes ?? 0)) {
      const readyMs = performance.now() - spawnedAt;
      return { name, host, port, pid, dir, logFile, version: answer.split('\n')[0]!.replace('Zookeeper version: ', ''), readyMs, stop };
    }
    if (Date.now() > deadline) {
      await stop(0);
      throw new Error(`${name} did not answer srvr${opts.minNodes !== undefined ? ` with ${opts.minNodes} nodes` : ''} within ${timeoutMs} ms (log: ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
}

export type ZktsStorage = 'memory' | 'file' | 'level' | 'rocksdb';
export const ZKTS_STORAGES: readonly ZktsStorage[] = ['memory', 'file', 'level', 'rocksdb'];

export interface ZktsOptions extends LaunchOptions {
  /** Write a V8 CPU profile of the server into this directory (kept after stop). */
  cpuProfileDir?: string;
  /** zkts.storage (default memory). */
  storage?: ZktsStorage;
  /** forceSync (default yes; only durable backends write anything). */
  forceSync?: boolean;
  /** Where the server's directory is created (default the OS temp dir). */
  dataParent?: string;
  /** Start on this existing directory (a restart) instead of a new one. */
  dir?: string;
}

/**
 * The zkts-server entry as its bin runs it (apps/server's bundle, dist/bundle/zkts-server.mjs);
 * ZKTS_SERVER_ENTRY overrides it, e.g. apps/server/dist/main.js so --profile names packages.
 */
export function zktsServerEntry(): string {
  return process.env.ZKTS_SERVER_ENTRY ?? fileURLToPath(import.meta.resolve('@zkts/server-app/bundle'));
}

export async function startZkts(opts: ZktsOptions = {}): Promise<RunningServer> {
  const storage = opts.storage ?? 'memory';
  if (!ZKTS_STORAGES.includes(storage)) throw new RangeError(`storage=${storage}: must be one of ${ZKTS_STORAGES.join(', ')}`);
  const dir = opts.dir ?? mkdtempSync(join(opts.dataParent ?? tmpdir(), `zkts-bench-zkts-${storage}-`));
  const host = '127.0.0.1';
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  writeCfg(cfg, {
    tickTime: TICK_TIME,
    dataDir: dir,
    clientPort: port,
    clientPortAddress: host,
    maxClientCnxns: 0,
    globalOutstandingLimit: OUTSTANDING_LIMIT,
    '4lw.commands.whitelist': '*',
    'admin.enableServer': false,
    forceSync: opts.forceSync === false ? 'no' : 'yes',
    'zkts.storage': storage,
    'zkts.logLevel': 'warn',
  });
  const prof = opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : [];
  return launch(storage === 'memory' ? 'zkts' : `zkts-${storage}`, dir, host, port, process.execPath, [...prof, zktsServerEntry(), cfg], opts);
}

export interface ZooKeeperOptions extends LaunchOptions {
  heap?: string;
  /** -Xms = -Xmx = heap (default); false: only -Xmx, as zkServer.sh starts it (for RSS). */
  fixedHeap?: boolean;
  /** Where ZooKeeper's dataDir goes; default /dev/shm when it exists (no disk noise), else the temp dir. */
  dataParent?: string;
  /** forceSync (default no: the in-memory comparison). */
  forceSync?: boolean;
  /** Start on this existing directory (a restart) instead of a new one. */
  dir?: string;
}

export async function startZooKeeper(opts: ZooKeeperOptions = {}): Promise<RunningServer> {
  if (!referenceZooKeeperAvailable()) throw new Error(`Apache ZooKeeper not installed (${REFERENCE_ZOOKEEPER_JAR}); run tools/install-reference.sh`);
  const parent = opts.dataParent ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const dir = opts.dir ?? mkdtempSync(join(parent, 'zkts-bench-zk-'));
  const host = '127.0.0.1';
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  writeCfg(cfg, {
    tickTime: TICK_TIME,
    dataDir: dir,
    clientPort: port,
    clientPortAddress: host,
    maxClientCnxns: 0,
    globalOutstandingLimit: OUTSTANDING_LIMIT,
    forceSync: opts.forceSync === true ? 'yes' : 'no',
    '4lw.commands.whitelist': '*',
    'admin.enableServer': false,
  });
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(log4j, [
    'log4j.rootLogger=WARN, F', 'log4j.appender.F=org.apache.log4j.FileAppender', `log4j.appender.F.File=${join(dir, 'server.log')}`,
    'log4j.appender.F.layout=org.apache.log4j.PatternLayout', 'log4j.appender.F.layout.ConversionPattern=%d %p [%t] %c{1}: %m%n',
  ].join('\n') + '\n');
  const heap = opts.heap ?? '1g';
  return launch('zookeeper', dir, host, port, '/usr/bin/java', [
    ...(opts.fixedHeap === false ? [] : [`-Xms${heap}`]), `-Xmx${heap}`, `-Dlog4j.configuration=file:${log4j}`, '-Dzookeeper.jmx.log4j.disable=true',
    `-Dzookeeper.globalOutstandingLimit=${OUTSTANDING_LIMIT}`,
    '-cp', `${REFERENCE_ZOOKEEPER_JAR}:/usr/share/java/*`, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg,
  ], opts);
}

export function javaVersion(): string {
  const r = spawnSync('/usr/bin/java', ['-version'], { encoding: 'utf8' });
  return (r.stderr || r.stdout || '').split('\n')[0]?.trim() ?? 'unknown';
}

/** The newest .cpuprofile in a directory, if any. */
export function newestProfile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  return files.length > 0 ? join(dir, files[files.length - 1]!) : undefined;
}

/** Makes (if needed) and returns a directory for benchmark data below `parent`. */
export function benchDir(parent: string, prefix: string): string {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, prefix));
}

/**
 * Where a path lives: filesystem type, device and mount point (from /proc/mounts), and whether
 * the device is rotational (from /sys/block). Linux only; "unknown" elsewhere.
 */
export function describeFilesystem(path: string): { fsType: string; device: string; mountPoint: string; tmpfs: boolean; text: string } {
  let best = { fsType: 'unknown', device: 'unknown', mountPoint: '' };
  try {
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, mountPoint, fsType] = line.split(' ');
      if (!device || !mountPoint || !fsType) continue;
      const inside = path === mountPoint || path.startsWith(mountPoint.endsWith('/') ? mountPoint : mountPoint + '/');
      if (inside && mountPoint.length >= best.mountPoint.length) best = { fsType, device, mountPoint };
    }
  } catch {
    /* not Linux */
  }
  const tmpfs = best.fsType === 'tmpfs' || best.fsType === 'ramfs';
  let disk = '';
  const dev = /^\/dev\/([a-z]+)/.exec(best.device)?.[1];
  if (dev) {
    const base = dev.replace(/\d+$/, '');
    try {
      const rotational = readFileSync(`/sys/block/${base}/queue/rotational`, 'utf8').trim() === '1';
      disk = `, /sys/block/${base} rotational=${rotational ? 1 : 0}`;
    } catch {
      /* no sysfs entry */
    }
  }
  return { ...best, tmpfs, text: `${path}: ${best.fsType} on ${best.device} (mounted at ${best.mountPoint || '?'})${disk}` };
}

/** Bytes the files below `dir` occupy on disk (allocated blocks; preallocated holes not counted). */
export function diskBytes(dir: string): number {
  const r = spawnSync('du', ['-s', '-B1', dir], { encoding: 'utf8' });
  const n = Number(r.stdout.split('\t')[0]);
  if (r.status !== 0 || !Number.isFinite(n)) throw new Error(`du -s -B1 ${dir} failed: ${r.stderr}`);
  return n;
}
