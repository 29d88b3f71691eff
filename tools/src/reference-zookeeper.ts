// Starts Debian's Apache ZooKeeper (the reference implementation) on 127.0.0.1 with a free port
// in a temp directory, for differential and compatibility tests. Stopped by pid, never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REFERENCE_ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** How long a reference server may take to answer `ruok` after its JVM starts. */
export const REFERENCE_START_TIMEOUT_MS = 30_000;

export interface ReferenceZooKeeperOptions {
  tickTime?: number;
  minSessionTimeout?: number;
  maxSessionTimeout?: number;
  /** Extra zoo.cfg lines (unknown keys become `zookeeper.<key>` system properties, as in ZooKeeper). */
  config?: Record<string, string | number | boolean>;
  /** Extra JVM system properties, e.g. `znode.container.checkIntervalMs`. */
  systemProperties?: Record<string, string | number | boolean>;
}

export interface ReferenceZooKeeper {
  readonly host: string;
  readonly port: number;
  readonly connectString: string;
  readonly dataDir: string;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

export function referenceZooKeeperAvailable(): boolean {
  return existsSync(REFERENCE_ZOOKEEPER_JAR) && existsSync('/usr/bin/java');
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
/** How many recently handed-out ports freePort remembers (and never hands out again). */
export const FREE_PORT_MEMORY = 4096;
/** Attempts freePort makes before giving up on finding a port it has not handed out recently. */
export const FREE_PORT_ATTEMPTS_MAX = 64;
const recentPorts = new Set<number>();

function bindEphemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A loopback port that was free a moment ago. The OS may hand a just-released port out again, so
 * a caller asking for several ports in a row (quorum + election + client) could get the same one
 * twice: ports handed out by this process are remembered and skipped.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS_MAX; attempt++) {
    const port = await bindEphemeral();
    if (recentPorts.has(port)) continue;
    recentPorts.add(port);
    if (recentPorts.size > FREE_PORT_MEMORY) recentPorts.delete(recentPorts.values().next().value as number);
    return port;
  }
  throw new Error(`freePort: no port that was not handed out recently after ${FREE_PORT_ATTEMPTS_MAX} attempts`);
}

/** Sends a four-letter word and returns the whole answer. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`4lw ${word} timed out`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(word));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startReferenceZooKeeper(opts: ReferenceZooKeeperOptions = {}): Promise<ReferenceZooKeeper> {
  if (!referenceZooKeeperAvailable()) {
    throw new Error(`reference ZooKeeper not installed (${REFERENCE_ZOOKEEPER_JAR}); run tools/install-reference.sh`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'zkts-ref-zk-'));
  const port = await freePort();
  const host = '127.0.0.1';
  const tickTime = opts.tickTime ?? 2000;
  const lines: Record<string, string | number | boolean> = {
    tickTime,
    dataDir,
    clientPort: port,
    clientPortAddress: host,
    maxClientCnxns: 0,
    'admin.enableServer': false,
    '4lw.commands.whitelist': '*',
    forceSync: 'no',
    ...(opts.minSessionTimeout ? { minSessionTimeout: opts.minSessionTimeout } : {}),
    ...(opts.maxSessionTimeout ? { maxSessionTimeout: opts.maxSessionTimeout } : {}),
    ...opts.config,
  };
  const cfg = join(dataDir, 'zoo.cfg');
  writeFileSync(cfg, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  writeFileSync(
    join(dataDir, 'log4j.properties'),
    ['log4j.rootLogger=INFO, F', 'log4j.appender.F=org.apache.log4j.FileAppender', `log4j.appender.F.File=${join(dataDir, 'server.log')}`,
      'log4j.appender.F.layout=org.apache.log4j.PatternLayout', 'log4j.appender.F.layout.ConversionPattern=%d %p [%t] %c{1}: %m%n'].join('\n') + '\n',
  );
  const props = Object.entries(opts.systemProperties ?? {}).map(([k, v]) => `-D${k}=${v}`);
  const logFile = join(dataDir, 'stdout.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    '/usr/bin/java',
    ['-Xmx512m', `-Dlog4j.configuration=file:${join(dataDir, 'log4j.properties')}`, '-Dzookeeper.jmx.log4j.disable=true', ...props,
      '-cp', `${REFERENCE_ZOOKEEPER_JAR}:/usr/share/java/*`, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg],
    { stdio: ['ignore', out, out], detached: false },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGKILL');
      await exited(child);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + REFERENCE_START_TIMEOUT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (child.exitCode !== null) {
      await stop().catch(() => undefined);
      throw new Error(`reference ZooKeeper exited with ${child.exitCode} before serving (see ${logFile})`);
    }
    // ruok says imok before the server serves requests; srvr only once it does.
    const answer = await fourLetterWord(host, port, 'srvr', 2000).catch(() => '');
    if (answer.startsWith('Zookeeper version')) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`reference ZooKeeper did not answer srvr within ${REFERENCE_START_TIMEOUT_MS} ms`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  return { host, port, connectString: `${host}:${port}`, dataDir, pid, logFile, stop };
}
