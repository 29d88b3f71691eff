// Starts an ensemble of Debian's Apache ZooKeeper (QuorumPeerMain), 3 or 5 voters plus optional
// observers, on free loopback ports in one temp directory: the reference for failover tests and
// for measuring ZooKeeper's election and failover times. Every process is stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childExited, killOnExit, tailFile } from './child-processes.js';
import { REFERENCE_ZOOKEEPER_JAR, fourLetterWord, freePort, referenceZooKeeperAvailable } from './reference-zookeeper.js';

/** How long a whole ensemble may take to elect a leader and serve (5 JVMs on 2 cores start slowly). */
export const REFERENCE_ENSEMBLE_START_TIMEOUT_MS = 90_000;
/** How long a restarted member may take to rejoin and serve. */
export const REFERENCE_MEMBER_RESTART_TIMEOUT_MS = 60_000;
/** How long a killed JVM may take to exit. */
export const REFERENCE_MEMBER_EXIT_TIMEOUT_MS = 15_000;
/** Heap of each member: small, so five fit beside the tests on this machine. */
export const REFERENCE_MEMBER_HEAP_MB = 256;
/** Lines of each log file quoted in a start failure. */
export const LOG_TAIL_LINES = 40;
export const ENSEMBLE_SIZES = [3, 5] as const;
export const OBSERVERS_MAX = 4;
const POLL_MS_MIN = 25;
const POLL_MS_MAX = 250;
const SRVR_TIMEOUT_MS = 2000;
// zookeeper.jar's manifest lists its dependencies but no slf4j binding; with /usr/share/java/* the
// JVM picks an arbitrary one (often NOP, so no log at all). These two make log4j write server.log.
const LOG_BINDING_JARS = ['/usr/share/java/slf4j-log4j12.jar', '/usr/share/java/log4j-1.2.jar'];

function classPath(): string {
  return LOG_BINDING_JARS.every((j) => existsSync(j))
    ? [REFERENCE_ZOOKEEPER_JAR, ...LOG_BINDING_JARS].join(':')
    : `${REFERENCE_ZOOKEEPER_JAR}:/usr/share/java/*`;
}

export type EnsembleSize = (typeof ENSEMBLE_SIZES)[number];

/** What `srvr` says a member is doing; 'not serving' while it elects or syncs, 'down' when nothing answers. */
export type ReferenceServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not serving' | 'down';

export interface ReferenceEnsembleOptions {
  /** Voting members. */
  servers: EnsembleSize;
  /** ZooKeeper's tickTime (default 2000, as ZooKeeper). Session timeouts are 2..20 ticks. */
  tickTimeMs?: number;
  /** Extra non-voting members (peerType=observer), ids after the voters. Default 0. */
  observers?: number;
  /** Extra zoo.cfg lines for every member, e.g. `{ maxSessionTimeout: 10000, forceSync: 'yes' }`. */
  extraConfig?: Record<string, string | number | boolean>;
  /** Default REFERENCE_ENSEMBLE_START_TIMEOUT_MS. */
  startTimeoutMs?: number;
}

export interface ReferenceEnsembleMember {
  /** myid, 1-based. */
  readonly id: number;
  readonly role: 'participant' | 'observer';
  readonly host: string;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  /** host:clientPort of this member alone. */
  readonly connectString: string;
  /** Its directory: zoo.cfg, data/myid, server.log, stdout.log. */
  readonly dir: string;
  /** Current JVM's pid (a new one after restart()). */
  readonly pid: number;
  /** Whether its JVM is alive (a SIGSTOPped one counts as alive). */
  readonly running: boolean;
  /** Asks `srvr`. */
  mode(): Promise<ReferenceServerMode>;
  /**
   * Sends `signal` (default SIGKILL) to its pid. For a signal that ends the JVM, resolves once it
   * has exited; SIGSTOP / SIGCONT resolve at once.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same directory and ports (killing it first if alive); resolves once it serves. */
  restart(opts?: { timeoutMs?: number }): Promise<void>;
  /** The last `lines` lines of its logs. */
  logTail(lines?: number): string;
}

