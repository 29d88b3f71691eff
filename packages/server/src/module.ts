// The composition root of a standalone server: builds every part from a ServerConfig and wires
// them with tsyringe. The only place (besides apps) that registers implementations.
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { registerAuth, AuthRegistry } from '@zkts/auth';
import { DataTree } from '@zkts/data-tree';
import { MemoryTxnLog } from '@zkts/storage-memory';
import { TxnLog } from '@zkts/txn-log';
import { registerTcpTransport } from '@zkts/transport-tcp';
import type { ClientListener } from '@zkts/transport';
import { ClientListener as ClientListenerToken } from '@zkts/transport';
import { ConfigError, formatConfig, type ServerConfig } from './config/index.js';
import { createLogger, Logger } from './logger.js';
import { ZkServerOptions, ZooKeeperServer } from './zk-server.js';

/** What a caller may replace when assembling a server (tests, embedding, other transports). */
export interface ServerParts {
  logger?: Logger;
  txnLog?: TxnLog;
  listener?: ClientListener;
  tree?: DataTree;
  clock?: () => number;
}

/** The options the server core takes, derived from a validated config. */
export function serverOptionsFromConfig(cfg: ServerConfig, clock?: () => number): ZkServerOptions {
  const words = cfg.enabledFourLetterWords;
  return {
    serverId: cfg.serverId ?? 0,
    tickTimeMs: cfg.tickTimeMs,
    minSessionTimeoutMs: cfg.minSessionTimeoutMs,
    maxSessionTimeoutMs: cfg.maxSessionTimeoutMs,
    extendedTypesEnabled: cfg.extendedTypesEnabled,
    enforceQuota: cfg.enforceQuota,
    globalOutstandingLimit: cfg.globalOutstandingLimit,
    fourLetterWords: words.includes('*') ? 'all' : new Set(words),
    containerCheckIntervalMs: cfg.containerCheckIntervalMs,
    containerMaxPerMinute: cfg.containerMaxPerMinute,
    superDigest: cfg.superDigest,
    confText: (address) => formatConfig(cfg, address ? { clientPort: address.port } : {}),
    clock,
  };
}

function createTxnLog(cfg: ServerConfig): TxnLog {
  if (cfg.zktsStorage === 'memory') return new MemoryTxnLog();
  throw new ConfigError({
    fileName: cfg.fileName,
    key: 'zkts.storage',
    message: `zkts.storage=${cfg.zktsStorage} is not available yet in this build; use zkts.storage=memory`,
  });
}

/** Registers every part of a standalone server in `container`. */
export function registerStandaloneServer(container: DependencyContainer, cfg: ServerConfig, parts: ServerParts = {}): void {
  if (cfg.distributed) {
    throw new ConfigError({ fileName: cfg.fileName, key: 'server.N', message: 'ensembles (server.N lines) are not available yet in this build; remove them to run standalone' });
  }
  const logger = parts.logger ?? createLogger(cfg.zktsLogLevel);
  for (const w of cfg.warnings) logger.warn(w);
  container.register(Logger, { useValue: logger });
  container.register(ZkServerOptions, { useValue: serverOptionsFromConfig(cfg, parts.clock) });
  container.register(TxnLog, { useValue: parts.txnLog ?? createTxnLog(cfg) });
  container.register(DataTree, { useValue: parts.tree ?? new DataTree({ extendedTypesEnabled: cfg.extendedTypesEnabled }) });
  registerAuth(container, { superDigest: cfg.superDigest });
  if (parts.listener) {
    container.register(ClientListenerToken, { useValue: parts.listener });
  } else {
    const address = cfg.clientAddress ?? { host: '127.0.0.1', port: 2181 };
    registerTcpTransport(container, {
      client: {
        host: address.host,
        port: address.port,
        maxFrameBytes: cfg.juteMaxBufferBytes,
        maxClientCnxns: cfg.maxClientCnxns,
        maxConnections: cfg.maxCnxns,
        logger: (level, message) => (level === 'debug' ? logger.debug(message) : level === 'info' ? logger.info(message) : logger.warn(message)),
      },
    });
  }
  container.register(ZooKeeperServer, { useClass: ZooKeeperServer });
}

/** Builds and starts a standalone server in a child container of the root. */
export async function startStandaloneServer(cfg: ServerConfig, parts: ServerParts = {}): Promise<ZooKeeperServer> {
  const container = rootContainer.createChildContainer();
  registerStandaloneServer(container, cfg, parts);
  const server = container.resolve(ZooKeeperServer);
  await server.start();
  return server;
}

export { AuthRegistry };
