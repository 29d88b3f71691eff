// Text exactly as zkCli.sh (ZooKeeper 3.8's org.apache.zookeeper.cli) prints it: Stat blocks with
// java.util.Date#toString dates, ACL ids in jute's toString form, permission letters,
// KeeperException messages, the CLI's error wording, quota StatsTrack strings and WatchedEvent lines.
import type { ACL, Stat } from '@zkts/protocol';
import { InvalidPathError } from '@zkts/protocol';
import { ZooKeeperError } from '@zkts/client';

// ---- dates -------------------------------------------------------------------------------------

/**
 * Java's short zone names for zones where Intl (en-US) only knows "GMT+h": [standard, daylight].
 * Intl already names UTC and the US zones as Java does; a zone in neither prints as Java prints a
 * custom zone ("GMT+05:30"), which is where zkts-cli can differ from Java (documented in README).
 */
const JAVA_ZONE_NAMES: Readonly<Record<string, readonly [string, string]>> = (() => {
  const table: Record<string, readonly [string, string]> = {};
  const put = (names: readonly [string, string], zones: string): void => {
    for (const z of zones.split(' ')) table[z] = names;
  };
  put(['CET', 'CEST'], 'Europe/Berlin Europe/Paris Europe/Madrid Europe/Rome Europe/Amsterdam Europe/Brussels Europe/Vienna Europe/Zurich Europe/Stockholm Europe/Oslo Europe/Copenhagen Europe/Warsaw Europe/Prague Europe/Budapest Europe/Belgrade Europe/Luxembourg Europe/Ljubljana Europe/Zagreb Europe/Bratislava Europe/Monaco Europe/Malta Africa/Tunis Africa/Algiers CET');
  put(['EET', 'EEST'], 'Europe/Helsinki Europe/Athens Europe/Kiev Europe/Kyiv Europe/Bucharest Europe/Sofia Europe/Riga Europe/Tallinn Europe/Vilnius Africa/Cairo Asia/Beirut EET');
  put(['WET', 'WEST'], 'Europe/Lisbon Atlantic/Canary Atlantic/Madeira WET');
  put(['GMT', 'BST'], 'Europe/London Europe/Belfast Europe/Guernsey Europe/Jersey Europe/Isle_of_Man');
  put(['GMT', 'IST'], 'Europe/Dublin');
  put(['MSK', 'MSK'], 'Europe/Moscow');
  put(['IST', 'IST'], 'Asia/Kolkata Asia/Calcutta');
  put(['IST', 'IDT'], 'Asia/Jerusalem Asia/Tel_Aviv');
  put(['JST', 'JST'], 'Asia/Tokyo');
  put(['KST', 'KST'], 'Asia/Seoul');
  put(['CST', 'CST'], 'Asia/Shanghai Asia/Chongqing Asia/Taipei PRC');
  put(['HKT', 'HKT'], 'Asia/Hong_Kong');
  put(['SGT', 'SGT'], 'Asia/Singapore');
  put(['NPT', 'NPT'], 'Asia/Kathmandu Asia/Katmandu');
  put(['AEST', 'AEDT'], 'Australia/Sydney Australia/Melbourne Australia/Canberra Australia/Hobart Australia/ACT Australia/NSW Australia/Victoria');
  put(['AEST', 'AEST'], 'Australia/Brisbane Australia/Queensland');
  put(['ACST', 'ACDT'], 'Australia/Adelaide');
  put(['ACST', 'ACST'], 'Australia/Darwin');
  put(['AWST', 'AWST'], 'Australia/Perth');
  put(['NZST', 'NZDT'], 'Pacific/Auckland NZ');
  put(['BRT', 'BRST'], 'America/Sao_Paulo');
  put(['SAST', 'SAST'], 'Africa/Johannesburg');
  return table;
})();

interface ZoneFormatters {
  zone: string;
  fields: Intl.DateTimeFormat;
  offset: Intl.DateTimeFormat;
}
let formatters: ZoneFormatters | undefined;

function zoneFormatters(): ZoneFormatters {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (formatters?.zone !== zone) {
    formatters = {
      zone,
      fields: new Intl.DateTimeFormat('en-US', {
        timeZone: zone, weekday: 'short', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit',
        second: '2-digit', year: 'numeric', hourCycle: 'h23', timeZoneName: 'short',
      }),
      offset: new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }),
    };
  }
  return formatters;
}

