/**
 * zoo.cfg text -> validated, frozen ServerConfig. Pure: no file access; the caller passes file
 * contents it has read (dataDir/myid, the dynamic config file) in `opts.files`.
 */
import { ConfigError } from './errors.js';
import * as L from './limits.js';
import { parseProperties, javaTrim, type PropertyEntry } from './properties.js';
import type {
  ElectionKind, HostPort, LogLevel, PeerRole, QuorumAddress, QuorumServerConfig, ServerConfig,
  StorageKind, TransportKind,
} from './types.js';

export interface ParseOptions {
  /** Name used in error messages; default "zoo.cfg". */
  fileName?: string;
  /** This server's id; otherwise read from files[`${dataDir}/myid`]. */
  myid?: number;
  /** File contents by path, for dataDir/myid and dynamicConfigFile lookups. */
  files?: Readonly<Record<string, string>>;
}

/** The path of the myid file for a dataDir (both the parser and the loader use it). */
export function myidPath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}/myid`;
}

type Draft = { -readonly [K in keyof ServerConfig]: ServerConfig[K] };

interface Ctx {
  fileName: string;
  warnings: string[];
}

const fail = (ctx: Ctx, e: PropertyEntry | undefined, key: string, message: string): never => {
  throw new ConfigError({ fileName: ctx.fileName, key, line: e?.line, message });
};

const bad = (ctx: Ctx, e: PropertyEntry, expected: string): never =>
  fail(ctx, e, e.key, `${e.key} must be ${expected}, got "${e.value}"`);

function int(ctx: Ctx, e: PropertyEntry, min: number, max: number, expected: string): number {
  if (!/^[+-]?\d+$/.test(e.value)) return bad(ctx, e, expected);
  const n = Number(e.value);
  if (n < min || n > max) return bad(ctx, e, expected);
  return n;
}

/** Integer.decode form (decimal, 0x hex, # hex), used where ZooKeeper reads Integer.getInteger. */
function decodedInt(ctx: Ctx, e: PropertyEntry, min: number, max: number, expected: string): number {
  const m = /^([+-]?)(0[xX]|#)([0-9a-fA-F]+)$/.exec(e.value);
  if (!m) return int(ctx, e, min, max, expected);
  const n = (m[1] === '-' ? -1 : 1) * parseInt(m[3]!, 16);
  if (n < min || n > max) return bad(ctx, e, expected);
  return n;
}

const port = (ctx: Ctx, e: PropertyEntry): number =>
  int(ctx, e, L.PORT_MIN, L.PORT_MAX, `a port number (${L.PORT_MIN}..${L.PORT_MAX})`);

/** Case-insensitive true/false, as QuorumPeerConfig.parseBoolean; anything else is an error. */
function bool(ctx: Ctx, e: PropertyEntry): boolean {
  const v = e.value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return bad(ctx, e, 'true or false');
}

/** forceSync / skipACL are read by ZooKeeper as "yes"/"no"; true/false are accepted too. */
function yesNo(ctx: Ctx, e: PropertyEntry): boolean {
  const v = e.value.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return bad(ctx, e, 'yes or no');
}

function oneOf<T extends string>(ctx: Ctx, e: PropertyEntry, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(e.value)) return e.value as T;
  return bad(ctx, e, `one of ${allowed.join('|')}`);
}

function nonEmpty(ctx: Ctx, e: PropertyEntry, expected = 'a non-empty value'): string {
  if (e.value.length === 0) return bad(ctx, e, expected);
  return e.value;
}

function host(ctx: Ctx, e: PropertyEntry): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[^\s\[\]]+)$/.test(e.value)) return bad(ctx, e, 'a host name or IP address');
  return e.value.replace(/^\[(.*)\]$/, '$1');
}

/** Key handlers for the plain (non-indexed) keys. */
const HANDLERS: Readonly<Record<string, (ctx: Ctx, e: PropertyEntry, d: Draft) => void>> = {
  tickTime: (c, e, d) => { d.tickTimeMs = int(c, e, 1, L.INT32_MAX, 'a positive integer (milliseconds)'); },
  initLimit: (c, e, d) => { d.initLimitTicks = int(c, e, 1, L.INT32_MAX, 'a positive integer (ticks)'); },
  syncLimit: (c, e, d) => { d.syncLimitTicks = int(c, e, 1, L.INT32_MAX, 'a positive integer (ticks)'); },
  connectToLearnerMasterLimit: (c, e, d) => {
    d.connectToLearnerMasterLimitTicks = int(c, e, 0, L.INT32_MAX, 'an integer >= 0 (ticks; 0 = use initLimit)');
  },
  minSessionTimeout: (c, e, d) => { d.minSessionTimeoutMs = int(c, e, 1, L.INT32_MAX, 'a positive integer (milliseconds)'); },
  maxSessionTimeout: (c, e, d) => { d.maxSessionTimeoutMs = int(c, e, 1, L.INT32_MAX, 'a positive integer (milliseconds)'); },
  dataDir: (c, e, d) => { d.dataDir = nonEmpty(c, e, 'a directory path'); },
  dataLogDir: (c, e, d) => { d.dataLogDir = nonEmpty(c, e, 'a directory path'); },
  snapCount: (c, e, d) => { d.snapCount = int(c, e, L.SNAP_COUNT_MIN, L.INT32_MAX, `an integer >= ${L.SNAP_COUNT_MIN} (transactions)`); },
  snapSizeLimitInKb: (c, e, d) => {
    d.snapSizeLimitKb = int(c, e, L.INT32_MIN, L.INT32_MAX, 'an integer (kilobytes; <= 0 disables the size trigger)');
  },
  preAllocSize: (c, e, d) => { d.preAllocSizeKb = int(c, e, 1, L.INT32_MAX, 'a positive integer (kilobytes)'); },
  forceSync: (c, e, d) => { d.forceSync = yesNo(c, e); },
  'autopurge.snapRetainCount': (c, e, d) => {
    const n = int(c, e, 1, L.INT32_MAX, 'a positive integer (snapshots)');
    if (n < L.SNAP_RETAIN_COUNT_MIN) {
      // ZooKeeper raises it the same way (PurgeTxnLog keeps at least 3); say so rather than fail.
      c.warnings.push(`${c.fileName}:${e.line}: autopurge.snapRetainCount ${n} raised to the minimum ${L.SNAP_RETAIN_COUNT_MIN}`);
      d.autopurgeSnapRetainCount = L.SNAP_RETAIN_COUNT_MIN;
    } else d.autopurgeSnapRetainCount = n;
  },
  'autopurge.purgeInterval': (c, e, d) => {
    d.autopurgePurgeIntervalHours = int(c, e, 0, L.INT32_MAX, 'an integer >= 0 (hours; 0 disables purging)');
  },
  clientPort: (c, e, d) => { d.clientPort = port(c, e); },
  clientPortAddress: (c, e, d) => { d.clientPortAddress = host(c, e); },
  secureClientPort: (c, e, d) => { d.secureClientPort = port(c, e); },
  secureClientPortAddress: (c, e, d) => { d.secureClientPortAddress = host(c, e); },
  clientPortListenBacklog: (c, e, d) => {
    const n = int(c, e, -1, L.INT32_MAX, 'a positive integer (connections), or -1 for the default');
    if (n === 0) bad(c, e, 'a positive integer (connections), or -1 for the default');
    d.clientPortListenBacklog = n;
  },
  maxClientCnxns: (c, e, d) => { d.maxClientCnxns = int(c, e, 0, L.INT32_MAX, 'an integer >= 0 (connections per client IP; 0 = unlimited)'); },
  maxCnxns: (c, e, d) => { d.maxCnxns = int(c, e, 0, L.INT32_MAX, 'an integer >= 0 (connections; 0 = unlimited)'); },
  globalOutstandingLimit: (c, e, d) => {
    d.globalOutstandingLimit = decodedInt(c, e, 1, L.INT32_MAX, 'a positive integer (requests)');
  },
  'jute.maxbuffer': (c, e, d) => {
    d.juteMaxBufferBytes = decodedInt(c, e, 1, L.INT32_MAX, 'a positive integer (bytes, decimal or 0x hex)');
  },
  '4lw.commands.whitelist': (c, e, d) => { d.fourLetterWordWhitelist = parseWhitelist(c, e); },
  extendedTypesEnabled: (c, e, d) => { d.extendedTypesEnabled = bool(c, e); },
  // ZooKeeper's zookeeper.enforceQuota system property (3.7+): hard quotas fail writes only when true.
  enforceQuota: (c, e, d) => { d.enforceQuota = bool(c, e); },
  'readonlymode.enabled': (c, e, d) => { d.readOnlyModeEnabled = bool(c, e); },
  localSessionsEnabled: (c, e, d) => { d.localSessionsEnabled = bool(c, e); },
  localSessionsUpgradingEnabled: (c, e, d) => { d.localSessionsUpgradingEnabled = bool(c, e); },
  skipACL: (c, e, d) => { d.skipAcl = yesNo(c, e); },
  'audit.enable': (c, e, d) => { d.auditEnabled = bool(c, e); },
  'znode.container.checkIntervalMs': (c, e, d) => {
    d.containerCheckIntervalMs = int(c, e, 1, L.INT32_MAX, 'a positive integer (milliseconds)');
  },
  'znode.container.maxPerMinute': (c, e, d) => {
    d.containerMaxPerMinute = int(c, e, 1, L.INT32_MAX, 'a positive integer (containers per minute)');
  },
  'admin.enableServer': (c, e, d) => { d.adminEnableServer = bool(c, e); },
  'admin.serverPort': (c, e, d) => { d.adminServerPort = port(c, e); },
  'admin.serverAddress': (c, e, d) => { d.adminServerAddress = host(c, e); },
  'DigestAuthenticationProvider.superDigest': (c, e, d) => {
    if (!/^[^:\s]+:\S+$/.test(e.value)) bad(c, e, 'user:base64(sha1(user:password)), e.g. super:<digest>');
    d.superDigest = e.value;
  },
  'metricsProvider.className': (c, e, d) => {
    d.metricsProviderClassName = nonEmpty(c, e, 'a class name');
    c.warnings.push(`${c.fileName}:${e.line}: metricsProvider.className is a Java class; zkts stores it but serves its own metrics`);
  },
  peerType: (c, e, d) => {
    const v = e.value.toLowerCase();
    if (v !== 'observer' && v !== 'participant') bad(c, e, 'observer or participant');
    d.peerType = v as PeerRole;
  },
  electionAlg: (c, e, d) => {
    d.electionAlg = int(c, e, L.ELECTION_ALG_FAST, L.ELECTION_ALG_FAST,
      `${L.ELECTION_ALG_FAST} (the only value ZooKeeper supports; choose zkts's algorithm with zkts.election)`);
  },
  standaloneEnabled: (c, e, d) => { d.standaloneEnabled = bool(c, e); },
  reconfigEnabled: (c, e, d) => { d.reconfigEnabled = bool(c, e); },
  dynamicConfigFile: (c, e, d) => { d.dynamicConfigFile = nonEmpty(c, e, 'a file path'); },
  quorumListenOnAllIPs: (c, e, d) => { d.quorumListenOnAllIps = bool(c, e); },
  syncEnabled: (c, e, d) => { d.syncEnabled = bool(c, e); },
  sslQuorum: (c, e, d) => {
    d.sslQuorum = bool(c, e);
    if (d.sslQuorum) c.warnings.push(`${c.fileName}:${e.line}: sslQuorum is not implemented by zkts (its peer protocol is its own); ignored`);
  },
  'multiAddress.enabled': (c, e, d) => { d.multiAddressEnabled = bool(c, e); },
  'multiAddress.reachabilityCheckEnabled': (c, e, d) => { d.multiAddressReachabilityCheckEnabled = bool(c, e); },
  'multiAddress.reachabilityCheckTimeoutMs': (c, e, d) => {
    d.multiAddressReachabilityCheckTimeoutMs = int(c, e, 1, L.INT32_MAX, 'a positive integer (milliseconds)');
  },
  'zkts.storage': (c, e, d) => { d.zktsStorage = oneOf<StorageKind>(c, e, L.STORAGE_KINDS); },
  'zkts.election': (c, e, d) => { d.zktsElection = oneOf<ElectionKind>(c, e, L.ELECTION_KINDS); },
  'zkts.transport': (c, e, d) => { d.zktsTransport = oneOf<TransportKind>(c, e, L.TRANSPORT_KINDS); },
  'zkts.logLevel': (c, e, d) => { d.zktsLogLevel = oneOf<LogLevel>(c, e, L.LOG_LEVELS); },
  'zkts.snapshotOnShutdown': (c, e, d) => { d.zktsSnapshotOnShutdown = bool(c, e); },
};

