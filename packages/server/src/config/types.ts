/** The validated, frozen result of reading a zoo.cfg. Units are last in field names. */

export type StorageKind = 'file' | 'level' | 'rocksdb' | 'memory';
export type ElectionKind = 'fast' | 'basic';
export type TransportKind = 'tcp';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type PeerRole = 'participant' | 'observer';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** One address triple of a server.N line (more than one only with multiAddress.enabled). */
export interface QuorumAddress {
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
}

/** server.N=host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort] */
export interface QuorumServerConfig {
  readonly id: number;
  /** First address; `addresses` holds all of them ("a|b" multi-address form). */
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly addresses: readonly QuorumAddress[];
  readonly role: PeerRole;
  /** Client address given after ';' on the server line (host defaults to 0.0.0.0). */
  readonly clientAddress: HostPort | undefined;
}

export interface ServerConfig {
  readonly fileName: string;

  // Time and quorum limits.
  readonly tickTimeMs: number;
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  /** 0 means "use initLimit", as in ZooKeeper. */
  readonly connectToLearnerMasterLimitTicks: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;

  // Storage.
  readonly dataDir: string | undefined;
  /** Defaults to dataDir, as in ZooKeeper. */
  readonly dataLogDir: string | undefined;
  readonly snapCount: number;
  readonly snapSizeLimitKb: number;
  readonly preAllocSizeKb: number;
  readonly forceSync: boolean;
  readonly autopurgeSnapRetainCount: number;
  /** 0 disables the purge task. */
  readonly autopurgePurgeIntervalHours: number;

  // Client port.
  /** Where clients connect: clientPortAddress:clientPort, or this server's `;client` part. */
  readonly clientAddress: HostPort | undefined;
  readonly clientPort: number | undefined;
  readonly clientPortAddress: string | undefined;
  readonly secureClientPort: number | undefined;
  readonly secureClientPortAddress: string | undefined;
  /** -1: the platform default backlog. */
  readonly clientPortListenBacklog: number;
  /** Per client IP; 0 = unlimited. */
  readonly maxClientCnxns: number;
  /** Whole server; 0 = unlimited. */
  readonly maxCnxns: number;
  readonly globalOutstandingLimit: number;
  readonly juteMaxBufferBytes: number;

  // Features.
  /** The whitelist as written (['*'] for all); see enabledFourLetterWords for the result. */
  readonly fourLetterWordWhitelist: readonly string[];
  /** Commands actually enabled: the whitelist plus srvr always, plus isro in read-only mode. */
  readonly enabledFourLetterWords: readonly string[];
  readonly extendedTypesEnabled: boolean;
  /** Hard quota limits fail writes with QuotaExceeded (ZooKeeper's zookeeper.enforceQuota; default false). */
  readonly enforceQuota: boolean;
  readonly readOnlyModeEnabled: boolean;
  readonly localSessionsEnabled: boolean;
  readonly localSessionsUpgradingEnabled: boolean;
  readonly skipAcl: boolean;
  readonly auditEnabled: boolean;
  readonly containerCheckIntervalMs: number;
  readonly containerMaxPerMinute: number;

  // Admin server.
  readonly adminEnableServer: boolean;
  readonly adminServerPort: number;
  readonly adminServerAddress: string;

  // Auth.
  /** authProvider.N=className, by N. Stored; zkts chooses providers by scheme. */
  readonly authProviders: Readonly<Record<string, string>>;
  /** DigestAuthenticationProvider.superDigest ("super:base64(sha1)"). */
  readonly superDigest: string | undefined;

  // Metrics.
  readonly metricsProviderClassName: string | undefined;
  /** metricsProvider.<x>=v for every x other than className. */
  readonly metricsProviderConfig: Readonly<Record<string, string>>;

  // Ensemble.
  readonly servers: readonly QuorumServerConfig[];
  /** group.N=id:id:... (hierarchical quorums; stored, not implemented). */
  readonly groups: Readonly<Record<string, readonly number[]>>;
  /** weight.<serverId>=w (stored, not implemented). */
  readonly weights: Readonly<Record<string, number>>;
  /** This server's id (myid); undefined for a standalone server without a myid. */
  readonly serverId: number | undefined;
  /** True when the servers form a quorum (ZooKeeper's isDistributed()). */
  readonly distributed: boolean;
  readonly peerType: PeerRole;
  /** Always 3 (FastLeaderElection); the only value ZooKeeper accepts. See zktsElection. */
  readonly electionAlg: number;
  readonly standaloneEnabled: boolean;
  readonly reconfigEnabled: boolean;
  readonly dynamicConfigFile: string | undefined;
  readonly quorumListenOnAllIps: boolean;
  readonly syncEnabled: boolean;
  readonly sslQuorum: boolean;
  readonly multiAddressEnabled: boolean;
  readonly multiAddressReachabilityCheckEnabled: boolean;
  readonly multiAddressReachabilityCheckTimeoutMs: number;

  // zkts.* choices.
  readonly zktsStorage: StorageKind;
  readonly zktsElection: ElectionKind;
  readonly zktsTransport: TransportKind;
  readonly zktsLogLevel: LogLevel;
  /** A clean stop snapshots the final state (when txns were applied since the last snapshot), so the next start replays nothing. */
  readonly zktsSnapshotOnShutdown: boolean;

  /** Keys accepted but not acted on (zookeeper.*, and ZooKeeper keys zkts does not implement). */
  readonly passThrough: Readonly<Record<string, string>>;
  /** Human-readable notes for the startup log: unimplemented keys, clamped values, duplicates. */
  readonly warnings: readonly string[];
}
