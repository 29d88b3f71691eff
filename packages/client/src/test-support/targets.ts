// The two servers every client test runs against: a zkts standalone server and Apache ZooKeeper
// (when installed). Each listens on 127.0.0.1 with a free port and is stopped by the test.
import { defaultStandaloneConfig, memoryLogger, startStandaloneServer } from '@zkts/server';
import { referenceZooKeeperAvailable, startReferenceZooKeeper } from '@zkts/tools';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly connectString: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  tickTimeMs?: number;
  /** zkts only: listen on this port (a restart on the same address). */
  port?: number;
}

export interface Target {
  readonly name: 'zkts' | 'zookeeper';
  readonly available: boolean;
  /** Whether a new server can be started on a given port (zkts: yes; the reference launcher picks its own). */
  readonly samePortRestart: boolean;
  start(opts?: StartOptions): Promise<TestServer>;
}

/** Short ticks keep expiry tests fast: sessions negotiate into 2..20 ticks. */
export const TEST_TICK_MS = 100;

export const zktsTarget: Target = {
  name: 'zkts',
  available: true,
  samePortRestart: true,
  async start(opts = {}) {
    const server = await startStandaloneServer(
      defaultStandaloneConfig({ clientPort: opts.port ?? 0, extendedTypesEnabled: true, tickTimeMs: opts.tickTimeMs ?? TEST_TICK_MS }),
      { logger: memoryLogger() },
    );
    const addr = server.listenAddress!;
    return { host: addr.host, port: addr.port, connectString: `${addr.host}:${addr.port}`, stop: () => server.stop() };
  },
};

export const referenceTarget: Target = {
  name: 'zookeeper',
  available: referenceZooKeeperAvailable(),
  samePortRestart: false,
  async start(opts = {}) {
    if (opts.port !== undefined) throw new Error('the reference launcher picks its own port');
    const zk = await startReferenceZooKeeper({ tickTime: opts.tickTimeMs ?? TEST_TICK_MS, config: { extendedTypesEnabled: true } });
    return { host: zk.host, port: zk.port, connectString: zk.connectString, stop: () => zk.stop() };
  },
};

export const TARGETS: readonly Target[] = [zktsTarget, referenceTarget];