/** Minutes east of UTC in the local zone at `ms` (from Intl's "GMT+01:00"). */
function offsetMinutes(f: ZoneFormatters, ms: number): number {
  const name = f.offset.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function javaCustomZone(minutes: number): string {
  if (minutes === 0) return 'GMT';
  const abs = Math.abs(minutes);
  return `GMT${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `new java.util.Date(ms).toString()` in the local time zone (TZ): "Thu Jan 01 00:00:00 UTC 1970". */
export function javaDateString(ms: number): string {
  const f = zoneFormatters();
  const parts: Record<string, string> = {};
  for (const p of f.fields.formatToParts(ms)) parts[p.type] = p.value;
  let zone = parts.timeZoneName ?? 'GMT';
  if (zone.startsWith('GMT') && zone !== 'GMT') {
    const minutes = offsetMinutes(f, ms);
    const names = JAVA_ZONE_NAMES[f.zone];
    if (names) {
      const year = new Date(ms).getUTCFullYear();
      const standard = Math.min(offsetMinutes(f, Date.UTC(year, 0, 1)), offsetMinutes(f, Date.UTC(year, 6, 1)));
      zone = minutes > standard ? names[1] : names[0];
    } else {
      zone = javaCustomZone(minutes);
    }
  }
  const year = (parts.year ?? '1970').padStart(4, '0');
  return `${parts.weekday} ${parts.month} ${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${zone} ${year}`;
}

// ---- Stat, ACLs --------------------------------------------------------------------------------

/** Long.toHexString: two's complement for negative values. */
export function javaHex(v: number | bigint): string {
  const big = BigInt.asUintN(64, BigInt(v));
  return big.toString(16);
}

/** StatPrinter's eleven lines. */
export function statLines(stat: Stat): string[] {
  return [
    `cZxid = 0x${javaHex(stat.czxid)}`,
    `ctime = ${javaDateString(stat.ctime)}`,
    `mZxid = 0x${javaHex(stat.mzxid)}`,
    `mtime = ${javaDateString(stat.mtime)}`,
    `pZxid = 0x${javaHex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${javaHex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ];
}

/** ZKUtil.getPermString: the letters c d r w a in that order. */
export function permString(perms: number): string {
  let s = '';
  if (perms & 4) s += 'c';
  if (perms & 8) s += 'd';
  if (perms & 1) s += 'r';
  if (perms & 2) s += 'w';
  if (perms & 16) s += 'a';
  return s;
}

/** jute's ToStringOutputArchive string form: a leading quote, a few characters %-escaped. */
export function juteString(s: string): string {
  return `'${s.replace(/[\0\n\r,}%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}`;
}

/** getAcl's two lines per entry: Id#toString ends with a newline, then ": perms". */
export function aclLines(acl: readonly ACL[]): string[] {
  const out: string[] = [];
  for (const a of acl) out.push(`${juteString(a.id.scheme)},${juteString(a.id.id)}`, `: ${permString(a.perms)}`);
  return out;
}

/** Java's List#toString: "[a, b]". */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

// ---- errors ------------------------------------------------------------------------------------

/** KeeperException.Code messages (getCodeMessage). */
const CODE_MESSAGES: Readonly<Record<number, string>> = {
  [0]: 'ok', [-1]: 'SystemError', [-2]: 'RuntimeInconsistency', [-3]: 'DataInconsistency', [-4]: 'ConnectionLoss',
  [-5]: 'MarshallingError', [-6]: 'Unimplemented', [-7]: 'OperationTimeout', [-8]: 'BadArguments',
  [-12]: 'UnknownSession', [-13]: 'NewConfigNoQuorum', [-14]: 'ReconfigInProgress', [-100]: 'APIError',
  [-101]: 'NoNode', [-102]: 'NoAuth', [-103]: 'BadVersion', [-108]: 'NoChildrenForEphemerals',
  [-110]: 'NodeExists', [-111]: 'Directory not empty', [-112]: 'Session expired', [-113]: 'Invalid callback',
  [-114]: 'InvalidACL', [-115]: 'AuthFailed', [-118]: 'Session moved', [-119]: 'Not a read-only call',
  [-120]: 'Ephemeral node on local session', [-121]: 'No such watcher', [-122]: 'Request timeout',
  [-123]: 'Reconfig is disabled', [-124]: 'Session closed because client failed to authenticate',
  [-125]: 'Quota has exceeded', [-127]: 'Op throttled due to high load',
};

/** KeeperException#getMessage: "KeeperErrorCode = NoNode for /x". */
export function keeperMessage(code: number, path: string | undefined): string {
  const text = CODE_MESSAGES[code] ?? `Unknown error ${code}`;
  return `KeeperErrorCode = ${text}${path !== undefined ? ` for ${path}` : ''}`;
}

/** The message zkCli prints for an exception a command ends with (CliWrapperException's wording). */
export function cliErrorMessage(err: unknown): string {
  if (err instanceof ZooKeeperError) {
    const p = err.path ?? 'null';
    switch (err.code) {
      case -101: return `Node does not exist: ${p}`;
      case -108: return `Ephemerals cannot have children: ${p}`;
      case -110: return `Node already exists: ${p}`;
      case -111: return `Node not empty: ${p}`;
      case -119: return `Not a read-only call: ${p}`;
      case -114: return `Acl is not valid : ${p}`;
      case -102: return `Insufficient permission : ${p}`;
      case -8: return `Arguments are not valid : ${p}`;
      case -103: return `version No is not valid : ${p}`;
      case -14: return 'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)';
      case -125: return `Quota has exceeded : ${p}`;
      default: return keeperMessage(err.code, err.path);
    }
  }
  if (err instanceof InvalidPathError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

// ---- quotas ------------------------------------------------------------------------------------

const COUNT = 'count';
const BYTES = 'bytes';

/** ZooKeeper's StatsTrack: "count=2,bytes=100=;byteHardLimit=-1;countHardLimit=-1". */
export class StatsTrack {
  private readonly stats = new Map<string, bigint>();

  constructor(text = '') {
    if (text.length === 0) return;
    for (const pair of text.split(/[,;]+/)) {
      if (pair === '') continue;
      const [key = '', value] = pair.split('=');
      this.stats.set(key, BigInt(value === undefined || value === '' ? '-1' : value));
    }
  }

  get(key: string): bigint {
    return this.stats.get(key) ?? -1n;
  }
  set(key: string, value: bigint): void {
    this.stats.set(key, value);
  }
  get count(): bigint { return this.get(COUNT); }
  set count(v: bigint) { this.set(COUNT, v); }
  get bytes(): bigint { return this.get(BYTES); }
  set bytes(v: bigint) { this.set(BYTES, v); }
  get countHardLimit(): bigint { return this.get('countHardLimit'); }
  set countHardLimit(v: bigint) { this.set('countHardLimit', v); }
  get byteHardLimit(): bigint { return this.get('byteHardLimit'); }
  set byteHardLimit(v: bigint) { this.set('byteHardLimit', v); }

  toString(): string {
    const rest = [...this.stats.keys()].filter((k) => k !== COUNT && k !== BYTES).sort();
    let s = `${COUNT}=${this.count},${BYTES}=${this.bytes}`;
    if (rest.length > 0) {
      // the extra "=" keeps old parsers from reading the hard limits (as ZooKeeper writes it)
      s += '=';
      for (const k of rest) s += `;${k}=${this.get(k)}`;
    }
    return s;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.stats].map(([k, v]) => [k, Number(v)]));
  }
}

// ---- watch events ------------------------------------------------------------------------------

export type KeeperState = 'SyncConnected' | 'Disconnected' | 'Expired' | 'AuthFailed' | 'ConnectedReadOnly' | 'Closed';
export type EventTypeName =
  | 'None' | 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged'
  | 'DataWatchRemoved' | 'ChildWatchRemoved' | 'PersistentWatchRemoved';

export interface CliEvent {
  state: KeeperState;
  type: EventTypeName;
  path: string | null;
}

/** The two lines zkCli's watcher prints per event (each after an empty line). */
export function eventLines(e: CliEvent): string[] {
  return ['', 'WATCHER::', '', `WatchedEvent state:${e.state} type:${e.type} path:${e.path ?? 'null'}`];
}

/** The client's event names ('nodeDataChanged') as Java's EventType ('NodeDataChanged'). */
export function javaEventType(type: string): EventTypeName {
  return (type.charAt(0).toUpperCase() + type.slice(1)) as EventTypeName;
}