function parseWhitelist(ctx: Ctx, e: PropertyEntry): string[] {
  const words = e.value.split(',').map(javaTrim).filter((w) => w.length > 0);
  if (words.includes('*')) return ['*'];
  for (const w of words) {
    // ZooKeeper silently ignores unknown words; a typo here would silently disable a command.
    if (!L.FOUR_LETTER_WORDS.includes(w)) {
      fail(ctx, e, e.key, `${e.key} must be * or a comma-separated list of ${L.FOUR_LETTER_WORDS.join(', ')}; "${w}" is not a four-letter word`);
    }
  }
  return [...new Set(words)];
}

function enabledWords(whitelist: readonly string[], readOnly: boolean): string[] {
  const set = new Set(whitelist.includes('*') ? L.FOUR_LETTER_WORDS : whitelist);
  if (readOnly) set.add('isro'); // ZooKeeper: read-only mode depends on isro
  set.add('srvr'); // ZooKeeper: zkServer.sh status depends on srvr, always on
  return [...set].sort();
}

const SERVER_FORM =
  'host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort] (addresses separated by | with multiAddress.enabled)';

/** Splits "host:p:p[:type]" honouring [ipv6] hosts (ZooKeeper's ConfigUtils.getHostAndPort). */
function splitHostParts(s: string): string[] | undefined {
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    const hostPart = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (rest === '') return [hostPart];
    if (!rest.startsWith(':')) return undefined;
    return [hostPart, ...rest.slice(1).split(':')];
  }
  return s.split(':');
}

