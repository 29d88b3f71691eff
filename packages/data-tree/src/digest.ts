import type { StatPersisted } from '@zkts/protocol';
// ZooKeeper's tree digest (DigestCalculator, version 2): CRC32 over the path, the data and the
// persisted stat; the tree digest is the sum of node digests. Nodes under /zookeeper/ count 0.
import { ZOOKEEPER_SUBTREE } from './paths.js';

export const DIGEST_VERSION = 2;

/**
 * CRC-32 (IEEE, reflected) tables for slicing by 8: table k (at k * 256) advances a byte k
 * positions further, so eight bytes cost eight lookups and no eight-step dependency chain
 * (every node's digest covers its data and stat: ~3x faster than a byte at a time).
 */
const CRC_TABLES = (() => {
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  }
  return t;
})();
const CRC_TABLE = CRC_TABLES.subarray(0, 256);

function crcUpdate(crc: number, bytes: Uint8Array): number {
  const t = CRC_TABLES;
  let c = crc;
  let i = 0;
  const whole = bytes.length - (bytes.length & 7);
  for (; i < whole; i += 8) {
    const lo = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c =
      t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^ t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^ t[512 + ((hi >>> 8) & 0xff)]! ^ t[256 + ((hi >>> 16) & 0xff)]! ^ t[hi >>> 24]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

export function crc32(...chunks: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const b of chunks) c = crcUpdate(c, b);
  return (c ^ 0xffffffff) >>> 0;
}

/** The stat fields a node's digest covers: the stored stat. */
export type DigestStat = StatPersisted;

const encoder = new TextEncoder();
const STAT_BYTES = 8 * 6 + 4 * 3;
const TWO_32 = 2 ** 32;
/** One scratch buffer for the stat bytes: digests are computed one at a time, synchronously. */
const statBytes = new Uint8Array(STAT_BYTES);
const statView = new DataView(statBytes.buffer);

/** Writes a long held as a number (zxids, times: integers below 2^53) without a BigInt. */
function setLong(offset: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  statView.setInt32(offset, hi | 0);
  statView.setUint32(offset + 4, v - hi * TWO_32);
}

/**
 * The CRC state after a node's path (not finalised): a node keeps it, so the digest after a
 * change of its data or stat costs the data and 60 stat bytes, not the path again.
 */
export function pathCrcState(path: string): number {
  const p = path === '/' ? '' : path; // ZooKeeper digests the root under its "" alias
  // ASCII paths (nearly all) are their own UTF-8 bytes: no encoded copy per create.
  let c = 0xffffffff;
  for (let i = 0; i < p.length; i++) {
    const code = p.charCodeAt(i);
    if (code >= 0x80) return crcUpdate(0xffffffff, encoder.encode(p));
    c = CRC_TABLE[(c ^ code) & 0xff]! ^ (c >>> 8);
  }
  return c;
}

/** The node digest from a path's CRC state (pathCrcState), its data and its stat. */
export function nodeDigestFrom(pathState: number, data: Uint8Array | null, stat: DigestStat): number {
  setLong(0, stat.czxid);
  setLong(8, stat.mzxid);
  setLong(16, stat.pzxid);
  setLong(24, stat.ctime);
  setLong(32, stat.mtime);
  statView.setInt32(40, stat.version);
  statView.setInt32(44, stat.cversion);
  statView.setInt32(48, stat.aversion);
  statView.setBigInt64(52, BigInt.asIntN(64, stat.ephemeralOwner));
  let c = pathState;
  if (data !== null) c = crcUpdate(c, data);
  c = crcUpdate(c, statBytes);
  return (c ^ 0xffffffff) >>> 0;
}

export function nodeDigest(path: string, data: Uint8Array | null, stat: DigestStat): number {
  if (path.startsWith(ZOOKEEPER_SUBTREE)) return 0;
  return nodeDigestFrom(pathCrcState(path), data, stat);
}
