// Read-only inspection of a file-backend data directory, for tools (log-dump, verify): every
// log entry with its file offset and size, and the first damage in each segment, without the
// repairs FileTxnLog.open makes (it cuts a torn tail; these functions never write).
//
// Damage is classified as opening would treat it: a bad entry at the end of the newest segment
// with nothing valid after it is a torn tail (startup cuts it); anything else is corruption
// (startup refuses, as ZooKeeper stops at a CRC failure in the middle of a log).
import { join } from 'node:path';
import { type LogEntry, type Zxid, readEntryAt, validEntryAfter, zxidFromFileName, zxidToHex } from '@zkts/txn-log';
import { LOG_HEADER_BYTES, LOG_MAGIC, LOG_VERSION } from './file-txn-log.js';
import { type StorageFs, nodeFs } from './fs.js';

export interface ScannedEntry {
  /** Byte offset of the entry's frame in its file. */
  readonly offset: number;
  /** Bytes of the frame (prefix + body). */
  readonly bytes: number;
  readonly entry: LogEntry;
}

/** Damage found in a log file: where, why, and what startup would do about it. */
export interface LogDamage {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  /** 'torn-tail': startup cuts it and recovers the entries before; 'corrupt': startup refuses. */
  readonly kind: 'torn-tail' | 'corrupt';
}

export interface ScannedLogFile {
  readonly file: string;
  /** The zxid in the file name (log.<hex>), or null for a name that is not one. */
  readonly nameZxid: Zxid | null;
  readonly size: number;
  /** Valid entries from the start up to the first damage (or the end of data). */
  readonly entries: readonly ScannedEntry[];
  /** Header + valid entries. */
  readonly end: number;
  /** The first damage (scanning stops there), or null when the file is clean. */
  readonly damage: LogDamage | null;
}

export interface ScanLogOptions {
  /** Whether this is the newest segment (damage at its end is a torn tail). Default true. */
  readonly newest?: boolean;
  readonly fs?: StorageFs;
}

/** Scans one log segment file, read-only. */
export async function scanLogFile(file: string, options: ScanLogOptions = {}): Promise<ScannedLogFile> {
  const fs = options.fs ?? nodeFs;
  const f = await fs.open(file, 'read');
  let buf: Buffer;
  try {
    buf = await f.read(0, await f.size());
  } finally {
    await f.close();
  }
  return scanLogBuffer(file, buf, options.newest ?? true);
}

/** scanLogFile over bytes already read. */
export function scanLogBuffer(file: string, buf: Buffer, newest: boolean): ScannedLogFile {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const nameZxid = zxidFromFileName(name, 'log');
  const entries: ScannedEntry[] = [];
  const result = (end: number, damage: LogDamage | null): ScannedLogFile => ({ file, nameZxid, size: buf.length, entries, end, damage });
  const damageAt = (offset: number, reason: string): LogDamage => ({
    file,
    offset,
    reason,
    kind: newest && !validEntryAfter(buf, offset) ? 'torn-tail' : 'corrupt',
  });
  const headerOk = buf.length >= LOG_HEADER_BYTES && buf.toString('latin1', 0, 4) === LOG_MAGIC && buf.readUInt32BE(4) === LOG_VERSION;
  if (!headerOk) return result(0, damageAt(0, `bad segment header (want ${LOG_MAGIC} version ${LOG_VERSION})`));
  let offset = LOG_HEADER_BYTES;
  let prev: Zxid | null = null;
  for (;;) {
    const r = readEntryAt(buf, offset);
    if (r.kind === 'end') {
      if (validEntryAfter(buf, offset)) return result(offset, { file, offset, reason: 'zeroed entry with valid entries after it', kind: 'corrupt' });
      return result(offset, null);
    }
    if (r.kind === 'bad') return result(offset, damageAt(offset, r.reason));
    const z = r.entry.hdr.zxid;
    if (prev === null && nameZxid !== null && z !== nameZxid) return result(offset, { file, offset, reason: `first entry ${zxidToHex(z)} does not match the file name`, kind: 'corrupt' });
    if (prev !== null && z <= prev) return result(offset, { file, offset, reason: `entry ${zxidToHex(z)} does not advance past ${zxidToHex(prev)}`, kind: 'corrupt' });
    entries.push({ offset, bytes: r.next - offset, entry: r.entry });
    prev = z;
    offset = r.next;
  }
}

/** The log segment files (log.<hex>) in `dir`, oldest first, as full paths. */
export async function listLogFiles(dir: string, fs: StorageFs = nodeFs): Promise<string[]> {
  return (await fs.readdir(dir))
    .map((name) => ({ name, zxid: zxidFromFileName(name, 'log') }))
    .filter((n): n is { name: string; zxid: number } => n.zxid !== null)
    .sort((a, b) => a.zxid - b.zxid)
    .map((n) => join(dir, n.name));
}

/** Every segment in `dir`, oldest first; only the newest one's damage can be a torn tail. */
export async function scanLogDir(dir: string, fs: StorageFs = nodeFs): Promise<ScannedLogFile[]> {
  const files = await listLogFiles(dir, fs);
  const out: ScannedLogFile[] = [];
  for (let i = 0; i < files.length; i++) out.push(await scanLogFile(files[i]!, { newest: i === files.length - 1, fs }));
  return out;
}
