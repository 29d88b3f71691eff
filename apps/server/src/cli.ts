// zkts-server [zoo.cfg]: starts a server from a ZooKeeper config file — standalone, or an
// ensemble member when it has server.N lines (myid in dataDir/myid) — or on 127.0.0.1:2181
// with the quick-start defaults when no file is given.
// zkts-server <tool> ...: the storage tools (log-dump, snapshot-dump, verify), see tools/.
import {
  ConfigError,
  createLogger,
  defaultStandaloneConfig,
  loadConfigFile,
  startServer,
  VERSION_STRING,
  type ServerConfig,
  type ZooKeeperServer,
} from '@zkts/server';
import { isTool, runTool, TOOLS } from './tools/index.js';

export const USAGE = `usage: zkts-server [zoo.cfg]
  Starts a ZooKeeper-compatible server. With no file: standalone on 127.0.0.1:2181,
  tickTime=2000, durable storage in ./data (zkts.storage=file). Keys are ZooKeeper's
  (see zoo.cfg docs) plus zkts.* (zkts.storage=memory keeps nothing across restarts).
  With server.N=host:quorumPort:electionPort[:observer][;clientPort] lines it runs as an
  ensemble member: myid in dataDir/myid, initLimit/syncLimit required, zkts.election=fast|basic.
  --help      this text
  --version   the version

Storage tools (exit 0 intact, 1 damaged: file and offset named on stderr, 2 bad arguments,
3 storage unreadable, e.g. a database locked by a running server):
${Object.values(TOOLS)
  .map((t) => `  ${t.usage}`)
  .join('\n')}
    log-dump       every log entry (zxid, time, session, cxid, type, fields) and a summary
    snapshot-dump  a snapshot's header, sessions and nodes (stat, data length; data with --data)
    verify         checks every snapshot and log entry, replays them, prints the final tree
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Exit codes scripts can rely on. */
export const EXIT_OK = 0;
export const EXIT_CONFIG = 2;
export const EXIT_START = 1;

/** The quick start (no zoo.cfg): the built-in defaults, durable in ./data under the working directory. */
export const QUICKSTART_STORAGE = { zktsStorage: 'file', dataDir: './data', dataLogDir: './data' } as const;

export type CliResult = { exitCode: number } | { server: ZooKeeperServer };

export async function runServer(argv: readonly string[], io: CliIo = processIo): Promise<CliResult> {
  if (isTool(argv[0])) return { exitCode: await runTool(argv[0]!, argv.slice(1), io) };
  const args = argv.filter((a) => a !== '--');
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return { exitCode: EXIT_OK };
  }
  if (args.includes('--version')) {
    io.out(`zkts-server ${VERSION_STRING}\n`);
    return { exitCode: EXIT_OK };
  }
  const unknown = args.filter((a) => a.startsWith('-'));
  if (unknown.length > 0 || args.length > 1) {
    io.err(`zkts-server: unexpected argument ${unknown[0] ?? args[1]}\n${USAGE}`);
    return { exitCode: EXIT_CONFIG };
  }
  let cfg: ServerConfig;
  try {
    cfg = args[0] === undefined ? defaultStandaloneConfig(QUICKSTART_STORAGE) : loadConfigFile(args[0]);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`zkts-server: invalid configuration: ${e.message}\n`);
      return { exitCode: EXIT_CONFIG };
    }
    io.err(`zkts-server: cannot read configuration: ${(e as Error).message}\n`);
    return { exitCode: EXIT_CONFIG };
  }
  const logger = createLogger(cfg.zktsLogLevel, (line) => io.err(line + '\n'));
  logger.info(`zkts-server ${VERSION_STRING} starting from ${args[0] ?? 'built-in defaults'}`);
  try {
    const server = await startServer(cfg, { logger });
    return { server };
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`zkts-server: invalid configuration: ${e.message}\n`);
      return { exitCode: EXIT_CONFIG };
    }
    logger.error(`cannot start: ${(e as Error).message}`);
    return { exitCode: EXIT_START };
  }
}
