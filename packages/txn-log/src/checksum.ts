// CRC-32 (IEEE, as zlib and Java's CRC32) from node:zlib; `seed` continues a running checksum.
import { crc32 as zlibCrc32 } from 'node:zlib';

export function crc32(data: Uint8Array, seed = 0): number {
  return zlibCrc32(data, seed) >>> 0;
}
