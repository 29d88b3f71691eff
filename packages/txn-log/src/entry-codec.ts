// The framing of one log entry (zkts format, not byte-compatible with ZooKeeper's FileTxnLog):
//
//   u32 length     bytes of the body that follows the checksum
//   u32 crc32      CRC-32 over the 4 length bytes, then the body
//   body:          TxnHeader (jute) | buffer txn record (jute int length + bytes) |
//                  bool hasDigest | [TxnDigest (int version, long treeDigest)]
//
// A length of 0 with a checksum of 0 is "no entry here" (zero-filled preallocated space). A
// torn write or a flipped bit fails the checksum, so a reader stops at the last whole entry.
import { DecodeError, JuteReader, JuteWriter, TxnDigest, TxnHeader, decodeTxn, encodeTxn } from '@zkts/protocol';
import { crc32, crc32Of4 } from './checksum.js';
import type { LogEntry } from './spi.js';

export const ENTRY_PREFIX_BYTES = 8;
/** A typical framed entry (header, a path, ~100 B of data); the writer grows past it when needed. */
const ENTRY_BYTES_ESTIMATE = 256;
/** The smallest body: a TxnHeader (28 bytes), an empty txn buffer (4) and the digest flag (1). */
export const ENTRY_BODY_BYTES_MIN = 28 + 4 + 1;
/** The largest body accepted (ZooKeeper's jute.maxbuffer default is 1 MB; leave headroom). */
export const ENTRY_BODY_BYTES_MAX = 64 * 1024 * 1024;

/** Encodes entries into one buffer (a batch for one write), each framed and checksummed. */
export function encodeEntries(entries: readonly LogEntry[]): Buffer {
  // Sized for the common small entry: below 4 KiB Node carves writers out of its shared pool
  // instead of a fresh ArrayBuffer each (a server appends one entry per txn).
  const w = new JuteWriter(entries.length * ENTRY_BYTES_ESTIMATE);
  const starts: number[] = [];
  for (const entry of entries) {
    starts.push(w.length);
    w.int(0); // length, patched below
    w.int(0); // crc, patched below
    TxnHeader.encode(w, entry.hdr);
    w.beginFrame(); // the txn record as a jute buffer
    encodeTxn(w, entry.txn);
    w.endFrame();
    w.bool(entry.digest !== undefined);
    if (entry.digest !== undefined) TxnDigest.encode(w, entry.digest);
  }
  const buf = w.toBuffer();
  starts.push(buf.length);
  for (let i = 0; i < entries.length; i++) {
    const start = starts[i]!;
    const end = starts[i + 1]!;
    const bodyBytes = end - start - ENTRY_PREFIX_BYTES;
    if (bodyBytes > ENTRY_BODY_BYTES_MAX) throw new RangeError(`log entry zxid ${entries[i]!.hdr.zxid} of ${bodyBytes} bytes exceeds ${ENTRY_BODY_BYTES_MAX}`);
    buf.writeUInt32BE(bodyBytes, start);
    buf.writeUInt32BE(crc32(buf.subarray(start + ENTRY_PREFIX_BYTES, end), crc32(buf.subarray(start, start + 4))), start + 4);
  }
  return buf;
}

export type EntryRead =
  | { readonly kind: 'entry'; readonly entry: LogEntry; readonly next: number }
  /** Zero-filled space (or the end of the buffer): no more entries. */
  | { readonly kind: 'end' }
  /** The bytes at `offset` are not a whole valid entry. */
  | { readonly kind: 'bad'; readonly reason: string };

/** What checkEntryAt finds: a whole entry (its zxid and where the next starts), the end, or damage. */
export type EntryCheck =
  | { readonly kind: 'entry'; readonly zxid: number; readonly next: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'bad'; readonly reason: string };

/** The zxid's offset in the body: TxnHeader is long clientId, int cxid, long zxid, ... */
const ZXID_OFFSET_IN_BODY = 8 + 4;
const TWO_32 = 2 ** 32;
/** Zxids are non-negative and exact as numbers: the high word stays below 2^21. */
const ZXID_HIGH_WORD_LIMIT = 2 ** 21;

type Frame = { bodyStart: number; bodyEnd: number } | { kind: 'end' } | { kind: 'bad'; reason: string };

