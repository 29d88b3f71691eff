import * as L from './limits.js';
import type { QuorumServerConfig, ServerConfig } from './types.js';

/** Values only a running server knows; formatConfig prints ZooKeeper's placeholders without them. */
export interface ConfRuntime {
  /** The bound client port (differs from the config when it asked for port 0). */
  clientPort?: number;
  secureClientPort?: number;
  dataDirSizeBytes?: number;
  dataLogSizeBytes?: number;
  /** Quorum config version (hex in the output); 0 for a static config. */
  membershipVersion?: number;
}

/** ZooKeeper keeps its files in a version-2 subdirectory and `conf` prints that path. */
const VERSION_DIR = 'version-2';

const hostString = (h: string): string => (h.includes(':') ? `[${h}]` : h);

/** One membership line value, as ZooKeeper's QuorumServer.toString prints it. */
function serverString(s: QuorumServerConfig): string {
  const addrs = [...s.addresses]
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
    .map((a) => `${hostString(a.host)}:${a.quorumPort}:${a.electionPort}`)
    .join('|');
  const client = s.clientAddress ? `;${hostString(s.clientAddress.host)}:${s.clientAddress.port}` : '';
  return `${addrs}:${s.role}${client}`;
}

/**
 * The text of the `conf` four-letter word for this config, line for line as ZooKeeper 3.8
 * prints it (ZooKeeperServer.dumpConf, plus QuorumZooKeeperServer.dumpConf for ensembles).
 */
export function formatConfig(cfg: ServerConfig, runtime: ConfRuntime = {}): string {
  const dir = (d: string | undefined): string => (d === undefined ? '' : `${d.replace(/\/+$/, '')}/${VERSION_DIR}`);
  const lines = [
    `clientPort=${runtime.clientPort ?? cfg.clientAddress?.port ?? -1}`,
    `secureClientPort=${runtime.secureClientPort ?? cfg.secureClientPort ?? -1}`,
    `dataDir=${dir(cfg.dataDir)}`,
    `dataDirSize=${runtime.dataDirSizeBytes ?? 0}`,
    `dataLogDir=${dir(cfg.dataLogDir)}`,
    `dataLogSize=${runtime.dataLogSizeBytes ?? 0}`,
    `tickTime=${cfg.tickTimeMs}`,
    `maxClientCnxns=${cfg.maxClientCnxns}`,
    `minSessionTimeout=${cfg.minSessionTimeoutMs}`,
    `maxSessionTimeout=${cfg.maxSessionTimeoutMs}`,
    `clientPortListenBacklog=${cfg.clientPortListenBacklog}`,
    // A standalone ZooKeeperServer reports serverId 0.
    `serverId=${cfg.distributed ? cfg.serverId : 0}`,
  ];
  if (!cfg.distributed) return lines.join('\n') + '\n';
  const self = cfg.servers.find((s) => s.id === cfg.serverId)!;
  lines.push(
    `initLimit=${cfg.initLimitTicks}`,
    `syncLimit=${cfg.syncLimitTicks}`,
    `electionAlg=${L.ELECTION_ALG_FAST}`,
    `electionPort=${self.addresses.map((a) => a.electionPort).join('|')}`,
    `quorumPort=${self.addresses.map((a) => a.quorumPort).join('|')}`,
    `peerType=${self.role === 'observer' ? 1 : 0}`, // LearnerType ordinal
    'membership: ',
  );
  for (const s of cfg.servers) lines.push(`server.${s.id}=${serverString(s)}`);
  // ZooKeeper prints the version line without a trailing newline.
  return `${lines.join('\n')}\nversion=${(runtime.membershipVersion ?? 0).toString(16)}`;
}
