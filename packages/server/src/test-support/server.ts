// Starts a zkts standalone server for a test on 127.0.0.1:0 with a logger whose lines can be
// awaited, and raw clients against it.
import { createLogger, type Logger } from '../logger.js';
import { defaultStandaloneConfig, type ServerConfig } from '../config/index.js';
import { startStandaloneServer, type ServerParts } from '../module.js';
import type { ZooKeeperServer } from '../zk-server.js';
import { RawClient, type RawConnectOptions } from './raw-client.js';

/** A logger keeping its lines (like memoryLogger) that can also wait for a line. */
export interface WaitableLogger extends Logger {
  readonly lines: string[];
  waitFor(re: RegExp, ms?: number): Promise<string>;
}

export function waitableLogger(): WaitableLogger {
  const lines: string[] = [];
  const waiting: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const logger = createLogger('debug', (line) => {
    lines.push(line);
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i]!.re.test(line)) waiting.splice(i, 1)[0]!.resolve(line);
    }
  }, () => new Date(0));
  const waitFor = (re: RegExp, ms = 5000): Promise<string> => {
    const hit = lines.find((l) => re.test(l));
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const entry = { re, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(entry), 1);
        reject(new Error(`no log line matching ${re} within ${ms} ms; last lines:\n${lines.slice(-15).join('\n')}`));
      }, ms);
      waiting.push(entry);
    });
  };
  return Object.assign(logger, { lines, waitFor });
}

export interface TestServer {
  server: ZooKeeperServer;
  logger: WaitableLogger;
  host: string;
  port: number;
  connect(opts?: RawConnectOptions): ReturnType<typeof RawClient.connect>;
  open(): Promise<RawClient>;
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}, parts: Omit<ServerParts, 'logger'> | ((logger: WaitableLogger) => Omit<ServerParts, 'logger'>) = {}): Promise<TestServer> {
  const logger = waitableLogger();
  if (typeof parts === 'function') parts = parts(logger);
  const server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0, clientPortAddress: '127.0.0.1', ...overrides }), { ...parts, logger });
  const { host, port } = server.listenAddress!;
  const clients: RawClient[] = [];
  return {
    server,
    logger,
    host,
    port,
    async connect(opts) {
      const c = await RawClient.connect(host, port, opts);
      clients.push(c);
      return c;
    },
    async open() {
      const c = await RawClient.open(host, port);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await server.stop();
    },
  };
}