/** Length and checksum of the entry framed at `offset` (no decoding). */
function frameAt(view: Buffer, offset: number): Frame {
  const left = view.length - offset;
  if (left <= 0) return { kind: 'end' };
  if (left < ENTRY_PREFIX_BYTES) return allZero(view, offset, view.length) ? { kind: 'end' } : { kind: 'bad', reason: `${left} bytes left, less than an entry prefix` };
  const length = view.readUInt32BE(offset);
  const crc = view.readUInt32BE(offset + 4);
  if (length === 0 && crc === 0) return { kind: 'end' };
  if (length < ENTRY_BODY_BYTES_MIN || length > ENTRY_BODY_BYTES_MAX) return { kind: 'bad', reason: `entry length ${length} outside ${ENTRY_BODY_BYTES_MIN}..${ENTRY_BODY_BYTES_MAX}` };
  const bodyStart = offset + ENTRY_PREFIX_BYTES;
  const bodyEnd = bodyStart + length;
  if (bodyEnd > view.length) return { kind: 'bad', reason: `entry of ${length} bytes runs past the end (${view.length - bodyStart} left)` };
  const actual = crc32(view.subarray(bodyStart, bodyEnd), crc32Of4(view, offset));
  if (actual !== crc) return { kind: 'bad', reason: `checksum ${hex(actual)} != stored ${hex(crc)}` };
  return { bodyStart, bodyEnd };
}

const asBuffer = (buf: Uint8Array): Buffer => (Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));

/**
 * Checks the entry framed at `offset` (length, checksum) and reads its zxid straight from the
 * header bytes, decoding nothing else: opening a log and skipping entries before a replay's start
 * cost no objects per entry. A checksummed body that does not decode is found by readEntryAt.
 */
export function checkEntryAt(buf: Uint8Array, offset: number): EntryCheck {
  const view = asBuffer(buf);
  const f = frameAt(view, offset);
  if ('kind' in f) return f;
  const at = f.bodyStart + ZXID_OFFSET_IN_BODY;
  const high = view.readInt32BE(at);
  if (high < 0 || high >= ZXID_HIGH_WORD_LIMIT) return { kind: 'bad', reason: `checksum ok but the zxid is out of range (high word ${high})` };
  return { kind: 'entry', zxid: high * TWO_32 + view.readUInt32BE(at + 4), next: f.bodyEnd };
}

/** Reads the entry framed at `offset` of `buf`, checking its length and checksum. */
export function readEntryAt(buf: Uint8Array, offset: number): EntryRead {
  const view = asBuffer(buf);
  const f = frameAt(view, offset);
  if ('kind' in f) return f;
  const { bodyStart, bodyEnd } = f;
  try {
    const r = new JuteReader(view, bodyStart, bodyEnd);
    const hdr = TxnHeader.decode(r);
    const txnBytes = r.buffer() ?? new Uint8Array(0);
    const txn = decodeTxn(hdr.type, new JuteReader(txnBytes));
    const digest = r.bool() ? TxnDigest.decode(r) : undefined;
    if (r.remaining !== 0) return { kind: 'bad', reason: `${r.remaining} bytes after the entry body` };
    return { kind: 'entry', entry: digest === undefined ? { hdr, txn } : { hdr, txn, digest }, next: bodyEnd };
  } catch (e) {
    if (e instanceof DecodeError) return { kind: 'bad', reason: `checksum ok but body does not decode: ${e.message}` };
    throw e;
  }
}

/**
 * After a bad entry at `offset`: true when some later offset holds a valid entry, i.e. the damage
 * is in the middle of the data rather than a torn tail. Only called on the fault path and on
 * the zero padding at the end of a segment (skipped a chunk at a time).
 */
export function validEntryAfter(buf: Uint8Array, offset: number): boolean {
  const last = buf.length - ENTRY_PREFIX_BYTES - ENTRY_BODY_BYTES_MIN;
  let o = offset + 1;
  while (o <= last) {
    // An entry's length field is non-zero: jump to 3 bytes before the next non-zero byte.
    const nz = nextNonZero(buf, o);
    if (nz < 0) return false;
    o = Math.max(o, nz - 3);
    if (o > last) return false;
    if (readEntryAt(buf, o).kind === 'entry') return true;
    o++;
  }
  return false;
}

const ZERO_CHUNK = new Uint8Array(64 * 1024);

/** Index of the first non-zero byte at or after `from`, or -1. */
export function nextNonZero(buf: Uint8Array, from: number): number {
  let i = from;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  while (i < b.length) {
    const n = Math.min(ZERO_CHUNK.length, b.length - i);
    if (b.subarray(i, i + n).equals(ZERO_CHUNK.subarray(0, n))) {
      i += n;
      continue;
    }
    for (let j = i; j < i + n; j++) if (b[j] !== 0) return j;
  }
  return -1;
}

export function allZero(buf: Uint8Array, from: number, to: number): boolean {
  const nz = nextNonZero(buf.subarray(0, to), from);
  return nz < 0;
}
const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