export interface ReferenceEnsemble {
  readonly members: readonly ReferenceEnsembleMember[];
  /** Every member's host:port, in id order (voters, then observers). */
  readonly connectString: string;
  readonly rootDir: string;
  member(id: number): ReferenceEnsembleMember;
  /** The member whose `srvr` says leader now, if any. */
  leader(): Promise<ReferenceEnsembleMember | undefined>;
  /**
   * Waits until exactly one running member leads and every other running member follows or
   * observes, and returns the leader. Throws after `timeoutMs` with each member's mode and log tail.
   */
  waitForQuorum(timeoutMs?: number): Promise<ReferenceEnsembleMember>;
  /** Kills every JVM (SIGKILL) and removes the directory. */
  stop(): Promise<void>;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The mode in a `srvr` answer. */
export function parseSrvrMode(answer: string): ReferenceServerMode {
  const m = /^Mode: (leader|follower|observer|standalone)\s*$/m.exec(answer);
  if (m) return m[1] as ReferenceServerMode;
  return answer.length > 0 ? 'not serving' : 'down';
}


const TERMINATING = new Set<NodeJS.Signals>(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP']);

class Member implements ReferenceEnsembleMember {
  readonly host = '127.0.0.1';
  private child: ChildProcess | undefined;
  private stopped = false;

  constructor(
    readonly id: number,
    readonly role: 'participant' | 'observer',
    readonly clientPort: number,
    readonly quorumPort: number,
    readonly electionPort: number,
    readonly dir: string,
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

  /** Writes zoo.cfg, myid and the log config. */
  configure(serverLines: string[], tickTimeMs: number, extra: Record<string, string | number | boolean>): void {
    const dataDir = join(this.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${this.id}\n`);
    const lines: Record<string, string | number | boolean> = {
      tickTime: tickTimeMs,
      initLimit: 10,
      syncLimit: 5,
      dataDir,
      maxClientCnxns: 0,
      'admin.enableServer': false,
      '4lw.commands.whitelist': '*',
      forceSync: 'no',
      ...(this.role === 'observer' ? { peerType: 'observer' } : {}),
      ...extra,
    };
    const text = [...Object.entries(lines).map(([k, v]) => `${k}=${v}`), ...serverLines].join('\n') + '\n';
    writeFileSync(join(this.dir, 'zoo.cfg'), text);
    writeFileSync(
      join(this.dir, 'log4j.properties'),
      ['log4j.rootLogger=INFO, F', 'log4j.appender.F=org.apache.log4j.FileAppender', `log4j.appender.F.File=${join(this.dir, 'server.log')}`,
        'log4j.appender.F.layout=org.apache.log4j.PatternLayout', 'log4j.appender.F.layout.ConversionPattern=%d %p [%t] %c{1}: %m%n'].join('\n') + '\n',
    );
  }

  spawn(): void {
    if (this.stopped) throw new Error(`member ${this.id}: the ensemble was stopped`);
    const out = openSync(join(this.dir, 'stdout.log'), 'a');
    const child = spawn(
      '/usr/bin/java',
      [`-Xmx${REFERENCE_MEMBER_HEAP_MB}m`, '-Xms32m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
        `-Dlog4j.configuration=file:${join(this.dir, 'log4j.properties')}`, '-Dzookeeper.jmx.log4j.disable=true',
        '-cp', classPath(), 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(this.dir, 'zoo.cfg')],
      { stdio: ['ignore', out, out], detached: false },
    );
    closeSync(out);
    if (child.pid === undefined) throw new Error(`member ${this.id}: could not start java`);
    killOnExit(child);
    this.child = child;
  }

  async mode(): Promise<ReferenceServerMode> {
    const answer = await fourLetterWord(this.host, this.clientPort, 'srvr', SRVR_TIMEOUT_MS).catch(() => '');
    return parseSrvrMode(answer);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    process.kill(child.pid!, signal);
    if (TERMINATING.has(signal)) await childExited(child, REFERENCE_MEMBER_EXIT_TIMEOUT_MS);
  }

  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? REFERENCE_MEMBER_RESTART_TIMEOUT_MS;
    if (this.running) await this.kill('SIGKILL'); // SIGKILL ends even a SIGSTOPped JVM
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

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (child && this.running) {
      process.kill(child.pid!, 'SIGKILL');
      await childExited(child, REFERENCE_MEMBER_EXIT_TIMEOUT_MS);
    }
  }
}

/** Starts `servers` voters (+ observers) and resolves once one leads and all others follow or observe. */
export async function startReferenceEnsemble(opts: ReferenceEnsembleOptions): Promise<ReferenceEnsemble> {
  if (!referenceZooKeeperAvailable()) {
    throw new Error(`reference ZooKeeper not installed (${REFERENCE_ZOOKEEPER_JAR}); run tools/install-reference.sh`);
  }
  if (!(ENSEMBLE_SIZES as readonly number[]).includes(opts.servers)) {
    throw new Error(`startReferenceEnsemble: servers must be one of ${ENSEMBLE_SIZES.join(', ')}, got ${opts.servers}`);
  }
  const observers = opts.observers ?? 0;
  if (!Number.isInteger(observers) || observers < 0 || observers > OBSERVERS_MAX) {
    throw new Error(`startReferenceEnsemble: observers must be an integer in 0..${OBSERVERS_MAX}, got ${observers}`);
  }
  const tickTimeMs = opts.tickTimeMs ?? 2000;
  if (!Number.isInteger(tickTimeMs) || tickTimeMs <= 0) {
    throw new Error(`startReferenceEnsemble: tickTimeMs must be a positive integer, got ${tickTimeMs}`);
  }
  const rootDir = mkdtempSync(join(tmpdir(), 'zkts-ref-ensemble-'));
  const members: Member[] = [];
  const total = opts.servers + observers;
  for (let id = 1; id <= total; id++) {
    const [clientPort, quorumPort, electionPort] = [await freePort(), await freePort(), await freePort()];
    const dir = join(rootDir, `s${id}`);
    mkdirSync(dir);
    members.push(new Member(id, id > opts.servers ? 'observer' : 'participant', clientPort, quorumPort, electionPort, dir));
  }
  // ZooKeeper 3.5+ syntax: quorum:election[:observer];clientAddress:clientPort.
  const serverLines = members.map((m) => `server.${m.id}=${m.host}:${m.quorumPort}:${m.electionPort}${m.role === 'observer' ? ':observer' : ''};${m.host}:${m.clientPort}`);
  for (const m of members) m.configure(serverLines, tickTimeMs, opts.extraConfig ?? {});

  const waitForQuorum = async (timeoutMs: number, duringStart: boolean): Promise<Member> => {
    const deadline = Date.now() + timeoutMs;
    for (let delay = POLL_MS_MIN; ; delay = Math.min(delay * 2, POLL_MS_MAX)) {
      const live = members.filter((m) => m.running);
      const modes = await Promise.all(live.map((m) => m.mode()));
      if (modes.filter((x) => x === 'leader').length === 1 && modes.every((x) => x === 'leader' || x === 'follower' || x === 'observer')) {
        return live[modes.indexOf('leader')]!;
      }
      // At start every member must live: a JVM that died (bad config, port taken) will not come back.
      const died = duringStart ? members.find((m) => !m.running) : undefined;
      if (died || Date.now() > deadline) {
        const states = members.map((m) => `${m.id}: ${m.running ? modes[live.indexOf(m)] : 'not running'}`).join(', ');
        const why = died ? `member ${died.id} exited` : `no quorum within ${timeoutMs} ms`;
        throw new Error(`reference ensemble: ${why} (${states})\n${(died ? [died] : members).map((m) => m.logTail()).join('\n')}`);
      }
      await sleep(delay);
    }
  };

  let stopped = false;
  const ensemble: ReferenceEnsemble = {
    members,
    connectString: members.map((m) => m.connectString).join(','),
    rootDir,
    member(id) {
      const m = members.find((x) => x.id === id);
      if (!m) throw new Error(`no member ${id} (ids 1..${members.length})`);
      return m;
    },
    async leader() {
      const modes = await Promise.all(members.map((m) => (m.running ? m.mode() : Promise.resolve<ReferenceServerMode>('down'))));
      const i = modes.indexOf('leader');
      return i < 0 ? undefined : members[i];
    },
    waitForQuorum: (timeoutMs = REFERENCE_ENSEMBLE_START_TIMEOUT_MS) => waitForQuorum(timeoutMs, false),
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(members.map((m) => m.stop().catch(() => undefined)));
      rmSync(rootDir, { recursive: true, force: true });
    },
  };
  try {
    for (const m of members) m.spawn();
    await waitForQuorum(opts.startTimeoutMs ?? REFERENCE_ENSEMBLE_START_TIMEOUT_MS, true);
  } catch (e) {
    await ensemble.stop();
    throw e;
  }
  return ensemble;
}
