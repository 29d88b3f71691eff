// Assembles an ensemble member from a ServerConfig: two TCP peer transports (the quorum and
// election ports of this server's server.N line), the election strategy named by zkts.election,
// and the EnsembleRuntime over the server and its storage.
import { electionStrategyNamed, type ElectionStrategyFactory } from '@zkts/election';
import type { PeerTransport, TransportLogger } from '@zkts/transport';
import { TcpPeerTransport } from '@zkts/transport-tcp';
import { ConfigError, type ServerConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import type { OpenedStorage } from '../storage.js';
import type { ZooKeeperServer } from '../zk-server.js';
import { EnsembleRuntime } from './runtime.js';

/**
 * Largest message on the quorum port: a SNAP carries the whole serialized tree in one message
 * (zab does not chunk it), so a tree whose snapshot exceeds this cannot be sent to a learner.
 */
export const QUORUM_MAX_FRAME_BYTES = 128 * 1024 * 1024;
/** Unsent bytes per peer on the quorum port before the link is reset (twice a full SNAP). */
export const QUORUM_MAX_QUEUED_BYTES = 2 * QUORUM_MAX_FRAME_BYTES;

/** What a caller may replace in an ensemble member (tests: in-memory transports, a strategy). */
export interface EnsembleParts {
  quorumTransport?: PeerTransport;
  electionTransport?: PeerTransport;
  election?: ElectionStrategyFactory;
  /** Called with the runtime once it exists (tests watch its role changes). */
  onRuntime?: (runtime: EnsembleRuntime) => void;
}

function transportLogger(logger: Logger, what: string): TransportLogger {
  return (level, message) => {
    const line = `${what}: ${message}`;
    if (level === 'warn') logger.warn(line);
    else if (level === 'info') logger.info(line);
    else logger.debug(line);
  };
}

/** Opens both peer transports (unless given), starts the runtime and ties it to server.stop(). */
export async function startEnsembleRuntime(cfg: ServerConfig, server: ZooKeeperServer, storage: OpenedStorage, logger: Logger, parts: EnsembleParts): Promise<EnsembleRuntime> {
  const selfId = cfg.serverId!;
  const self = cfg.servers.find((s) => s.id === selfId)!;
  if (!storage.snapshots || !storage.epochs) {
    throw new ConfigError({ fileName: cfg.fileName, key: 'zkts.storage', message: `zkts.storage=${cfg.zktsStorage} has no snapshot or epoch store; an ensemble member needs both` });
  }
  let election: ElectionStrategyFactory;
  try {
    election = parts.election ?? electionStrategyNamed(cfg.zktsElection);
  } catch (e) {
    throw new ConfigError({ fileName: cfg.fileName, key: 'zkts.election', message: (e as Error).message });
  }
  const listenHost = cfg.quorumListenOnAllIps ? '0.0.0.0' : self.host;
  const opened: TcpPeerTransport[] = [];
  const tcp = async (port: (s: (typeof cfg.servers)[number]) => number, what: string): Promise<PeerTransport> => {
    const t = new TcpPeerTransport({
      ...(what === 'quorum' ? { maxFrameBytes: QUORUM_MAX_FRAME_BYTES, maxQueuedBytes: QUORUM_MAX_QUEUED_BYTES } : {}),
      self: selfId,
      peers: new Map(cfg.servers.filter((s) => s.id !== selfId).map((s) => [s.id, { host: s.host, port: port(s) }])),
      listen: { host: listenHost, port: port(self) },
      logger: transportLogger(logger, what),
    });
    opened.push(t);
    await t.listen();
    return t;
  };
  const closeAll = async (): Promise<void> => {
    for (const t of opened) await t.close().catch(() => undefined);
  };
  let quorumTransport: PeerTransport;
  let electionTransport: PeerTransport;
  try {
    quorumTransport = parts.quorumTransport ?? (await tcp((s) => s.quorumPort, 'quorum'));
    electionTransport = parts.electionTransport ?? (await tcp((s) => s.electionPort, 'election'));
  } catch (e) {
    await closeAll();
    throw new Error(`cannot listen on the quorum/election ports of server.${selfId} (${self.host}:${self.quorumPort}:${self.electionPort}): ${(e as Error).message}`);
  }
  const runtime = new EnsembleRuntime({
    selfId,
    voters: cfg.servers.filter((s) => s.role === 'participant').map((s) => s.id),
    observers: cfg.servers.filter((s) => s.role === 'observer').map((s) => s.id),
    tickTimeMs: cfg.tickTimeMs,
    initLimitTicks: cfg.initLimitTicks,
    syncLimitTicks: cfg.syncLimitTicks,
    quorumTransport,
    electionTransport,
    election,
    storage: { txnLog: storage.txnLog, snapshots: storage.snapshots, epochs: storage.epochs },
    server,
    logger,
    readOnlyModeEnabled: cfg.readOnlyModeEnabled,
    extendedTypesEnabled: cfg.extendedTypesEnabled,
  });
  parts.onRuntime?.(runtime);
  server.addStopHook(async () => {
    await runtime.stop();
    await quorumTransport.close();
    await electionTransport.close();
  });
  await runtime.start();
  return runtime;
}
