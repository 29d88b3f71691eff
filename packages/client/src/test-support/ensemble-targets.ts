// The ensembles the failover tests run against: Apache ZooKeeper 3.8 (3 voters, when installed)
// and, once zkts-server runs ensembles, zkts. Every member listens on 127.0.0.1 with a free port
// and is stopped by the test.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStandaloneConfig, memoryLogger, parseZooCfg, startEnsembleServer, startStandaloneServer, type ZooKeeperServer } from '@zkts/server';
import { freePort, referenceZooKeeperAvailable, startReferenceEnsemble, startReferenceZooKeeper } from '@zkts/tools';
import type { TestServer } from './targets.js';

/** Short ticks keep elections and restarts quick; sessions negotiate into 2..`MAX_SESSION_TIMEOUT_MS`. */
export const ENSEMBLE_TICK_MS = 200;
/** Above the time one election plus a reconnect takes, so sessions outlive a failover. */
export const ENSEMBLE_MAX_SESSION_TIMEOUT_MS = 10_000;

export interface EnsembleMember {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly connectString: string;
  /** SIGKILL (or the in-process equivalent: no goodbye to peers or clients). */
  kill(): Promise<void>;
  /** Back on the same address and data; resolves once it serves. */
  restart(): Promise<void>;
  readonly running: boolean;
}

export interface TestEnsemble {
  readonly members: readonly EnsembleMember[];
  /** Resolves once one member leads and every running member serves; returns the leader. */
  waitForQuorum(timeoutMs?: number): Promise<EnsembleMember>;
  stop(): Promise<void>;
}

export interface EnsembleTarget {
  readonly name: 'zkts' | 'zookeeper';
  readonly available: boolean;
  /** Why it is skipped, when it is not available. */
  readonly skipReason?: string;
  start(): Promise<TestEnsemble>;
  /**
   * A server of the same implementation that has seen fewer transactions than any client of the
   * ensemble (a fresh standalone): it must refuse those clients, so they move on.
   */
  startBehindServer(): Promise<TestServer>;
}

export const referenceEnsembleTarget: EnsembleTarget = {
  name: 'zookeeper',
  available: referenceZooKeeperAvailable(),
  skipReason: 'Apache ZooKeeper is not installed (tools/install-reference.sh)',
  async start() {
    const ensemble = await startReferenceEnsemble({
      servers: 3,
      tickTimeMs: ENSEMBLE_TICK_MS,
      extraConfig: { maxSessionTimeout: ENSEMBLE_MAX_SESSION_TIMEOUT_MS, extendedTypesEnabled: true },
    });
    const members: EnsembleMember[] = ensemble.members.map((m) => ({
      id: m.id,
      host: m.host,
      port: m.clientPort,
      connectString: m.connectString,
      kill: () => m.kill('SIGKILL'),
      restart: () => m.restart(),
      get running() {
        return m.running;
      },
    }));
    return {
      members,
      async waitForQuorum(timeoutMs) {
        const leader = await ensemble.waitForQuorum(timeoutMs);
        return members.find((m) => m.id === leader.id)!;
      },
      stop: () => ensemble.stop(),
    };
  },
  async startBehindServer() {
    const zk = await startReferenceZooKeeper({ tickTime: ENSEMBLE_TICK_MS });
    return { host: zk.host, port: zk.port, connectString: zk.connectString, stop: () => zk.stop() };
  },
};

// Three in-process zkts ensemble members (startEnsembleServer over loopback TCP, file storage in a
// temp directory). kill() stops a member at once: its client and peer ports close, as when the
// process dies.
export const zktsEnsembleTarget: EnsembleTarget = {
  name: 'zkts',
  available: true,
  async start() {
    const root = mkdtempSync(join(tmpdir(), 'zkts-client-ensemble-'));
    const free = await distinctFreePorts(9);
    const ports = [0, 1, 2].map((i) => ({ client: free[3 * i]!, quorum: free[3 * i + 1]!, election: free[3 * i + 2]! }));
    const servers: Array<ZooKeeperServer | null> = [null, null, null];
    const startMember = async (i: number): Promise<void> => {
      const dataDir = join(root, `s${i + 1}`);
      mkdirSync(dataDir, { recursive: true });
      const text = [
        `tickTime=${ENSEMBLE_TICK_MS}`, 'initLimit=10', 'syncLimit=5', `dataDir=${dataDir}`, 'forceSync=no',
        `maxSessionTimeout=${ENSEMBLE_MAX_SESSION_TIMEOUT_MS}`, 'extendedTypesEnabled=true', '4lw.commands.whitelist=*',
        ...ports.map((p, j) => `server.${j + 1}=127.0.0.1:${p.quorum}:${p.election};127.0.0.1:${p.client}`),
      ].join('\n');
      servers[i] = await startEnsembleServer(parseZooCfg(text, { myid: i + 1 }), { logger: memoryLogger() });
    };
    const serving = (i: number): boolean => servers[i]?.isServing === true;
    const waitUntil = async (cond: () => boolean, timeoutMs: number, what: string): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`zkts ensemble: ${what} not within ${timeoutMs} ms (${servers.map((x, i) => `${i + 1}=${x?.mode ?? 'down'}`).join(' ')})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.all([0, 1, 2].map(startMember));
    const members: EnsembleMember[] = ports.map((p, i) => ({
      id: i + 1,
      host: '127.0.0.1',
      port: p.client,
      connectString: `127.0.0.1:${p.client}`,
      async kill() {
        const s = servers[i];
        servers[i] = null;
        await s?.stop();
      },
      async restart() {
        await servers[i]?.stop();
        await startMember(i);
        await waitUntil(() => serving(i), 30_000, `server ${i + 1} serving`);
      },
      get running() {
        return servers[i] !== null;
      },
    }));
    return {
      members,
      async waitForQuorum(timeoutMs = 30_000) {
        const ok = (): boolean => {
          const up = servers.filter((x) => x !== null);
          return up.filter((x) => x.mode === 'leader').length === 1 && up.every((x) => x.isServing);
        };
        await waitUntil(ok, timeoutMs, 'a quorum');
        return members[servers.findIndex((x) => x?.mode === 'leader')]!;
      },
      async stop() {
        for (const s of servers) await s?.stop().catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
  async startBehindServer() {
    const server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0, tickTimeMs: ENSEMBLE_TICK_MS }), { logger: memoryLogger() });
    const addr = server.listenAddress!;
    return { host: addr.host, port: addr.port, connectString: `${addr.host}:${addr.port}`, stop: () => server.stop() };
  },
};

/** `n` different free ports (freePort may hand back a port it gave before: it holds none). */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < n; tries++) {
    if (tries > n * 20) throw new Error(`could not find ${n} distinct free ports`);
    ports.add(await freePort());
  }
  return [...ports];
}

export const ENSEMBLE_TARGETS: readonly EnsembleTarget[] = [referenceEnsembleTarget, zktsEnsembleTarget];
