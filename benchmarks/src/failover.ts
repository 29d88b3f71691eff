// Leader failover of a zkts ensemble (zkts-server processes, both election strategies) next to
// Apache ZooKeeper's, with the same probe (failover-reference's measureLeaderFailover): SIGKILL
// the leader, then time until a fresh session's setData succeeds through a survivor. The old
// leader is restarted between trials. Prints per-trial numbers and the median; asserts nothing.
//   node dist/failover.js [--trials 7] [--servers 3|5] [--tick 2000] [--only zkts-fast|zkts-basic|zookeeper]
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  fourLetterWord,
  freePort,
  parseSrvrMode,
  referenceZooKeeperAvailable,
  startReferenceEnsemble,
  type ReferenceEnsemble,
  type ReferenceEnsembleMember,
  type ReferenceServerMode,
} from '@zkts/tools';
import { measureLeaderFailover, writeOnce, type FailoverSample } from './failover-reference.js';

const QUORUM_TIMEOUT_MS = 60_000;
const TRIALS_MAX = 100;
const SERVER_MAIN = fileURLToPath(import.meta.resolve('@zkts/server-app/bundle'));

type Target = 'zkts-fast' | 'zkts-basic' | 'zookeeper';

class ZktsMember implements ReferenceEnsembleMember {
  readonly host = '127.0.0.1';
  readonly role = 'participant' as const;
  private child: ChildProcess | undefined;

  constructor(
    readonly id: number,
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

  spawn(): void {
    const out = openSync(join(this.dir, 'stdout.log'), 'a');
    this.child = spawn(process.execPath, [SERVER_MAIN, join(this.dir, 'zoo.cfg')], { stdio: ['ignore', out, out] });
    closeSync(out);
  }

  async mode(): Promise<ReferenceServerMode> {
    if (!this.running) return 'down';
    return parseSrvrMode(await fourLetterWord(this.host, this.clientPort, 'srvr', 2000).catch(() => ''));
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid!, signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
  }

  /** Starts it again on the same directory and ports; resolves once it serves (follows or leads). */
  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.kill();
    this.spawn();
    const deadline = Date.now() + (opts.timeoutMs ?? QUORUM_TIMEOUT_MS);
    for (;;) {
      const mode = await this.mode();
      if (mode === 'leader' || mode === 'follower') return;
      if (Date.now() > deadline) throw new Error(`server ${this.id} did not rejoin: ${mode}\n${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  logTail(lines = 20): string {
    const file = join(this.dir, 'stdout.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
  }
}

/** `count` distinct free loopback ports (freePort alone may hand out the same port twice). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function startZktsEnsemble(servers: number, tickTimeMs: number, election: 'fast' | 'basic'): Promise<ReferenceEnsemble> {
  const rootDir = mkdtempSync(join(tmpdir(), 'zkts-failover-'));
  const members: ZktsMember[] = [];
  const free = await distinctFreePorts(3 * servers);
  for (let id = 1; id <= servers; id++) members.push(new ZktsMember(id, free[3 * id - 3]!, free[3 * id - 2]!, free[3 * id - 1]!, join(rootDir, `s${id}`)));
  for (const m of members) {
    const dataDir = join(m.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${m.id}\n`);
    const lines = [
      `tickTime=${tickTimeMs}`, 'initLimit=10', 'syncLimit=5', `dataDir=${dataDir}`, `clientPort=${m.clientPort}`, 'clientPortAddress=127.0.0.1',
      'forceSync=no', 'maxClientCnxns=0', '4lw.commands.whitelist=*', `zkts.election=${election}`,
      ...members.map((o) => `server.${o.id}=127.0.0.1:${o.quorumPort}:${o.electionPort}`),
    ];
    writeFileSync(join(m.dir, 'zoo.cfg'), lines.join('\n') + '\n');
    m.spawn();
  }
  const ensemble: ReferenceEnsemble = {
    members,
    connectString: members.map((m) => m.connectString).join(','),
    rootDir,
    member: (id) => members[id - 1]!,
    async leader() {
      for (const m of members) if ((await m.mode()) === 'leader') return m;
      return undefined;
    },
    async waitForQuorum(timeoutMs = QUORUM_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const modes = await Promise.all(members.map((m) => m.mode()));
        // A spawned member whose port is not open yet counts as not serving, not as down.
        const up = modes.filter((x, i) => x !== 'down' || members[i]!.running);
        if (up.filter((x) => x === 'leader').length === 1 && up.every((x) => x === 'leader' || x === 'follower')) return members[modes.indexOf('leader')]!;
        if (Date.now() > deadline) throw new Error(`no quorum: ${modes.join(' ')}\n${members.map((m) => m.logTail(10)).join('\n---\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      for (const m of members) await m.kill();
      rmSync(rootDir, { recursive: true, force: true });
    },
  };
  return ensemble;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function trials(name: string, ensemble: ReferenceEnsemble, count: number): Promise<number[]> {
  const say = (s: string): boolean => process.stdout.write(s + '\n');
  const out: number[] = [];
  try {
    await ensemble.waitForQuorum();
    const first = ensemble.members[0]!;
    const created = await writeOnce({ host: first.host, port: first.clientPort }, { create: true, timeoutMs: 10_000 });
    if (!created.ok) throw new Error(`${name}: could not create the probe node: ${created.why}`);
    for (let t = 1; t <= count; t++) {
      const s: FailoverSample = await measureLeaderFailover(ensemble);
      out.push(s.ms);
      say(`  ${name} trial ${t}: ${s.ms.toFixed(0)} ms (leader ${s.oldLeader} killed, write via ${s.writtenVia}, ${s.attempts} attempts)`);
      await ensemble.member(s.oldLeader).restart();
      await ensemble.waitForQuorum();
    }
  } finally {
    await ensemble.stop();
  }
  say(`${name}: median ${median(out).toFixed(0)} ms, min ${Math.min(...out).toFixed(0)} ms, max ${Math.max(...out).toFixed(0)} ms over ${out.length} trials`);
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (flag: string, fallback: string): string => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  };
  const count = Number(opt('--trials', '7'));
  const servers = Number(opt('--servers', '3'));
  const tickTimeMs = Number(opt('--tick', '2000'));
  const only = opt('--only', '');
  if (!Number.isInteger(count) || count < 1 || count > TRIALS_MAX) throw new Error(`--trials: an integer in 1..${TRIALS_MAX}`);
  if (servers !== 3 && servers !== 5) throw new Error('--servers: 3 or 5');
  if (!Number.isInteger(tickTimeMs) || tickTimeMs < 1) throw new Error('--tick: a positive integer (ms)');
  const targets: Target[] = only ? [only as Target] : ['zkts-fast', 'zkts-basic', 'zookeeper'];
  process.stdout.write(`failover: ${servers} servers, tickTime ${tickTimeMs} ms, forceSync=no; SIGKILL the leader -> first setData through a survivor (fresh session per attempt)\n`);
  const results: Record<string, number> = {};
  for (const target of targets) {
    if (target === 'zookeeper') {
      if (!referenceZooKeeperAvailable()) {
        process.stdout.write('zookeeper: not installed, skipped\n');
        continue;
      }
      const zk = await startReferenceEnsemble({ servers: servers as 3 | 5, tickTimeMs, extraConfig: { forceSync: 'no' } });
      results[target] = median(await trials(target, zk, count));
    } else {
      results[target] = median(await trials(target, await startZktsEnsemble(servers, tickTimeMs, target === 'zkts-fast' ? 'fast' : 'basic'), count));
    }
  }
  process.stdout.write(`medians: ${Object.entries(results).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
