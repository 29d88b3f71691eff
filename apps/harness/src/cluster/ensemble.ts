// A real zkts ensemble for `zkts-harness cluster`: N zkts-server processes on free loopback
// ports, each with an ordinary zoo.cfg and dataDir/myid in one temp directory. Members are
// SIGKILLed / SIGSTOPped / SIGCONTed by pid; killAll() ends every child this module started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLUSTER_TICK_MS = 200;
/** Lines of a member's output kept for error messages. */
export const MEMBER_OUTPUT_LINES_MAX = 40;
export const SRVR_TIMEOUT_MS = 2000;

export type MemberMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not serving' | 'down' | 'stopped';

/** The zkts-server bin: apps/server/bin beside this app, else node_modules/.bin. */
export function findServerBin(): string {
  const here = dirname(fileURLToPath(import.meta.url)); // apps/harness/{src,dist}/cluster
  const candidates = [
    resolve(here, '..', '..', '..', 'server', 'bin', 'zkts-server.js'),
    resolve(here, '..', '..', '..', '..', 'node_modules', '@zkts', 'server-app', 'bin', 'zkts-server.js'),
    resolve(process.cwd(), 'node_modules', '.bin', 'zkts-server'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`zkts-server bin not found (looked at ${candidates.join(', ')}); build apps/server first`);
  return found;
}

/** A free loopback port (the OS picks; closed again before use). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

/** Sends a four-letter word and returns the whole answer. */
export function fourLetter(port: number, word: string, timeoutMs = SRVR_TIMEOUT_MS): Promise<string> {
  return new Promise((ok, fail) => {
    const socket = new Socket();
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`${word} on port ${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      ok(text);
    });
    socket.connect(port, '127.0.0.1', () => socket.end(word));
  });
}

export class ClusterMember {
  child: ChildProcess | null = null;
  stopped = false;
  private output: string[] = [];
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    readonly clientPort: number,
    private readonly cfgPath: string,
    private readonly bin: string,
  ) {}

  get connectString(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`server ${this.id} is already running`);
    const child = spawn(process.execPath, [this.bin, this.cfgPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer): void => {
      this.output.push(...c.toString().split('\n').filter((l) => l.length > 0));
      if (this.output.length > MEMBER_OUTPUT_LINES_MAX) this.output.splice(0, this.output.length - MEMBER_OUTPUT_LINES_MAX);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((ok) => child.once('exit', () => ok()));
    this.child = child;
    this.stopped = false;
  }

  /** SIGKILL by pid; resolves once the process exited. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    process.kill(child.pid!, 'SIGKILL');
    await this.exited;
    this.stopped = false;
  }

  pause(): void {
    if (!this.running) return;
    process.kill(this.child!.pid!, 'SIGSTOP');
    this.stopped = true;
  }

  resume(): void {
    if (!this.running || !this.stopped) return;
    process.kill(this.child!.pid!, 'SIGCONT');
    this.stopped = false;
  }

  async mode(): Promise<MemberMode> {
    if (!this.running) return 'down';
    if (this.stopped) return 'stopped';
    try {
      const srvr = await fourLetter(this.clientPort, 'srvr');
      return (/Mode: (\S+)/.exec(srvr)?.[1] as MemberMode | undefined) ?? 'not serving';
    } catch {
      return 'not serving';
    }
  }

  tail(): string {
    return this.output.join('\n');
  }
}

export class ClusterEnsemble {
  private constructor(
    readonly root: string,
    readonly members: readonly ClusterMember[],
  ) {}

  static async create(servers: number, election: 'fast' | 'basic', bin = findServerBin()): Promise<ClusterEnsemble> {
    const root = mkdtempSync(join(tmpdir(), 'zkts-harness-cluster-'));
    const ports = new Set<number>();
    while (ports.size < 3 * servers) ports.add(await freeLoopbackPort());
    const free = [...ports];
    const peers = Array.from({ length: servers }, (_, i) => `server.${i + 1}=127.0.0.1:${free[3 * i + 1]}:${free[3 * i + 2]}`);
    const members = Array.from({ length: servers }, (_, i) => {
      const id = i + 1;
      const dataDir = join(root, `s${id}`, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${id}\n`);
      const cfg = [
        `tickTime=${CLUSTER_TICK_MS}`,
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${dataDir}`,
        `clientPort=${free[3 * i]}`,
        'clientPortAddress=127.0.0.1',
        'maxSessionTimeout=10000',
        `zkts.election=${election}`,
        '4lw.commands.whitelist=*',
        ...peers,
      ];
      const cfgPath = join(root, `s${id}`, 'zoo.cfg');
      writeFileSync(cfgPath, cfg.join('\n') + '\n');
      return new ClusterMember(id, free[3 * i]!, cfgPath, bin);
    });
    const ensemble = new ClusterEnsemble(root, members);
    for (const m of members) m.start();
    return ensemble;
  }

  get connectString(): string {
    return this.members.map((m) => m.connectString).join(',');
  }

  /** Waits until every member runs and serves: one leader, the rest followers. */
  async waitForQuorum(timeoutMs: number, wait: (ms: number) => Promise<void>): Promise<ClusterMember> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const modes = await Promise.all(this.members.map((m) => m.mode()));
      if (modes.filter((x) => x === 'leader').length === 1 && modes.every((x) => x === 'leader' || x === 'follower' || x === 'observer')) {
        return this.members[modes.indexOf('leader')]!;
      }
      if (Date.now() > deadline) {
        const tails = this.members.map((m) => `--- server ${m.id}\n${m.tail().split('\n').slice(-10).join('\n')}`);
        throw new Error(`no quorum of every member within ${timeoutMs} ms: ${modes.map((x, i) => `${i + 1}=${x}`).join(' ')}\n${tails.join('\n')}`);
      }
      await wait(100);
    }
  }

  /** Resumes stopped members and restarts killed ones. */
  heal(): void {
    for (const m of this.members) {
      if (m.stopped) m.resume();
      if (!m.running) m.start();
    }
  }

  /** Kills every member by pid (a stopped one too: SIGKILL ends a stopped process). */
  async killAll(): Promise<void> {
    for (const m of this.members) await m.kill().catch(() => undefined);
  }

  /** Synchronous last resort for exit / SIGINT handlers. */
  killAllNow(): void {
    for (const m of this.members) {
      if (m.running) {
        try {
          process.kill(m.child!.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  removeFiles(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
