// CRC-32 (IEEE, as zlib and Java's CRC32) from node:zlib; `seed` continues a running checksum.
import { crc32 as zlibCrc32 } from 'node:zlib';

export function crc32(data: Uint8Array, seed = 0): number {
  return zlibCrc32(data, seed) >>> 0;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/**
 * crc32 of the four big-endian bytes at `offset` of `buf`, computed here: a log entry's checksum
 * starts with its length field, and a zlib call plus a view for four bytes cost more than this.
 */
export function crc32Of4(buf: Uint8Array, offset: number): number {
  let c = -1;
  for (let i = offset; i < offset + 4; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
