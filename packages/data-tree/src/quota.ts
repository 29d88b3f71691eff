// Quotas as ZooKeeper keeps them: /zookeeper/quota/<path>/zookeeper_limits holds the limits and
// /zookeeper/quota/<path>/zookeeper_stats the live usage, both in StatsTrack text
// ("count=1,bytes=5" plus ";countHardLimit=..;byteHardLimit=.." in 3.7+). -1 means unset.
import { PROC_ZOOKEEPER, QUOTA_ZOOKEEPER, ROOT } from './paths.js';

export const QUOTA_LIMIT_NODE = 'zookeeper_limits';
export const QUOTA_STAT_NODE = 'zookeeper_stats';

export const limitPath = (path: string): string => `${QUOTA_ZOOKEEPER}${path}/${QUOTA_LIMIT_NODE}`;
export const statPath = (path: string): string => `${QUOTA_ZOOKEEPER}${path}/${QUOTA_STAT_NODE}`;
export const trimQuotaPath = (quotaPath: string): string => quotaPath.substring(QUOTA_ZOOKEEPER.length);

const COUNT = 'count';
const BYTES = 'bytes';
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** ZooKeeper's StatsTrack: a small key=value map. */
export class StatsTrack {
  readonly values = new Map<string, number>();

  static parse(data: Uint8Array | string | null): StatsTrack {
    const t = new StatsTrack();
    const text = data === null ? '' : typeof data === 'string' ? data : decoder.decode(data);
    if (text.length === 0) return t;
    for (const pair of text.split(/[,;]+/)) {
      if (pair.length === 0) continue;
      const kv = pair.split('=');
      const raw = kv[1] ?? '';
      const n = raw === '' ? -1 : Number(raw);
      t.values.set(kv[0]!, Number.isFinite(n) ? n : -1);
    }
    return t;
  }

  get(key: string): number {
    return this.values.get(key) ?? -1;
  }
  get count(): number {
    return this.get(COUNT);
  }
  set count(v: number) {
    this.values.set(COUNT, v);
  }
  get bytes(): number {
    return this.get(BYTES);
  }
  set bytes(v: number) {
    this.values.set(BYTES, v);
  }
  get countHardLimit(): number {
    return this.get('countHardLimit');
  }
  get byteHardLimit(): number {
    return this.get('byteHardLimit');
  }

  toString(): string {
    let s = `${COUNT}=${this.count},${BYTES}=${this.bytes}`;
    const rest = [...this.values.keys()].filter((k) => k !== COUNT && k !== BYTES).sort();
    if (rest.length > 0) {
      // The extra "=" makes pre-3.7 parsers ignore the new keys (as ZooKeeper writes it).
      s += '=';
      for (const k of rest) s += `;${k}=${this.values.get(k)}`;
    }
    return s;
  }

  toBytes(): Uint8Array {
    return encoder.encode(this.toString());
  }
}

/** Paths that have a quota; answers "which quota governs this path" (longest prefix). */
export class QuotaPaths {
  private readonly paths = new Set<string>();

  add(path: string): void {
    this.paths.add(path);
  }
  delete(path: string): void {
    this.paths.delete(path);
  }
  get size(): number {
    return this.paths.size;
  }

  /** The deepest quota root at or above `path`, or null (never "/" nor "/zookeeper"). */
  maxPrefix(path: string): string | null {
    if (this.paths.size === 0) return null;
    let p = path;
    while (p.length > 1) {
      if (this.paths.has(p)) return p === PROC_ZOOKEEPER ? null : p;
      const i = p.lastIndexOf('/');
      p = i <= 0 ? ROOT : p.substring(0, i);
    }
    return null;
  }
}

export interface QuotaCheck {
  /** ErrorCode.quotaExceeded when a hard limit would be crossed, else 0. */
  err: number;
  /** Soft limits crossed (ZooKeeper only logs these). */
  warnings: string[];
}

/**
 * ZooKeeper's checkQuota for one quota root: would adding countDiff nodes and bytesDiff bytes
 * cross a limit? Hard limits fail, soft limits only warn.
 */
export function checkQuotaLimits(
  quotaRoot: string,
  limits: StatsTrack,
  current: StatsTrack,
  countDiff: number,
  bytesDiff: number,
  quotaExceededCode: number,
): QuotaCheck {
  const warnings: string[] = [];
  const checkCount = countDiff !== 0 && (limits.count > -1 || limits.countHardLimit > -1);
  const checkBytes = bytesDiff !== 0 && (limits.bytes > -1 || limits.byteHardLimit > -1);
  if (checkCount) {
    const next = current.count + countDiff;
    const hard = limits.countHardLimit > -1;
    const limit = hard ? limits.countHardLimit : limits.count;
    if (next > limit) {
      const msg = `Quota exceeded: ${quotaRoot} [current count=${next}, ${hard ? 'hard' : 'soft'}CountLimit=${limit}]`;
      if (hard) return { err: quotaExceededCode, warnings: [msg] };
      warnings.push(msg);
    }
  }
  if (checkBytes) {
    const next = current.bytes + bytesDiff;
    const hard = limits.byteHardLimit > -1;
    const limit = hard ? limits.byteHardLimit : limits.bytes;
    if (next > limit) {
      const msg = `Quota exceeded: ${quotaRoot} [current bytes=${next}, ${hard ? 'hard' : 'soft'}ByteLimit=${limit}]`;
      if (hard) return { err: quotaExceededCode, warnings: [...warnings, msg] };
      warnings.push(msg);
    }
  }
  return { err: 0, warnings };
}
