/** Limits and defaults for zoo.cfg values, in one place. ZooKeeper's defaults unless noted. */

/** Java int range: ZooKeeper parses most values with Integer.parseInt. */
export const INT32_MAX = 2_147_483_647;
export const INT32_MIN = -2_147_483_648;
export const PORT_MIN = 1;
export const PORT_MAX = 65_535;
/** zkts puts the server id in the top byte of session ids, so ids are 1..255. */
export const SERVER_ID_MIN = 1;
export const SERVER_ID_MAX = 255;
/** ZooKeeper's PurgeTxnLog refuses to keep fewer than 3 snapshots. */
export const SNAP_RETAIN_COUNT_MIN = 3;
/** ZooKeeper raises snapCount below 2 to 2. */
export const SNAP_COUNT_MIN = 2;
/** The only electionAlg ZooKeeper 3.6+ accepts (FastLeaderElection). */
export const ELECTION_ALG_FAST = 3;

export const DEFAULT_TICK_TIME_MS = 3000; // ZooKeeperServer.DEFAULT_TICK_TIME, when zoo.cfg omits it
export const QUICKSTART_TICK_TIME_MS = 2000; // conf/zoo_sample.cfg
export const QUICKSTART_CLIENT_PORT = 2181;
export const QUICKSTART_CLIENT_HOST = '127.0.0.1';
export const MIN_SESSION_TIMEOUT_TICKS = 2;
export const MAX_SESSION_TIMEOUT_TICKS = 20;
export const DEFAULT_MAX_CLIENT_CNXNS = 60;
export const DEFAULT_MAX_CNXNS = 0;
export const DEFAULT_GLOBAL_OUTSTANDING_LIMIT = 1000;
export const DEFAULT_SNAP_COUNT = 100_000;
export const DEFAULT_SNAP_SIZE_LIMIT_KB = 4_194_304; // 4 GiB
export const DEFAULT_PREALLOC_SIZE_KB = 65_536; // 64 MiB
export const DEFAULT_SNAP_RETAIN_COUNT = 3;
export const DEFAULT_PURGE_INTERVAL_HOURS = 0;
export const DEFAULT_JUTE_MAXBUFFER_BYTES = 0xfffff;
export const DEFAULT_CLIENT_PORT_LISTEN_BACKLOG = -1;
export const DEFAULT_ADMIN_SERVER_PORT = 8080;
export const DEFAULT_ADMIN_SERVER_ADDRESS = '0.0.0.0';
export const DEFAULT_CONTAINER_CHECK_INTERVAL_MS = 60_000;
export const DEFAULT_CONTAINER_MAX_PER_MINUTE = 10_000;
export const DEFAULT_MULTI_ADDRESS_REACHABILITY_TIMEOUT_MS = 1000;
export const WILDCARD_HOST = '0.0.0.0';

/** Every four-letter word ZooKeeper 3.8 knows. */
export const FOUR_LETTER_WORDS: readonly string[] = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'isro', 'mntr',
  'ruok', 'srst', 'srvr', 'stat', 'stmk', 'wchc', 'wchp', 'wchs',
];

export const STORAGE_KINDS = ['file', 'level', 'rocksdb', 'memory'] as const;
export const DURABLE_STORAGE_KINDS: readonly string[] = ['file', 'level', 'rocksdb'];
export const ELECTION_KINDS = ['fast', 'basic'] as const;
export const TRANSPORT_KINDS = ['tcp'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/**
 * ZooKeeper keys (zoo.cfg keys or system properties it picks up from zoo.cfg) that zkts accepts
 * so an existing config starts, but does not act on: each one yields a warning.
 */
export const UNIMPLEMENTED_KEYS: ReadonlySet<string> = new Set([
  'observerMasterPort', 'portUnification', 'sslQuorumReloadCertFiles', 'oraclePath',
  'quorum.auth.enableSasl', 'quorum.auth.learnerRequireSasl', 'quorum.auth.serverRequireSasl',
  'quorum.auth.learner.saslLoginContext', 'quorum.auth.server.saslLoginContext',
  'quorum.auth.kerberos.servicePrincipal', 'quorum.cnxn.threads.size', 'quorum.cnxn.timeout',
  'jvm.pause.info-threshold.ms', 'jvm.pause.warn-threshold.ms', 'jvm.pause.sleep.time.ms',
  'jvm.pause.monitor', 'serverCnxnFactory', 'maxResponseCacheSize', 'maxGetChildrenResponseCacheSize',
  'fsync.warningthresholdms', 'txnLogSizeLimitInKb', 'commitLogCount', 'snapshot.trust.empty',
  'snapshot.compression.method', 'digest.enabled', 'watchManagerName', 'flushDelay',
  'maxWriteQueuePollTime', 'maxBatchSize', 'requestThrottleLimit', 'requestThrottleStallTime',
  'requestThrottleDropStale', 'largeRequestMaxBytes', 'largeRequestThreshold',
  'outstandingHandshake.limit', 'netty.server.outstandingHandshake.limit', 'learner.asyncSending',
  'learner.closeSocketAsync', 'leader.closeSocketAsync',
  'forward_learner_requests_to_commit_processor_disabled', 'enforceQuota', 'cnxTimeout',
  'electionPortBindRetry', 'tcpKeepAlive', 'clientTcpKeepAlive', 'sessionRequireClientSASLAuth',
  'enforce.auth.enabled', 'enforce.auth.schemes', 'superUser', 'X509AuthenticationProvider.superUser',
  'serializeLastProcessedZxid.enabled', 'closeSessionTxn.enabled', 'admin.idleTimeout',
  'admin.commandURL', 'admin.portUnification', 'admin.forceHttps', 'admin.needClientAuth',
  'admin.rateLimiterIntervalInMs', 'admin.snapshot.enabled', 'admin.restore.enabled',
  'connection_throttle_tokens', 'connection_throttle_fill_time', 'connection_throttle_fill_count',
  'connection_throttle_freeze_time', 'connection_throttle_drop_increase',
  'connection_throttle_drop_decrease', 'connection_throttle_decrease_ratio',
  'connection_throttle_weight_enabled', 'connection_throttle_global_session_weight',
  'connection_throttle_local_session_weight', 'connection_throttle_renew_session_weight',
  'kerberos.removeHostFromPrincipal', 'kerberos.removeRealmFromPrincipal',
  'kerberos.canonicalizeHostNames', 'nio.numSelectorThreads', 'nio.numWorkerThreads',
  'nio.directBufferBytes', 'nio.shutdownTimeout', 'nio.sessionlessCnxnTimeout', 'fips-mode',
  'clientCnxnSocket',
]);

/** Families of ZooKeeper keys with open-ended names: accepted with a warning. */
export const UNIMPLEMENTED_PREFIXES: readonly string[] = ['ssl.'];
