// A zkts ensemble of real zkts-server processes for tests: N members on loopback with free
// ports, an ordinary zoo.cfg and dataDir/myid each, all in one temp directory. Members are
// killed by pid; startBin's killLeftovers() catches any a failed test leaves behind.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fourLetterWord, freePort } from '@zkts/tools';
import { startBin, type BinRun } from './bin.js';

export const BIN_TICK_MS = 200;
/** Starting N node processes on 2 busy cores, then one election. */
export const BIN_QUORUM_TIMEOUT_MS = 30_000;

export type BinMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not serving' | 'down';

export interface BinMember {
  readonly id: number;
  readonly clientPort: number;
  readonly connectString: string;
  run: BinRun | null;
  mode(): Promise<BinMode>;
  /** SIGKILL by pid; resolves once the process exited. */
  kill(): Promise<void>;
  start(): void;
}

export interface BinEnsemble {
  readonly members: readonly BinMember[];
  readonly connectString: string;
  waitForQuorum(timeoutMs?: number): Promise<BinMember>;
  stop(): Promise<void>;
}

/** `count` distinct free loopback ports (freePort alone may hand out the same port twice). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function startBinEnsemble(servers: number, election: 'fast' | 'basic', extra: Record<string, string | number> = {}): Promise<BinEnsemble> {
  const root = mkdtempSync(join(tmpdir(), 'zkts-bin-ensemble-'));
  const ports: Array<{ client: number; quorum: number; election: number }> = [];
  const free = await distinctFreePorts(3 * servers);
  for (let i = 0; i < servers; i++) ports.push({ client: free[3 * i]!, quorum: free[3 * i + 1]!, election: free[3 * i + 2]! });
  const members: BinMember[] = ports.map((p, i) => {
    const id = i + 1;
    const dir = join(root, `s${id}`);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${id}\n`);
    const cfg = [
      `tickTime=${BIN_TICK_MS}`,
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${dataDir}`,
      `clientPort=${p.client}`,
      'clientPortAddress=127.0.0.1',
      'maxSessionTimeout=10000',
      `zkts.election=${election}`,
      '4lw.commands.whitelist=*',
      ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
      ...ports.map((q, j) => `server.${j + 1}=127.0.0.1:${q.quorum}:${q.election}`),
    ].join('\n');
    const cfgPath = join(dir, 'zoo.cfg');
    writeFileSync(cfgPath, cfg + '\n');
    const m: BinMember = {
      id,
      clientPort: p.client,
      connectString: `127.0.0.1:${p.client}`,
      run: null,
      async mode() {
        if (!m.run || m.run.child.exitCode !== null || m.run.child.signalCode !== null) return 'down';
        try {
          const srvr = await fourLetterWord('127.0.0.1', p.client, 'srvr', 2000);
          const mode = /Mode: (\S+)/.exec(srvr)?.[1];
          return (mode as BinMode | undefined) ?? 'not serving';
        } catch {
          return 'not serving';
        }
      },
      async kill() {
        const run = m.run;
        m.run = null;
        if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return;
        process.kill(run.child.pid!, 'SIGKILL');
        await run.exited;
      },
      start() {
        m.run = startBin([cfgPath]);
      },
    };
    return m;
  });
  for (const m of members) m.start();
  return {
    members,
    connectString: members.map((m) => m.connectString).join(','),
    async waitForQuorum(timeoutMs = BIN_QUORUM_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      let modes: BinMode[] = [];
      for (;;) {
        modes = await Promise.all(members.map((m) => m.mode()));
        const up = modes.filter((x) => x !== 'down');
        if (up.filter((x) => x === 'leader').length === 1 && up.every((x) => x === 'leader' || x === 'follower' || x === 'observer')) {
          return members[modes.indexOf('leader')]!;
        }
        if (Date.now() > deadline) {
          const tails = members.map((m) => `--- server ${m.id}\n${(m.run?.output() ?? '').split('\n').slice(-15).join('\n')}`);
          throw new Error(`no quorum within ${timeoutMs} ms: ${modes.map((x, i) => `${i + 1}=${x}`).join(' ')}\n${tails.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      for (const m of members) await m.kill().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
