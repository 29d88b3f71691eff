// The two servers under test, each as its own process on a free loopback port, stopped by pid:
// zkts-server (apps/server, in-memory storage) and Debian's Apache ZooKeeper.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REFERENCE_ZOOKEEPER_JAR, fourLetterWord, freePort, referenceZooKeeperAvailable } from '@zkts/tools';

const START_TIMEOUT_MS = 30_000;
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
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and removes its directory. */
  stop(graceMs?: number): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function writeCfg(path: string, lines: Record<string, string | number | boolean>): void {
  writeFileSync(path, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
}

async function launch(name: string, dir: string, host: string, port: number, cmd: string, args: string[], cleanup: boolean): Promise<RunningServer> {
  const logFile = join(dir, 'stdout.log');
  const out = openSync(logFile, 'a');
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
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (child.exitCode !== null) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      await stop().catch(() => undefined);
      throw new Error(`${name} exited with ${child.exitCode} before serving:\n${log}`);
    }
    // srvr answers only once the server serves requests (ruok says imok earlier on ZooKeeper).
    const answer = await fourLetterWord(host, port, 'srvr', 2000).catch(() => '');
    if (answer.startsWith('Zookeeper version')) {
      return { name, host, port, pid, dir, logFile, version: answer.split('\n')[0]!.replace('Zookeeper version: ', ''), stop };
    }
    if (Date.now() > deadline) {
      await stop(0);
      throw new Error(`${name} did not answer srvr within ${START_TIMEOUT_MS} ms (log: ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

export interface ZktsOptions {
  /** Write a V8 CPU profile of the server into this directory (kept after stop). */
  cpuProfileDir?: string;
}

/** The zkts-server entry (apps/server's dist/main.js). */
export function zktsServerEntry(): string {
  return fileURLToPath(import.meta.resolve('@zkts/server-app'));
}

export async function startZkts(opts: ZktsOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'zkts-bench-zkts-'));
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
    'zkts.storage': 'memory',
    'zkts.logLevel': 'warn',
  });
  const prof = opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : [];
  return launch('zkts', dir, host, port, process.execPath, [...prof, zktsServerEntry(), cfg], true);
}

export interface ZooKeeperOptions {
  heap?: string;
  /** Where ZooKeeper's dataDir goes; default /dev/shm when it exists (no disk noise), else the temp dir. */
  dataParent?: string;
}

export async function startZooKeeper(opts: ZooKeeperOptions = {}): Promise<RunningServer> {
  if (!referenceZooKeeperAvailable()) throw new Error(`Apache ZooKeeper not installed (${REFERENCE_ZOOKEEPER_JAR}); run tools/install-reference.sh`);
  const parent = opts.dataParent ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const dir = mkdtempSync(join(parent, 'zkts-bench-zk-'));
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
    forceSync: 'no',
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
    `-Xms${heap}`, `-Xmx${heap}`, `-Dlog4j.configuration=file:${log4j}`, '-Dzookeeper.jmx.log4j.disable=true',
    `-Dzookeeper.globalOutstandingLimit=${OUTSTANDING_LIMIT}`,
    '-cp', `${REFERENCE_ZOOKEEPER_JAR}:/usr/share/java/*`, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg,
  ], true);
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
