import type { StatPersisted } from '@zkts/protocol';
// ZooKeeper's tree digest (DigestCalculator, version 2): CRC32 over the path, the data and the
// persisted stat; the tree digest is the sum of node digests. Nodes under /zookeeper/ count 0.
import { ZOOKEEPER_SUBTREE } from './paths.js';

export const DIGEST_VERSION = 2;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crcUpdate(crc: number, bytes: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
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