function parsePortPart(ctx: Ctx, e: PropertyEntry, raw: string | undefined, what: string): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < L.PORT_MIN || Number(raw) > L.PORT_MAX) {
    return fail(ctx, e, e.key, `${e.key}: ${what} must be a port number (${L.PORT_MIN}..${L.PORT_MAX}), got "${raw ?? ''}" in "${e.value}"`);
  }
  return Number(raw);
}

function parseServer(ctx: Ctx, e: PropertyEntry, id: number, multiAddressEnabled: boolean): QuorumServerConfig {
  const wrongForm = (): never => fail(ctx, e, e.key, `${e.key} must be ${SERVER_FORM}, got "${e.value}"`);
  const semi = e.value.split(';');
  if (semi.length > 2) wrongForm();
  let clientAddress: HostPort | undefined;
  if (semi.length === 2) {
    const parts = splitHostParts(javaTrim(semi[1]!));
    if (!parts || parts.length > 2 || parts.some((p) => p === '')) return wrongForm();
    const clientHost = parts.length === 2 ? parts[0]! : L.WILDCARD_HOST;
    clientAddress = { host: clientHost, port: parsePortPart(ctx, e, parts[parts.length - 1], 'client port') };
  }
  const rawAddresses = semi[0]!.split('|').map(javaTrim);
  if (rawAddresses.length > 1 && !multiAddressEnabled) {
    fail(ctx, e, e.key, `${e.key} lists ${rawAddresses.length} addresses but multiAddress.enabled is not true`);
  }
  const addresses: QuorumAddress[] = [];
  let role: PeerRole | undefined;
  for (const raw of rawAddresses) {
    const parts = splitHostParts(raw);
    if (!parts || parts.length < 3 || parts.length > 4 || parts[0] === '') return wrongForm();
    const quorumPort = parsePortPart(ctx, e, parts[1], 'quorum port');
    const electionPort = parsePortPart(ctx, e, parts[2], 'election port');
    if (quorumPort === electionPort) {
      fail(ctx, e, e.key, `${e.key}: quorum port and election port must differ, both are ${quorumPort}`);
    }
    if (parts.length === 4) {
      const t = parts[3]!.toLowerCase();
      if (t !== 'participant' && t !== 'observer') {
        fail(ctx, e, e.key, `${e.key}: peer type must be participant or observer, got "${parts[3]}"`);
      }
      if (role !== undefined && role !== t) fail(ctx, e, e.key, `${e.key}: all addresses of one server must have the same peer type`);
      role = t as PeerRole;
    }
    addresses.push({ host: parts[0]!, quorumPort, electionPort });
  }
  const first = addresses[0]!;
  return {
    id, host: first.host, quorumPort: first.quorumPort, electionPort: first.electionPort,
    addresses, role: role ?? 'participant', clientAddress,
  };
}

