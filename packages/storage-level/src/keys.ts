// The key space of one database. A one-byte prefix names the record kind; zxids are 8 bytes
// big-endian, so byte order is zxid order and a range scan walks the log in zxid order.
//
//   0x00 "engine"                  the engine that created the database ("level" | "rocksdb")
//   'E' "acceptedEpoch"            epochs: u32 epoch | u32 crc32(epoch bytes)
//   'E' "currentEpoch"
//   'L' zxid                       one log entry (txn-log's entry framing, with its crc32)
//   'M' zxid                       a snapshot's manifest (written last: the snapshot exists once it does)
//   'S' zxid u32 chunk             a snapshot's chunks, 0..count-1
import type { Zxid } from '@zkts/txn-log';

const TWO_32 = 2 ** 32;
export const META_ENGINE_KEY = Buffer.from('\x00engine', 'latin1');
export const ACCEPTED_EPOCH_KEY = Buffer.from('EacceptedEpoch', 'latin1');
export const CURRENT_EPOCH_KEY = Buffer.from('EcurrentEpoch', 'latin1');

const LOG = 0x4c; // 'L'
const MANIFEST = 0x4d; // 'M'
const CHUNK = 0x53; // 'S'

function zxidKey(prefix: number, zxid: Zxid, extra = 0): Buffer {
  if (!Number.isSafeInteger(zxid) || zxid < 0) throw new RangeError(`zxid ${zxid} is not a non-negative safe integer`);
  const key = Buffer.allocUnsafe(9 + extra);
  key[0] = prefix;
  key.writeUInt32BE(Math.floor(zxid / TWO_32), 1);
  key.writeUInt32BE(zxid % TWO_32, 5);
  return key;
}

/** The zxid in bytes 1..8 of a zxid key. */
export function zxidOfKey(key: Buffer): Zxid {
  return key.readUInt32BE(1) * TWO_32 + key.readUInt32BE(5);
}

/** The first key after every key with this one-byte prefix. */
const prefixEnd = (prefix: number): Buffer => Buffer.from([prefix + 1]);

export const logKey = (zxid: Zxid): Buffer => zxidKey(LOG, zxid);
export const LOG_START = Buffer.from([LOG]);
export const LOG_END = prefixEnd(LOG);

export const manifestKey = (zxid: Zxid): Buffer => zxidKey(MANIFEST, zxid);
export const MANIFEST_START = Buffer.from([MANIFEST]);
export const MANIFEST_END = prefixEnd(MANIFEST);

export function chunkKey(zxid: Zxid, chunk: number): Buffer {
  const key = zxidKey(CHUNK, zxid, 4);
  key.writeUInt32BE(chunk, 9);
  return key;
}
export const chunkOfKey = (key: Buffer): number => key.readUInt32BE(9);
export const CHUNK_START = Buffer.from([CHUNK]);
export const CHUNK_END = prefixEnd(CHUNK);
/** The chunk keys of one snapshot: [chunksStart(zxid), chunksStart(zxid + 1)). */
export const chunksStart = (zxid: Zxid): Buffer => zxidKey(CHUNK, zxid);
