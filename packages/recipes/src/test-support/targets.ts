// The servers recipe tests run against: zkts standalone, and Apache ZooKeeper when installed.
import { defaultStandaloneConfig, memoryLogger, startStandaloneServer } from '@zkts/server';
import { referenceZooKeeperAvailable, startReferenceZooKeeper } from '@zkts/tools';

/** Short ticks so sessions may be short (2..20 ticks) and expiry tests quick. */
export const TEST_TICK_MS = 100;

export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly connectString: string;
  stop(): Promise<void>;
}

export interface Target {
  readonly name: 'zkts' | 'zookeeper';
  readonly available: boolean;
  start(): Promise<TestServer>;
}

export const TARGETS: readonly Target[] = [
  {
    name: 'zkts',
    available: true,
    async start() {
      const server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0, tickTimeMs: TEST_TICK_MS }), { logger: memoryLogger() });
      const addr = server.listenAddress!;
      return { host: addr.host, port: addr.port, connectString: `${addr.host}:${addr.port}`, stop: () => server.stop() };
    },
  },
  {
    name: 'zookeeper',
    available: referenceZooKeeperAvailable(),
    async start() {
      const zk = await startReferenceZooKeeper({ tickTime: TEST_TICK_MS });
      return { host: zk.host, port: zk.port, connectString: zk.connectString, stop: () => zk.stop() };
    },
  },
];

let counter = 0;
export function uniqueName(prefix = 'r'): string {
  return `${prefix}${process.pid}_${++counter}_${Math.floor(Math.random() * 1e6)}`;
}

/** Rejects after `ms` unless `p` settles first. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms))),
  ]);
}

/** Resolves once `pred()` holds, polling every few ms (for state that no event announces); rejects after `ms`. */
export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
