// Ensembles for the benchmarks: 3 or 5 real processes on loopback, zkts-server (apps/server's
// bin, one node process per member) or Apache ZooKeeper (QuorumPeerMain, one JVM per member),
// with the same zoo.cfg keys on both sides and their data on the disk under `dataParent`.
// The handle has the shape of @zkts/tools' ReferenceEnsemble, so failover-reference's measuring
// function runs unchanged against either. Every process is stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  REFERENCE_ZOOKEEPER_JAR, childExited, killOnExit, tailFile, fourLetterWord, freePort, parseSrvrMode, referenceZooKeeperAvailable,
  type ReferenceEnsemble, type ReferenceEnsembleMember, type ReferenceServerMode,
} from '@zkts/tools';
import { zktsServerEntry } from '../servers.js';

export const ENSEMBLE_KINDS = ['zkts', 'zookeeper'] as const;
export type EnsembleKind = (typeof ENSEMBLE_KINDS)[number];
export const ELECTIONS = ['fast', 'basic'] as const;
export type ElectionName = (typeof ELECTIONS)[number];
export const BENCH_ENSEMBLE_SIZES = [3, 5] as const;
export type BenchEnsembleSize = (typeof BENCH_ENSEMBLE_SIZES)[number];

/** A whole ensemble (5 JVMs on a loaded 2-core machine start slowly) must serve within this. */
export const ENSEMBLE_START_TIMEOUT_MS = 120_000;
/** A restarted member must rejoin and serve within this. */
export const MEMBER_RESTART_TIMEOUT_MS = 90_000;
/** A killed process must have exited within this. */
export const MEMBER_EXIT_TIMEOUT_MS = 15_000;
/** Heap of each ZooKeeper member (-Xms = -Xmx): three fit beside everything else on this machine. */
export const ZOOKEEPER_MEMBER_HEAP_MB = 512;
/** Both servers: no throttling below this many requests in flight. */
export const OUTSTANDING_LIMIT = 100_000;
/** A profiled member gets this long after SIGTERM to write its profile. */
export const PROFILE_STOP_GRACE_MS = 60_000;
const POLL_MS_MIN = 10;
const POLL_MS_MAX = 100;
const SRVR_TIMEOUT_MS = 2000;
const LOG_TAIL_LINES = 30;

export interface BenchEnsembleOptions {
  kind: EnsembleKind;
  servers: BenchEnsembleSize;
  /** zkts.election (zkts only; ZooKeeper always runs FastLeaderElection). Default fast. */
  election?: ElectionName;
  /** forceSync on every member (default true). */
  forceSync?: boolean;
  /** tickTime on every member (default 2000, both servers' default). */
  tickTimeMs?: number;
  /** Where the ensemble's directory goes (default the OS temp dir; it should be a real disk). */
  dataParent?: string;
  /** Write V8 CPU profiles of zkts members into this directory (kept after stop). */
  cpuProfileDir?: string;
  /** zkts.logLevel (default info: the election lines are wanted; nothing is logged per request). */
  zktsLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Spawn the members but do not wait for a quorum (cold-start timing does its own waiting). */
  noWait?: boolean;
}

export interface BenchEnsemble extends ReferenceEnsemble {
  readonly kind: EnsembleKind;
  readonly label: string;
  /** performance.now() when the last member of the initial start was spawned. */
  readonly spawnedAt: number;
  /** Copies every member's zoo.cfg and logs to `dest`/s<id>/ (the ensemble's own directory goes on stop). */
  saveLogs(dest: string): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));



