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

export function nodeDigest(path: string, data: Uint8Array | null, stat: DigestStat): number {
  if (path.startsWith(ZOOKEEPER_SUBTREE)) return 0;
  const p = path === '/' ? '' : path; // ZooKeeper digests the root under its "" alias
  const b = new DataView(new ArrayBuffer(STAT_BYTES));
  b.setBigInt64(0, BigInt(stat.czxid));
  b.setBigInt64(8, BigInt(stat.mzxid));
  b.setBigInt64(16, BigInt(stat.pzxid));
  b.setBigInt64(24, BigInt(stat.ctime));
  b.setBigInt64(32, BigInt(stat.mtime));
  b.setInt32(40, stat.version);
  b.setInt32(44, stat.cversion);
  b.setInt32(48, stat.aversion);
  b.setBigInt64(52, BigInt.asIntN(64, stat.ephemeralOwner));
  const chunks: Uint8Array[] = [encoder.encode(p)];
  if (data !== null) chunks.push(data);
  chunks.push(new Uint8Array(b.buffer));
  return crc32(...chunks);
}
