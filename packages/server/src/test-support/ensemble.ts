// In-process zkts ensembles for tests: N members over loopback TCP (free ports), each with its
// own dataDir (file storage) in one temp directory, parsed from an ordinary zoo.cfg text.
// stop() is the in-process "kill": the client port and both peer ports close at once.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fourLetterWord, freePort } from '@zkts/tools';
import { parseZooCfg } from '../config/index.js';
import { startEnsembleServer } from '../module.js';
import type { EnsembleRuntime } from '../ensemble/runtime.js';
import type { ServerMode, ZooKeeperServer } from '../zk-server.js';
import { RawClient, type RawConnectOptions } from './raw-client.js';
import { waitableLogger, type WaitableLogger } from './server.js';

export const TEST_TICK_MS = 100;
/** Waiting for a quorum: elections take well under a second; leave room for a loaded machine. */
export const QUORUM_TIMEOUT_MS = 20_000;

export interface EnsembleMemberHandle {
  readonly id: number;
  readonly clientPort: number;
  readonly dataDir: string;
  server: ZooKeeperServer | null;
  runtime: EnsembleRuntime | null;
  logger: WaitableLogger;
  readonly mode: ServerMode | 'down';
  stop(): Promise<void>;
  start(): Promise<void>;
  connect(opts?: RawConnectOptions): Promise<RawClient & { session: { sessionId: bigint; passwd: Uint8Array; timeOut: number } }>;
  word(w: string): Promise<string>;
}

export interface TestEnsemble {
  readonly members: readonly EnsembleMemberHandle[];
  member(id: number): EnsembleMemberHandle;
  waitForQuorum(timeoutMs?: number): Promise<EnsembleMemberHandle>;
  leader(): EnsembleMemberHandle | undefined;
  stop(): Promise<void>;
}

export interface TestEnsembleOptions {
  servers: number;
  observers?: number;
  election?: 'fast' | 'basic';
  extra?: Record<string, string | number | boolean>;
}

/** `count` distinct free loopback ports (freePort alone may hand out the same port twice). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function startTestEnsemble(opts: TestEnsembleOptions): Promise<TestEnsemble> {
  const root = mkdtempSync(join(tmpdir(), 'zkts-ensemble-'));
  const total = opts.servers + (opts.observers ?? 0);
  const ports: Array<{ client: number; quorum: number; election: number }> = [];
  const free = await distinctFreePorts(3 * total);
  for (let i = 0; i < total; i++) ports.push({ client: free[3 * i]!, quorum: free[3 * i + 1]!, election: free[3 * i + 2]! });
  const serverLines = ports.map((p, i) => `server.${i + 1}=127.0.0.1:${p.quorum}:${p.election}${i >= opts.servers ? ':observer' : ''};127.0.0.1:${p.client}`);
  const clients: RawClient[] = [];
  const members: EnsembleMemberHandle[] = ports.map((p, i) => {
    const id = i + 1;
    const dataDir = join(root, `s${id}`);
    mkdirSync(dataDir, { recursive: true });
    const lines: Record<string, string | number | boolean> = {
      tickTime: TEST_TICK_MS,
      initLimit: 20,
      syncLimit: 10,
      dataDir,
      forceSync: 'no',
      maxSessionTimeout: 10_000,
      'zkts.election': opts.election ?? 'fast',
      '4lw.commands.whitelist': '*',
      ...(i >= opts.servers ? { peerType: 'observer' } : {}),
      ...opts.extra,
    };
    const text = [...Object.entries(lines).map(([k, v]) => `${k}=${String(v)}`), ...serverLines].join('\n') + '\n';
    const handle: EnsembleMemberHandle = {
      id,
      clientPort: p.client,
      dataDir,
      server: null,
      runtime: null,
      logger: waitableLogger(),
      get mode() {
        return handle.server?.isRunning ? handle.server.mode : 'down';
      },
      async stop() {
        const s = handle.server;
        handle.server = null;
        handle.runtime = null;
        await s?.stop();
      },
      async start() {
        if (handle.server) return;
        handle.logger = waitableLogger();
        const cfg = parseZooCfg(text, { myid: id, fileName: `zoo${id}.cfg` });
        handle.server = await startEnsembleServer(cfg, {
          logger: handle.logger,
          onRuntime: (r) => {
            handle.runtime = r;
          },
        });
      },
      async connect(o) {
        const c = await RawClient.connect('127.0.0.1', p.client, o);
        clients.push(c);
        return c;
      },
      word: (w) => fourLetterWord('127.0.0.1', p.client, w),
    };
    return handle;
  });
  await Promise.all(members.map((m) => m.start()));
  const ensemble: TestEnsemble = {
    members,
    member: (id) => members[id - 1]!,
    leader: () => members.find((m) => m.mode === 'leader'),
    async waitForQuorum(timeoutMs = QUORUM_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const up = members.filter((m) => m.server?.isRunning);
        const leaders = up.filter((m) => m.mode === 'leader');
        if (leaders.length === 1 && up.every((m) => m.mode === 'leader' || m.mode === 'follower' || m.mode === 'observer')) return leaders[0]!;
        if (Date.now() > deadline) {
          throw new Error(`no quorum within ${timeoutMs} ms: ${members.map((m) => `${m.id}=${m.mode}`).join(' ')}\n${up.map((m) => `--- ${m.id}\n${m.logger.lines.slice(-12).join('\n')}`).join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      for (const c of clients) c.close();
      await Promise.all(members.map((m) => m.stop().catch(() => undefined)));
      rmSync(root, { recursive: true, force: true });
    },
  };
  return ensemble;
}