const TERMINATING = new Set<NodeJS.Signals>(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP']);

/** The zoo.cfg text of one member (both servers read the same keys). */
export function memberConfig(opts: {
  kind: EnsembleKind; dataDir: string; clientPort: number; tickTimeMs: number; forceSync: boolean; election: ElectionName;
  serverLines: readonly string[]; zktsLogLevel: string;
}): string {
  const lines: Record<string, string | number> = {
    tickTime: opts.tickTimeMs,
    initLimit: 10,
    syncLimit: 5,
    dataDir: opts.dataDir,
    clientPort: opts.clientPort,
    clientPortAddress: '127.0.0.1',
    maxClientCnxns: 0,
    globalOutstandingLimit: OUTSTANDING_LIMIT,
    forceSync: opts.forceSync ? 'yes' : 'no',
    '4lw.commands.whitelist': '*',
    'admin.enableServer': 'false',
    ...(opts.kind === 'zkts' ? { 'zkts.storage': 'file', 'zkts.election': opts.election, 'zkts.logLevel': opts.zktsLogLevel } : {}),
  };
  return [...Object.entries(lines).map(([k, v]) => `${k}=${v}`), ...opts.serverLines].join('\n') + '\n';
}

class Member implements ReferenceEnsembleMember {
  readonly host = '127.0.0.1';
  readonly role = 'participant' as const;
  private child: ChildProcess | undefined;
  private stopped = false;

  constructor(
    readonly id: number,
    readonly clientPort: number,
    readonly quorumPort: number,
    readonly electionPort: number,
    readonly dir: string,
    private readonly command: () => { cmd: string; args: string[] },
  ) {}

  get connectString(): string {
    return `${this.host}:${this.clientPort}`;
  }
  get pid(): number {
    return this.child?.pid ?? -1;
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  spawn(): void {
    if (this.stopped) throw new Error(`member ${this.id}: the ensemble was stopped`);
    const out = openSync(join(this.dir, 'stdout.log'), 'a');
    const { cmd, args } = this.command();
    const child = spawn(cmd, args, { stdio: ['ignore', out, out], cwd: this.dir });
    closeSync(out);
    if (child.pid === undefined) throw new Error(`member ${this.id}: could not start ${cmd}`);
    killOnExit(child);
    this.child = child;
  }

  async mode(): Promise<ReferenceServerMode> {
    if (!this.running) return 'down';
    const answer = await fourLetterWord(this.host, this.clientPort, 'srvr', SRVR_TIMEOUT_MS).catch(() => '');
    return parseSrvrMode(answer);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    process.kill(child.pid!, signal);
    if (TERMINATING.has(signal)) await childExited(child, MEMBER_EXIT_TIMEOUT_MS);
  }

  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? MEMBER_RESTART_TIMEOUT_MS;
    if (this.running) await this.kill('SIGKILL');
    this.spawn();
    const deadline = Date.now() + timeoutMs;
    for (let delay = POLL_MS_MIN; ; delay = Math.min(delay * 2, POLL_MS_MAX)) {
      if (!this.running) throw new Error(`member ${this.id} exited during restart:\n${this.logTail()}`);
      const mode = await this.mode();
      if (mode === 'leader' || mode === 'follower' || mode === 'observer') return;
      if (Date.now() > deadline) throw new Error(`member ${this.id} did not serve within ${timeoutMs} ms of restart (mode: ${mode}):\n${this.logTail()}`);
      await sleep(delay);
    }
  }

  logTail(lines = LOG_TAIL_LINES): string {
    return [`--- member ${this.id} server.log`, tailFile(join(this.dir, 'server.log'), lines),
      `--- member ${this.id} stdout.log`, tailFile(join(this.dir, 'stdout.log'), lines)].join('\n');
  }

  /** Kills the process; with `graceMs`, SIGTERM first (a CPU profile is written only on a clean exit). */
  async stop(graceMs = 0): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || !this.running) return;
    if (graceMs > 0) {
      process.kill(child.pid!, 'SIGTERM');
      await childExited(child, graceMs).catch(() => undefined);
      if (!this.running) return;
    }
    process.kill(child.pid!, 'SIGKILL');
    await childExited(child, MEMBER_EXIT_TIMEOUT_MS);
  }
}

export function ensembleLabel(o: Pick<BenchEnsembleOptions, 'kind' | 'servers' | 'election'>): string {
  return o.kind === 'zookeeper' ? `ZooKeeper x${o.servers}` : `zkts-${o.election ?? 'fast'} x${o.servers}`;
}