function indexedId(ctx: Ctx, e: PropertyEntry, prefix: string): number {
  const raw = e.key.slice(prefix.length);
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= L.SERVER_ID_MIN && n <= L.SERVER_ID_MAX)) {
    fail(ctx, e, e.key, `${e.key}: server id must be an integer ${L.SERVER_ID_MIN}..${L.SERVER_ID_MAX}, got "${raw}"`);
  }
  return n;
}

/** Known keys, for "did you mean" hints on unknown ones. */
const KNOWN_KEYS = [...Object.keys(HANDLERS), 'server.N', 'group.N', 'weight.N', 'authProvider.N'];

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function suggestion(key: string): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of KNOWN_KEYS) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean ${best}?)` : '';
}

function baseDraft(fileName: string): Draft {
  return {
    fileName,
    tickTimeMs: L.DEFAULT_TICK_TIME_MS,
    initLimitTicks: 0,
    syncLimitTicks: 0,
    connectToLearnerMasterLimitTicks: 0,
    minSessionTimeoutMs: -1, // derived from tickTime when left unset
    maxSessionTimeoutMs: -1,
    dataDir: undefined,
    dataLogDir: undefined,
    snapCount: L.DEFAULT_SNAP_COUNT,
    snapSizeLimitKb: L.DEFAULT_SNAP_SIZE_LIMIT_KB,
    preAllocSizeKb: L.DEFAULT_PREALLOC_SIZE_KB,
    forceSync: true,
    autopurgeSnapRetainCount: L.DEFAULT_SNAP_RETAIN_COUNT,
    autopurgePurgeIntervalHours: L.DEFAULT_PURGE_INTERVAL_HOURS,
    clientAddress: undefined,
    clientPort: undefined,
    clientPortAddress: undefined,
    secureClientPort: undefined,
    secureClientPortAddress: undefined,
    clientPortListenBacklog: L.DEFAULT_CLIENT_PORT_LISTEN_BACKLOG,
    maxClientCnxns: L.DEFAULT_MAX_CLIENT_CNXNS,
    maxCnxns: L.DEFAULT_MAX_CNXNS,
    globalOutstandingLimit: L.DEFAULT_GLOBAL_OUTSTANDING_LIMIT,
    juteMaxBufferBytes: L.DEFAULT_JUTE_MAXBUFFER_BYTES,
    fourLetterWordWhitelist: ['srvr'],
    enabledFourLetterWords: [],
    extendedTypesEnabled: false,
    enforceQuota: false,
    readOnlyModeEnabled: false,
    localSessionsEnabled: false,
    localSessionsUpgradingEnabled: false,
    skipAcl: false,
    auditEnabled: false,
    containerCheckIntervalMs: L.DEFAULT_CONTAINER_CHECK_INTERVAL_MS,
    containerMaxPerMinute: L.DEFAULT_CONTAINER_MAX_PER_MINUTE,
    adminEnableServer: true,
    adminServerPort: L.DEFAULT_ADMIN_SERVER_PORT,
    adminServerAddress: L.DEFAULT_ADMIN_SERVER_ADDRESS,
    authProviders: {},
    superDigest: undefined,
    metricsProviderClassName: undefined,
    metricsProviderConfig: {},
    servers: [],
    groups: {},
    weights: {},
    serverId: undefined,
    distributed: false,
    peerType: 'participant',
    electionAlg: L.ELECTION_ALG_FAST,
    standaloneEnabled: true,
    reconfigEnabled: false,
    dynamicConfigFile: undefined,
    quorumListenOnAllIps: false,
    syncEnabled: true,
    sslQuorum: false,
    multiAddressEnabled: false,
    multiAddressReachabilityCheckEnabled: true,
    multiAddressReachabilityCheckTimeoutMs: L.DEFAULT_MULTI_ADDRESS_REACHABILITY_TIMEOUT_MS,
    // A zoo.cfg names a dataDir and expects it to be durable, as ZooKeeper makes it.
    zktsStorage: 'file',
    zktsElection: 'fast',
    zktsTransport: 'tcp',
    zktsLogLevel: 'info',
    zktsSnapshotOnShutdown: true,
    passThrough: {},
    warnings: [],
  };
}

const isMembershipKey = (k: string): boolean =>
  k.startsWith('server.') || k.startsWith('group.') || k.startsWith('weight.');

/** Parses a zoo.cfg. Throws ConfigError naming the key, line, bad value and what is expected. */
export function parseZooCfg(text: string, opts: ParseOptions = {}): ServerConfig {
  const fileName = opts.fileName ?? 'zoo.cfg';
  const warnings: string[] = [];
  const ctx: Ctx = { fileName, warnings };
  const d = baseDraft(fileName);

  // Java Properties keeps the last of duplicate keys; we do too, and say so.
  const byKey = new Map<string, PropertyEntry>();
  for (const e of parseProperties(text, fileName)) {
    const prev = byKey.get(e.key);
    if (prev) warnings.push(`${fileName}:${e.line}: ${e.key} repeats line ${prev.line}; the last value wins`);
    byKey.set(e.key, e);
  }
  let entries = [...byKey.values()].sort((a, b) => a.line - b.line);

  const dynamic = byKey.get('dynamicConfigFile');
  if (dynamic && dynamic.value !== '') {
    const inMain = entries.find((e) => isMembershipKey(e.key));
    if (inMain) fail(ctx, inMain, inMain.key, `${inMain.key} must be in the dynamic config file ${dynamic.value}, not in ${fileName}`);
    const dynText = opts.files?.[dynamic.value];
    if (dynText === undefined) fail(ctx, dynamic, dynamic.key, `dynamicConfigFile ${dynamic.value} could not be read`);
    const dynCtx: Ctx = { fileName: dynamic.value, warnings };
    for (const e of parseProperties(dynText!, dynamic.value)) {
      if (e.key === 'version') fail(dynCtx, e, e.key, 'the dynamic config file must not contain version (it comes from the file name)');
      if (!isMembershipKey(e.key)) fail(dynCtx, e, e.key, `unrecognised key "${e.key}" in a dynamic config file (only server.N, group.N, weight.N)`);
    }
    entries = [...entries, ...parseProperties(dynText!, dynamic.value).map((e) => ({ ...e, fromDynamic: true }))];
  }

  const serverEntries: { e: PropertyEntry; id: number; file: string }[] = [];
  const passThrough: Record<string, string> = {};
  const authProviders: Record<string, string> = {};
  const metricsConfig: Record<string, string> = {};
  const groups: Record<string, number[]> = {};
  const weights: Record<string, number> = {};

  for (const e of entries) {
    const ectx: Ctx = 'fromDynamic' in e ? { fileName: dynamic!.value, warnings } : ctx;
    const handler = Object.hasOwn(HANDLERS, e.key) ? HANDLERS[e.key] : undefined;
    if (handler) handler(ectx, e, d);
    else if (e.key.startsWith('server.')) serverEntries.push({ e, id: indexedId(ectx, e, 'server.'), file: ectx.fileName });
    else if (e.key.startsWith('group.')) {
      const gid = e.key.slice('group.'.length);
      if (!/^\d+$/.test(gid)) fail(ectx, e, e.key, `${e.key}: group id must be an integer, got "${gid}"`);
      if (!/^\d+(:\d+)*$/.test(e.value)) bad(ectx, e, 'server ids separated by colons, e.g. 1:2:3');
      groups[gid] = e.value.split(':').map(Number);
    } else if (e.key.startsWith('weight.')) {
      const sid = indexedId(ectx, e, 'weight.');
      weights[String(sid)] = int(ectx, e, 0, L.INT32_MAX, 'an integer >= 0 (vote weight)');
    } else if (e.key.startsWith('authProvider.')) {
      authProviders[e.key.slice('authProvider.'.length)] = nonEmpty(ectx, e, 'a class name');
      warnings.push(`${ectx.fileName}:${e.line}: ${e.key} names a Java class; zkts stores it and chooses auth providers by scheme`);
    } else if (e.key.startsWith('metricsProvider.')) {
      metricsConfig[e.key.slice('metricsProvider.'.length)] = e.value;
    } else if (e.key.startsWith('zookeeper.')) {
      // ZooKeeper turns every unknown key into a zookeeper.* system property; keep them visible.
      passThrough[e.key] = e.value;
      warnings.push(`${ectx.fileName}:${e.line}: ${e.key} is passed through and not used by zkts`);
    } else if (L.UNIMPLEMENTED_KEYS.has(e.key) || L.UNIMPLEMENTED_PREFIXES.some((p) => e.key.startsWith(p))) {
      passThrough[e.key] = e.value;
      warnings.push(`${ectx.fileName}:${e.line}: ${e.key} is a ZooKeeper setting zkts does not implement; ignored`);
    } else {
      // Deliberate difference: ZooKeeper would make this a system property; a typo must not pass.
      fail(ectx, e, e.key, `unknown key "${e.key}"${suggestion(e.key)}`);
    }
  }
  d.passThrough = passThrough;
  d.authProviders = authProviders;
  d.metricsProviderConfig = metricsConfig;
  d.groups = groups;
  d.weights = weights;
  if (Object.keys(groups).length > 0 || Object.keys(weights).length > 0) {
    warnings.push(`${fileName}: group.N / weight.N (hierarchical quorums) are stored but zkts uses majority quorums`);
  }

  // Servers.
  const servers = serverEntries
    .map(({ e, id, file }) => parseServer({ fileName: file, warnings }, e, id, d.multiAddressEnabled))
    .sort((a, b) => a.id - b.id);
  d.servers = servers;
  checkDistinctAddresses(ctx, servers, serverEntries.map((s) => s.e));

  resolveTimesAndDirs(ctx, byKey, d);
  resolveMembership(ctx, byKey, d, opts);
  resolveClientAddress(ctx, byKey, d);

  d.enabledFourLetterWords = enabledWords(d.fourLetterWordWhitelist, d.readOnlyModeEnabled);
  d.warnings = warnings;
  return deepFreeze(d);
}

function checkDistinctAddresses(ctx: Ctx, servers: readonly QuorumServerConfig[], entries: readonly PropertyEntry[]): void {
  const seen = new Map<string, number>();
  for (const s of servers) {
    const mine = new Set<string>();
    for (const a of s.addresses) {
      for (const p of [a.quorumPort, a.electionPort]) mine.add(`${a.host}:${p}`);
    }
    for (const addr of mine) {
      const other = seen.get(addr);
      if (other !== undefined) {
        const e = entries.find((x) => x.key === `server.${s.id}`);
        fail(ctx, e, `server.${s.id}`, `server.${s.id}: address ${addr} is already used by server.${other}`);
      }
      seen.set(addr, s.id);
    }
  }
}

function resolveTimesAndDirs(ctx: Ctx, byKey: Map<string, PropertyEntry>, d: Draft): void {
  if (d.minSessionTimeoutMs === -1) d.minSessionTimeoutMs = d.tickTimeMs * L.MIN_SESSION_TIMEOUT_TICKS;
  if (d.maxSessionTimeoutMs === -1) d.maxSessionTimeoutMs = d.tickTimeMs * L.MAX_SESSION_TIMEOUT_TICKS;
  if (d.minSessionTimeoutMs > d.maxSessionTimeoutMs) {
    const e = byKey.get('minSessionTimeout') ?? byKey.get('maxSessionTimeout');
    fail(ctx, e, e?.key ?? 'minSessionTimeout',
      `minSessionTimeout (${d.minSessionTimeoutMs} ms) must not be larger than maxSessionTimeout (${d.maxSessionTimeoutMs} ms)`);
  }
  if (d.dataLogDir === undefined) d.dataLogDir = d.dataDir;
  if (L.DURABLE_STORAGE_KINDS.includes(d.zktsStorage) && d.dataDir === undefined) {
    fail(ctx, undefined, 'dataDir', `dataDir is required when zkts.storage is ${d.zktsStorage} (set dataDir, or zkts.storage=memory for a non-durable server)`);
  }
}

function readMyid(ctx: Ctx, d: Draft, opts: ParseOptions): number | undefined {
  const expected = `a server id ${L.SERVER_ID_MIN}..${L.SERVER_ID_MAX}`;
  if (opts.myid !== undefined) {
    if (!Number.isInteger(opts.myid) || opts.myid < L.SERVER_ID_MIN || opts.myid > L.SERVER_ID_MAX) {
      fail(ctx, undefined, 'myid', `myid must be ${expected}, got "${opts.myid}"`);
    }
    return opts.myid;
  }
  if (d.dataDir === undefined) return undefined;
  const path = myidPath(d.dataDir);
  const content = opts.files?.[path];
  if (content === undefined) return undefined;
  const first = javaTrim(content.split(/\r\n|\r|\n/)[0] ?? '');
  const n = /^\d+$/.test(first) ? Number(first) : NaN;
  if (!(n >= L.SERVER_ID_MIN && n <= L.SERVER_ID_MAX)) {
    fail({ ...ctx, fileName: path }, undefined, 'myid', `myid must be ${expected}, got "${first}"`);
  }
  return n;
}

function resolveMembership(ctx: Ctx, byKey: Map<string, PropertyEntry>, d: Draft, opts: ParseOptions): void {
  const myid = readMyid(ctx, d, opts);
  d.serverId = myid;
  const servers = d.servers;
  if (servers.length === 0) return;
  const participants = servers.filter((s) => s.role === 'participant').length;
  const observers = servers.length - participants;
  const first = byKey.get(`server.${servers[0]!.id}`);
  if (participants === 0) {
    if (!d.standaloneEnabled) fail(ctx, first, 'standaloneEnabled', 'standaloneEnabled=false needs at least one participant in server.N');
    fail(ctx, first, `server.${servers[0]!.id}`, 'observers without participants is not a valid ensemble');
  }
  if (participants === 1 && d.standaloneEnabled) {
    if (observers > 0) fail(ctx, first, `server.${servers[0]!.id}`, 'observers need a quorum of at least two participants');
    // ZooKeeper ignores a single server line (HBase writes one) and runs standalone.
    ctx.warnings.push(`${ctx.fileName}: only one server listed; running standalone as ZooKeeper does`);
  } else {
    d.distributed = true;
    if (participants === 2) ctx.warnings.push(`${ctx.fileName}: 2 participants tolerate no failure; use at least 3`);
    else if (participants % 2 === 0) ctx.warnings.push(`${ctx.fileName}: ${participants} participants; an odd number is better`);
  }
  if (myid !== undefined && !servers.some((s) => s.id === myid)) {
    fail(ctx, undefined, 'myid', `myid ${myid} is not one of the servers listed (${servers.map((s) => `server.${s.id}`).join(', ')})`);
  }
  if (!d.distributed) return;
  if (d.initLimitTicks === 0) fail(ctx, undefined, 'initLimit', 'initLimit is required for an ensemble (ticks a follower may take to connect and sync)');
  if (d.syncLimitTicks === 0) fail(ctx, undefined, 'syncLimit', 'syncLimit is required for an ensemble (ticks a follower may lag)');
  if (myid === undefined) {
    fail(ctx, undefined, 'myid', `myid is missing: an ensemble member needs its id in ${d.dataDir === undefined ? '<dataDir>/myid' : myidPath(d.dataDir)}`);
  }
  const self = servers.find((s) => s.id === myid)!;
  if (byKey.has('peerType') && d.peerType !== self.role) {
    ctx.warnings.push(`${ctx.fileName}: peerType ${d.peerType} does not match server.${self.id} (${self.role}); using the server list`);
  }
  d.peerType = self.role;
}

function resolveClientAddress(ctx: Ctx, byKey: Map<string, PropertyEntry>, d: Draft): void {
  if (d.clientPortAddress !== undefined && d.clientPort === undefined) {
    fail(ctx, byKey.get('clientPortAddress'), 'clientPortAddress', 'clientPortAddress is set but clientPort is not');
  }
  if (d.secureClientPortAddress !== undefined && d.secureClientPort === undefined) {
    fail(ctx, byKey.get('secureClientPortAddress'), 'secureClientPortAddress', 'secureClientPortAddress is set but secureClientPort is not');
  }
  const staticAddr: HostPort | undefined = d.clientPort === undefined
    ? undefined
    : { host: d.clientPortAddress ?? L.WILDCARD_HOST, port: d.clientPort };
  const self = d.serverId === undefined ? undefined : d.servers.find((s) => s.id === d.serverId);
  const fromLine = self?.clientAddress;
  if (fromLine && staticAddr) {
    const wildcard = staticAddr.host === L.WILDCARD_HOST;
    const differs = wildcard ? staticAddr.port !== fromLine.port
      : staticAddr.host !== fromLine.host || staticAddr.port !== fromLine.port;
    if (differs) {
      fail(ctx, byKey.get('clientPort'), 'clientPort',
        `clientPort ${staticAddr.host}:${staticAddr.port} differs from server.${self!.id}'s client address ${fromLine.host}:${fromLine.port}`);
    }
  }
  d.clientAddress = fromLine ?? staticAddr;
  if (d.clientAddress === undefined && d.secureClientPort === undefined) {
    fail(ctx, undefined, 'clientPort', 'clientPort is required (or give this server\'s client address as server.N=host:port:port;clientPort)');
  }
}

export function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}
