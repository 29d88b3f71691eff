// The composition root of a standalone server: builds every part from a ServerConfig and wires
// them with tsyringe. The only place (besides apps) that registers implementations.
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { registerAuth, AuthRegistry } from '@zkts/auth';
import { DataTree } from '@zkts/data-tree';
import { TxnLog } from '@zkts/txn-log';
import { registerTcpTransport } from '@zkts/transport-tcp';
import type { ClientListener } from '@zkts/transport';
import { ClientListener as ClientListenerToken } from '@zkts/transport';
import { ConfigError, formatConfig, type ServerConfig } from './config/index.js';
import { createLogger, Logger } from './logger.js';
import { openStorage, type OpenedStorage } from './storage.js';
import { startEnsembleRuntime, type EnsembleParts } from './ensemble/compose.js';
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

/**
 * Registers every part of a standalone server in `container`. Async: a durable backend
 * (zkts.storage=file) is opened and the tree and sessions recovered from it first.
 */
export async function registerStandaloneServer(container: DependencyContainer, cfg: ServerConfig, parts: ServerParts = {}): Promise<void> {
  if (cfg.distributed) {
    throw new ConfigError({ fileName: cfg.fileName, key: 'server.N', message: 'this config describes an ensemble (server.N lines): start it with startServer / startEnsembleServer' });
  }
  await registerServerParts(container, cfg, parts);
}

/** What both a standalone server and an ensemble member register; returns the opened storage. */
async function registerServerParts(container: DependencyContainer, cfg: ServerConfig, parts: ServerParts): Promise<OpenedStorage> {
  const logger = parts.logger ?? createLogger(cfg.zktsLogLevel);
  for (const w of cfg.warnings) logger.warn(w);
  container.register(Logger, { useValue: logger });
  // A caller-supplied log stands in for the configured backend (no recovery, no snapshots).
  const storage = parts.txnLog
    ? { txnLog: parts.txnLog, tree: new DataTree({ extendedTypesEnabled: cfg.extendedTypesEnabled }), sessions: [], snapshotPolicy: undefined }
    : await openStorage(container, cfg, logger, parts.clock);
  container.register(ZkServerOptions, {
    useValue: { ...serverOptionsFromConfig(cfg, parts.clock), recoveredSessions: storage.sessions, snapshotPolicy: storage.snapshotPolicy },
  });
  container.register(TxnLog, { useValue: storage.txnLog });
  container.register(DataTree, { useValue: parts.tree ?? storage.tree });
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
  return storage;
}

/**
 * Builds and starts an ensemble member (server.N lines, myid): the server, its two peer
 * transports and the ZAB/election runtime. Clients are served once a leader is established.
 */
export async function startEnsembleServer(cfg: ServerConfig, parts: ServerParts & EnsembleParts = {}): Promise<ZooKeeperServer> {
  if (!cfg.distributed || cfg.serverId === undefined) {
    throw new ConfigError({ fileName: cfg.fileName, key: 'server.N', message: 'an ensemble member needs server.N lines and a myid' });
  }
  const container = rootContainer.createChildContainer();
  const storage = await registerServerParts(container, cfg, parts);
  const server = container.resolve(ZooKeeperServer);
  try {
    await startEnsembleRuntime(cfg, server, storage, container.resolve<Logger>(Logger), parts);
    await server.start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    await storage.txnLog.close().catch(() => undefined);
    throw e;
  }
  return server;
}

/** Standalone or ensemble member, as the config says. */
export async function startServer(cfg: ServerConfig, parts: ServerParts & EnsembleParts = {}): Promise<ZooKeeperServer> {
  return cfg.distributed ? startEnsembleServer(cfg, parts) : startStandaloneServer(cfg, parts);
}

/** Builds and starts a standalone server in a child container of the root. */
export async function startStandaloneServer(cfg: ServerConfig, parts: ServerParts = {}): Promise<ZooKeeperServer> {
  const container = rootContainer.createChildContainer();
  await registerStandaloneServer(container, cfg, parts);
  const server = container.resolve(ZooKeeperServer);
  try {
    await server.start();
  } catch (e) {
    await container.resolve<TxnLog>(TxnLog).close().catch(() => undefined);
    throw e;
  }
  return server;
}

export { AuthRegistry };