/** Starts `servers` members of `kind` and (unless noWait) resolves once one leads and the rest follow. */
export async function startBenchEnsemble(opts: BenchEnsembleOptions): Promise<BenchEnsemble> {
  if (!(BENCH_ENSEMBLE_SIZES as readonly number[]).includes(opts.servers)) throw new RangeError(`servers: expected 3 or 5, got ${opts.servers}`);
  if (opts.kind === 'zookeeper' && !referenceZooKeeperAvailable()) throw new Error(`Apache ZooKeeper not installed (${REFERENCE_ZOOKEEPER_JAR})`);
  const election = opts.election ?? 'fast';
  const tickTimeMs = opts.tickTimeMs ?? 2000;
  const forceSync = opts.forceSync ?? true;
  const rootDir = mkdtempSync(join(opts.dataParent ?? tmpdir(), `zkts-bench-ens-${opts.kind}-`));
  // freePort alone may hand out the same port twice: take distinct ones.
  const free = new Set<number>();
  while (free.size < 3 * opts.servers) free.add(await freePort());
  const list = [...free];
  const ports = Array.from({ length: opts.servers }, (_, i) => ({ client: list[3 * i]!, quorum: list[3 * i + 1]!, election: list[3 * i + 2]! }));
  const serverLines = ports.map((p, i) => `server.${i + 1}=127.0.0.1:${p.quorum}:${p.election};127.0.0.1:${p.client}`);
  const entry = opts.kind === 'zkts' ? zktsServerEntry() : '';
  if (opts.cpuProfileDir) mkdirSync(opts.cpuProfileDir, { recursive: true });
  const members = ports.map((p, i) => {
    const id = i + 1;
    const dir = join(rootDir, `s${id}`);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${id}\n`);
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, memberConfig({ kind: opts.kind, dataDir, clientPort: p.client, tickTimeMs, forceSync, election, serverLines, zktsLogLevel: opts.zktsLogLevel ?? 'info' }));
    let command: () => { cmd: string; args: string[] };
    if (opts.kind === 'zkts') {
      const prof = opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`, `--cpu-prof-name=member${id}-${Date.now()}.cpuprofile`] : [];
      command = () => ({ cmd: process.execPath, args: [...prof, entry, cfg] });
    } else {
      const log4j = join(dir, 'log4j.properties');
      writeFileSync(log4j, [
        'log4j.rootLogger=INFO, F', 'log4j.appender.F=org.apache.log4j.FileAppender', `log4j.appender.F.File=${join(dir, 'server.log')}`,
        'log4j.appender.F.layout=org.apache.log4j.PatternLayout', 'log4j.appender.F.layout.ConversionPattern=%d %p [%t] %c{1}: %m%n',
      ].join('\n') + '\n');
      const bindings = ['/usr/share/java/slf4j-log4j12.jar', '/usr/share/java/log4j-1.2.jar'];
      const cp = bindings.every((j) => existsSync(j)) ? [REFERENCE_ZOOKEEPER_JAR, ...bindings].join(':') : `${REFERENCE_ZOOKEEPER_JAR}:/usr/share/java/*`;
      command = () => ({
        cmd: '/usr/bin/java',
        args: [`-Xms${ZOOKEEPER_MEMBER_HEAP_MB}m`, `-Xmx${ZOOKEEPER_MEMBER_HEAP_MB}m`, `-Dlog4j.configuration=file:${log4j}`, '-Dzookeeper.jmx.log4j.disable=true',
          `-Dzookeeper.globalOutstandingLimit=${OUTSTANDING_LIMIT}`, '-cp', cp, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg],
      });
    }
    return new Member(id, p.client, p.quorum, p.election, dir, command);
  });

  const waitForQuorum = async (timeoutMs: number, duringStart: boolean): Promise<Member> => {
    const deadline = Date.now() + timeoutMs;
    for (let delay = POLL_MS_MIN; ; delay = Math.min(delay * 2, POLL_MS_MAX)) {
      const live = members.filter((m) => m.running);
      const modes = await Promise.all(live.map((m) => m.mode()));
      if (modes.filter((x) => x === 'leader').length === 1 && modes.every((x) => x === 'leader' || x === 'follower')) return live[modes.indexOf('leader')]!;
      const died = duringStart ? members.find((m) => !m.running) : undefined;
      if (died || Date.now() > deadline) {
        const states = members.map((m) => `${m.id}: ${m.running ? modes[live.indexOf(m)] : 'not running'}`).join(', ');
        throw new Error(`${ensembleLabel(opts)}: ${died ? `member ${died.id} exited` : `no quorum within ${timeoutMs} ms`} (${states})\n${(died ? [died] : members).map((m) => m.logTail()).join('\n')}`);
      }
      await sleep(delay);
    }
  };

  let stopped = false;
  let spawnedAt = 0;
  const ensemble: BenchEnsemble = {
    kind: opts.kind,
    label: ensembleLabel(opts),
    get spawnedAt() {
      return spawnedAt;
    },
    members,
    connectString: members.map((m) => m.connectString).join(','),
    rootDir,
    member(id) {
      const m = members.find((x) => x.id === id);
      if (!m) throw new Error(`no member ${id} (ids 1..${members.length})`);
      return m;
    },
    async leader() {
      const modes = await Promise.all(members.map((m) => m.mode()));
      const i = modes.indexOf('leader');
      return i < 0 ? undefined : members[i];
    },
    waitForQuorum: (timeoutMs = MEMBER_RESTART_TIMEOUT_MS) => waitForQuorum(timeoutMs, false),
    saveLogs(dest) {
      for (const m of members) {
        const to = join(dest, `s${m.id}`);
        mkdirSync(to, { recursive: true });
        for (const f of ['zoo.cfg', 'stdout.log', 'server.log']) if (existsSync(join(m.dir, f))) copyFileSync(join(m.dir, f), join(to, f));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(members.map((m) => m.stop(opts.cpuProfileDir ? PROFILE_STOP_GRACE_MS : 0).catch(() => undefined)));
      rmSync(rootDir, { recursive: true, force: true });
    },
  };
  try {
    for (const m of members) m.spawn();
    spawnedAt = performance.now();
    if (!opts.noWait) await waitForQuorum(ENSEMBLE_START_TIMEOUT_MS, true);
  } catch (e) {
    await ensemble.stop();
    throw e;
  }
  return ensemble;
}
