// FileTxnLog: the transaction log as append-only segment files in dataLogDir.
//
//   segment file  log.<first zxid hex>
//   header        "ZKTL" | u32 version (1) | u64 dbId (0)                         16 bytes
//   entries       txn-log's entry framing (u32 length | u32 crc32 | body), back to back
//   padding       zeros up to the preallocated size (a zero length ends the entries)
//
// Group commit: append() encodes into a buffer; flush() writes everything buffered with one
// write and one fsync, and flushes called while one runs share the next one. A segment is
// rolled (a new file started) at a flush once the active one holds snapCount/2 +
// random(snapCount/2) entries, as ZooKeeper's SyncRequestProcessor does.
//
// Opening scans every segment: its entries, read in chunks as far as the first all-zero entry
// prefix, then the preallocated rest checked to be zeros a chunk at a time (never held whole).
// Anything else after the entries (or a bad entry) makes the scan read the whole segment and
// judge it as follows. A bad entry at the end of the newest segment (nothing valid
// after it) is a torn write: it is cut off and reported in `dropped`. A bad entry with valid
// data after it, or in an older segment, is corruption: open() refuses with a CorruptionError
// naming the file and offset.
import { join } from 'node:path';
import {
  CorruptionError,
  type Dropped,
  ENTRY_BODY_BYTES_MAX,
  ENTRY_BODY_BYTES_MIN,
  ENTRY_PREFIX_BYTES,
  type LogEntry,
  type TxnLog,
  type Zxid,
  allZero,
  checkEntryAt,
  encodeEntries,
  logFileName,
  readEntryAt,
  validEntryAfter,
  zxidFromFileName,
  zxidToHex,
} from '@zkts/txn-log';
import { type StorageFile, type StorageFs, nodeFs } from './fs.js';

export const LOG_MAGIC = 'ZKTL';
export const LOG_VERSION = 1;
export const LOG_HEADER_BYTES = 16;
/** ZooKeeper's zookeeper.preAllocSize default: 64 MB. */
export const PRE_ALLOC_SIZE_BYTES_DEFAULT = 64 * 1024 * 1024;
/** Bytes read at a time when opening a segment. */
export const OPEN_READ_CHUNK_BYTES = 4 * 1024 * 1024;
/** ZooKeeper's snapCount default. */
export const SNAP_COUNT_DEFAULT = 100_000;
/** ZooKeeper raises a snapCount below 2 to 2. */
export const SNAP_COUNT_MIN = 2;

export interface FileTxnLogOptions {
  /** dataLogDir (ZooKeeper adds version-2 below it; registerFileStorage does that). */
  readonly dir: string;
  readonly preAllocSizeBytes?: number;
  readonly snapCount?: number;
  /** Uniform in [0, 1): picks each segment's roll point. Default Math.random. */
  readonly random?: () => number;
  /** ZooKeeper's forceSync: false skips fsync (not durable; for tests and benchmarks). */
  readonly forceSync?: boolean;
  readonly fs?: StorageFs;
}

interface Segment {
  readonly name: string;
  readonly path: string;
  readonly firstZxid: Zxid;
  lastZxid: Zxid;
  count: number;
  /** Bytes of header + valid entries. */
  end: number;
  /** The file's size (end + zero padding). */
  allocated: number;
  /**
   * Where every LOG_SEEK_MARK_ENTRIES-th entry found by the open scan starts (zxids ascending):
   * readFrom starts at the last mark at or before its zxid instead of the segment's start.
   */
  marks: { zxid: Zxid; offset: number }[];
}

/** One seek mark per this many entries of the open scan (16 bytes each: ~1.6 KiB per 100k entries). */
export const LOG_SEEK_MARK_ENTRIES = 1024;

export class FileTxnLog implements TxnLog {
  readonly dropped: Dropped[] = [];
  private readonly fs: StorageFs;
  private readonly preAlloc: number;
  private readonly snapCount: number;
  private readonly random: () => number;
  private readonly forceSync: boolean;
  private segments: Segment[] = [];
  private active: StorageFile | null = null;
  /** Entries after which the active segment is rolled; drawn when a segment is created or reopened. */
  private rollAt: number;
  private last: Zxid = 0;
  private pendingBufs: Buffer[] = [];
  private pendingEntries: LogEntry[] = [];
  private writingEntries: readonly LogEntry[] = [];
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private failed: Error | null = null;
  private closed = false;

  /** Opens (creating if needed) the log in `options.dir`, cutting a torn tail. */
  static async open(options: FileTxnLogOptions): Promise<FileTxnLog> {
    const log = new FileTxnLog(options);
    await log.load();
    return log;
  }

  private constructor(readonly options: FileTxnLogOptions) {
    this.fs = options.fs ?? nodeFs;
    this.preAlloc = options.preAllocSizeBytes ?? PRE_ALLOC_SIZE_BYTES_DEFAULT;
    this.snapCount = options.snapCount ?? SNAP_COUNT_DEFAULT;
    this.random = options.random ?? Math.random;
    this.forceSync = options.forceSync ?? true;
    if (!Number.isInteger(this.preAlloc) || this.preAlloc < 1) throw new RangeError(`preAllocSizeBytes ${this.preAlloc} must be a positive integer`);
    if (!Number.isInteger(this.snapCount) || this.snapCount < SNAP_COUNT_MIN) throw new RangeError(`snapCount ${this.snapCount} must be an integer >= ${SNAP_COUNT_MIN}`);
    this.rollAt = Math.floor(this.snapCount / 2); // redrawn for each segment
  }

  /** ZooKeeper's roll point: snapCount/2 + random(snapCount/2), so peers do not roll together. */
  private nextRollAt(): number {
    const half = Math.floor(this.snapCount / 2);
    const r = this.random();
    if (!(r >= 0 && r < 1)) throw new RangeError(`random() returned ${r}, outside [0, 1)`);
    return Math.max(1, half + Math.floor(r * half));
  }

  /** The segment files, oldest first (names and first zxids). */
  segmentNames(): string[] {
    return this.segments.map((s) => s.name);
  }

  private async load(): Promise<void> {
    const dir = this.options.dir;
    await this.fs.mkdirp(dir);
    const names = (await this.fs.readdir(dir))
      .map((name) => ({ name, zxid: zxidFromFileName(name, 'log') }))
      .filter((n): n is { name: string; zxid: number } => n.zxid !== null)
      .sort((a, b) => a.zxid - b.zxid);
    let prev = 0;
    for (let i = 0; i < names.length; i++) {
      const { name, zxid } = names[i]!;
      const isLast = i === names.length - 1;
      const path = join(dir, name);
      const f = await this.fs.open(path, 'read');
      let buf: Buffer;
      let size: number;
      try {
        size = await f.size();
        buf = await readEntriesPrefix(f, size);
      } finally {
        await f.close();
      }
      const seg = this.scanSegment(path, name, zxid, buf, isLast, prev);
      if (seg !== null) seg.allocated = size;
      if (seg === null) {
        await this.fs.unlink(path);
        await this.fs.syncDir(dir);
        continue;
      }
      if (seg.end < buf.length && !allZero(buf, seg.end, buf.length)) {
        // A torn tail: zero it so the padding is clean again.
        const h = await this.fs.open(path, 'update');
        await h.truncate(seg.end);
        await h.truncate(seg.allocated);
        await h.sync();
        await h.close();
      }
      this.segments.push(seg);
      prev = seg.lastZxid;
    }
    this.last = prev;
    const tail = this.segments.at(-1);
    if (tail) {
      this.active = await this.fs.open(tail.path, 'update');
      this.rollAt = this.nextRollAt();
    }
  }

  /** Validates one segment; null = the newest segment holds nothing valid (a torn creation). */
  private scanSegment(path: string, name: string, nameZxid: Zxid, buf: Buffer, isLast: boolean, prevZxid: Zxid): Segment | null {
    const headerOk = buf.length >= LOG_HEADER_BYTES && buf.toString('latin1', 0, 4) === LOG_MAGIC && buf.readUInt32BE(4) === LOG_VERSION;
    if (!headerOk) {
      if (isLast && !validEntryAfter(buf, 0)) {
        this.dropped.push({ file: path, offset: 0, bytes: buf.length, reason: 'segment header torn or missing; segment removed' });
        return null;
      }
      throw new CorruptionError(path, 0, `bad segment header (want ${LOG_MAGIC} version ${LOG_VERSION})`, buf.length);
    }
    const seg: Segment = { name, path, firstZxid: nameZxid, lastZxid: 0, count: 0, end: LOG_HEADER_BYTES, allocated: buf.length, marks: [] };
    let offset = LOG_HEADER_BYTES;
    for (;;) {
      // Framing, checksum and zxid only: entries are decoded when read (readFrom), not here.
      const r = checkEntryAt(buf, offset);
      if (r.kind === 'end') {
        if (validEntryAfter(buf, offset)) throw new CorruptionError(path, offset, 'zeroed entry with valid entries after it', buf.length);
        break;
      }
      if (r.kind === 'bad') {
        if (!isLast || validEntryAfter(buf, offset)) throw new CorruptionError(path, offset, r.reason, buf.length);
        let nonZeroEnd = buf.length;
        while (nonZeroEnd > offset && buf[nonZeroEnd - 1] === 0) nonZeroEnd--;
        this.dropped.push({ file: path, offset, bytes: nonZeroEnd - offset, reason: `torn tail: ${r.reason}` });
        break;
      }
      const z = r.zxid;
      if (seg.count === 0 && z !== nameZxid) throw new CorruptionError(path, offset, `first entry ${zxidToHex(z)} does not match the file name`, buf.length);
      if (z <= prevZxid) throw new CorruptionError(path, offset, `entry ${zxidToHex(z)} does not advance past ${zxidToHex(prevZxid)}`, buf.length);
      prevZxid = z;
      seg.lastZxid = z;
      if (seg.count % LOG_SEEK_MARK_ENTRIES === 0) seg.marks.push({ zxid: z, offset });
      seg.count++;
      offset = r.next;
      seg.end = offset;
    }
    if (seg.count === 0) {
      if (!isLast) throw new CorruptionError(path, LOG_HEADER_BYTES, 'segment holds no entries but is not the newest', buf.length);
      this.dropped.push({ file: path, offset: 0, bytes: seg.end, reason: 'newest segment holds no whole entry; segment removed' });
      return null;
    }
    return seg;
  }

  append(entries: readonly LogEntry[]): void {
    this.usable();
    let last = this.lastZxid();
    for (const e of entries) {
      if (e.hdr.zxid <= last) throw new RangeError(`append out of order: zxid ${zxidToHex(e.hdr.zxid)} after ${zxidToHex(last)}`);
      last = e.hdr.zxid;
    }
    if (entries.length === 0) return;
    this.pendingBufs.push(encodeEntries(entries));
    // A loop, not push(...entries): spreading a very large batch overflows the stack.
    for (const e of entries) this.pendingEntries.push(e);
  }

  lastZxid(): Zxid {
    return this.pendingEntries.at(-1)?.hdr.zxid ?? this.writingEntries.at(-1)?.hdr.zxid ?? this.last;
  }

  flush(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pendingEntries.length === 0) return this.inFlight ?? Promise.resolve();
    if (this.queued) return this.queued;
    const prev = this.inFlight ?? Promise.resolve();
    const next: Promise<void> = prev.then(() => {
      this.queued = null;
      this.inFlight = next;
      return this.writeBatch();
    });
    this.queued = next;
    const clear = () => {
      if (this.inFlight === next) this.inFlight = null;
    };
    next.then(clear, clear);
    return next;
  }

  /** Writes everything pending with one write and one fsync. */
  private async writeBatch(): Promise<void> {
    if (this.failed) throw this.failed;
    const entries = this.pendingEntries;
    const data = this.pendingBufs.length === 1 ? this.pendingBufs[0]! : Buffer.concat(this.pendingBufs);
    this.pendingEntries = [];
    this.pendingBufs = [];
    if (entries.length === 0) return;
    this.writingEntries = entries;
    try {
      let seg = this.segments.at(-1);
      if (seg === undefined || this.active === null || seg.count >= this.rollAt) {
        await this.active?.close();
        this.active = null;
        seg = await this.createSegment(entries[0]!.hdr.zxid, data);
      } else {
        const need = seg.end + data.length;
        if (need > seg.allocated) {
          seg.allocated = Math.ceil(need / this.preAlloc) * this.preAlloc;
          await this.active.truncate(seg.allocated);
        }
        await this.active.write(data, seg.end);
        if (this.forceSync) await this.active.sync();
        seg.end = need;
      }
      seg.count += entries.length;
      seg.lastZxid = entries.at(-1)!.hdr.zxid;
      this.last = seg.lastZxid;
      this.writingEntries = [];
    } catch (e) {
      // A failed write leaves the file in an unknown state: refuse further use (ZooKeeper exits).
      this.failed = e instanceof Error ? e : new Error(String(e));
      throw this.failed;
    }
  }

  /** Starts a segment whose first entries are `data`: header + data in one write, one fsync. */
  private async createSegment(firstZxid: Zxid, data: Buffer): Promise<Segment> {
    const name = logFileName(firstZxid);
    const path = join(this.options.dir, name);
    const header = Buffer.alloc(LOG_HEADER_BYTES);
    header.write(LOG_MAGIC, 0, 'latin1');
    header.writeUInt32BE(LOG_VERSION, 4);
    const end = LOG_HEADER_BYTES + data.length;
    const allocated = Math.ceil(end / this.preAlloc) * this.preAlloc;
    const f = await this.fs.open(path, 'create');
    await f.truncate(allocated);
    await f.write(Buffer.concat([header, data]), 0);
    if (this.forceSync) await f.sync();
    if (this.forceSync) await this.fs.syncDir(this.options.dir);
    this.active = f;
    const seg: Segment = { name, path, firstZxid, lastZxid: 0, count: 0, end, allocated, marks: [] };
    this.segments.push(seg);
    this.rollAt = this.nextRollAt();
    return seg;
  }

  async *readFrom(zxid: Zxid): AsyncIterable<LogEntry> {
    this.usable();
    // What is durable or buffered right now; later appends are not part of this read.
    const segs = this.segments.map((s) => ({ path: s.path, firstZxid: s.firstZxid, lastZxid: s.lastZxid, end: s.end, startAt: seekOffset(s.marks, zxid) }));
    const tail = [...this.writingEntries, ...this.pendingEntries];
    let start = 0;
    while (start + 1 < segs.length && segs[start + 1]!.firstZxid <= zxid) start++;
    for (const s of segs.slice(start)) {
      if (s.lastZxid < zxid) continue;
      yield* this.entriesOf(s.path, await this.readRange(s.path, s.startAt, s.end), s.startAt, zxid);
    }
    for (const e of tail) if (e.hdr.zxid >= zxid) yield e;
  }

  /** Bytes [from, end) of a segment file. */
  private async readRange(path: string, from: number, end: number): Promise<Buffer> {
    const f = await this.fs.open(path, 'read');
    try {
      return await f.read(from, end - from);
    } finally {
      await f.close();
    }
  }

  /**
   * The entries of `buf` (the segment's bytes from file offset `base`) from zxid `from` on,
   * decoded one at a time as the reader asks; those before `from` are skipped undecoded.
   */
  private *entriesOf(path: string, buf: Buffer, base: number, from: Zxid): Generator<LogEntry> {
    let offset = 0;
    while (offset < buf.length) {
      if (from > 0) {
        const c = checkEntryAt(buf, offset);
        if (c.kind === 'entry' && c.zxid < from) {
          offset = c.next;
          continue;
        }
        from = 0; // zxids ascend: every later entry is read
      }
      const r = readEntryAt(buf, offset);
      if (r.kind !== 'entry') throw new CorruptionError(path, base + offset, r.kind === 'bad' ? r.reason : 'entries end early', base + buf.length);
      offset = r.next;
      yield r.entry;
    }
  }

  async truncateAfter(zxid: Zxid): Promise<void> {
    this.usable();
    await this.flush();
    const dir = this.options.dir;
    let removed = false;
    while (this.segments.length > 0 && this.segments.at(-1)!.firstZxid > zxid) {
      const seg = this.segments.pop()!;
      await this.active?.close();
      this.active = null;
      await this.fs.unlink(seg.path);
      removed = true;
    }
    if (removed) await this.fs.syncDir(dir);
    const seg = this.segments.at(-1);
    if (seg === undefined) {
      this.last = 0;
      return;
    }
    this.active ??= await this.fs.open(seg.path, 'update');
    if (seg.lastZxid > zxid) {
      const buf = await this.active.read(0, seg.end);
      let offset = LOG_HEADER_BYTES;
      let count = 0;
      let last = 0;
      for (;;) {
        const r = checkEntryAt(buf, offset);
        if (r.kind !== 'entry' || r.zxid > zxid) break;
        offset = r.next;
        count++;
        last = r.zxid;
      }
      await this.active.truncate(offset); // drops the entries and the padding
      await this.active.truncate(seg.allocated); // zero padding again
      if (this.forceSync) await this.active.sync();
      seg.end = offset;
      seg.count = count;
      seg.lastZxid = last;
      seg.marks = seg.marks.filter((m) => m.offset < offset);
    }
    this.last = seg.lastZxid;
  }

  async purgeBefore(zxid: Zxid): Promise<void> {
    this.usable();
    let removed = false;
    // Segment i holds only zxids below the next segment's first zxid.
    while (this.segments.length > 1 && this.segments[1]!.firstZxid <= zxid) {
      const seg = this.segments.shift()!;
      await this.fs.unlink(seg.path);
      removed = true;
    }
    if (removed) await this.fs.syncDir(this.options.dir);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.failed) await this.flush();
    this.closed = true;
    await this.active?.close();
    this.active = null;
  }

  private usable(): void {
    if (this.closed) throw new Error('FileTxnLog is closed');
    if (this.failed) throw this.failed;
  }
}

/**
 * A segment's bytes as far as the scan needs them. Normally: the header and the entries, up to
 * the first all-zero entry prefix, after the rest of the file was checked to be zeros chunk by
 * chunk (so a zeroed entry with entries after it is still found). Scanning that prefix is the
 * same as scanning the whole file: what is cut off holds nothing. Whenever the walk meets
 * anything else (an odd header, a length out of range, an entry running past the end, non-zero
 * bytes after the zero prefix) it gives back the whole file, and scanSegment judges it as before.
 */
async function readEntriesPrefix(f: StorageFile, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let loaded = 0;
  /** Reads chunks until `need` bytes are loaded; false when the file ends first. */
  const load = async (need: number): Promise<boolean> => {
    while (loaded < need && loaded < size) {
      const chunk = await f.read(loaded, Math.min(OPEN_READ_CHUNK_BYTES, size - loaded));
      if (chunk.length === 0) break;
      chunks.push(chunk);
      loaded += chunk.length;
    }
    return loaded >= need;
  };
  const whole = async (): Promise<Buffer> => {
    await load(size);
    return Buffer.concat(chunks, loaded);
  };
  // Offsets only grow, so a cursor finds the chunk holding a byte.
  let at = 0;
  let atStart = 0;
  const byte = (offset: number): number => {
    while (offset >= atStart + chunks[at]!.length) atStart += chunks[at++]!.length;
    return chunks[at]![offset - atStart]!;
  };
  const u32 = (offset: number): number => ((byte(offset) << 24) | (byte(offset + 1) << 16) | (byte(offset + 2) << 8) | byte(offset + 3)) >>> 0;

  if (!(await load(LOG_HEADER_BYTES))) return whole();
  const first = chunks[0]!;
  if (first.length < LOG_HEADER_BYTES || first.toString('latin1', 0, 4) !== LOG_MAGIC || first.readUInt32BE(4) !== LOG_VERSION) return whole();
  let offset = LOG_HEADER_BYTES;
  for (;;) {
    if (!(await load(offset + ENTRY_PREFIX_BYTES))) return whole(); // no room for a prefix: the old path decides
    const length = u32(offset);
    if (length === 0 && u32(offset + 4) === 0) break;
    if (length < ENTRY_BODY_BYTES_MIN || length > ENTRY_BODY_BYTES_MAX) return whole();
    const next = offset + ENTRY_PREFIX_BYTES + length;
    if (!(await load(next))) return whole();
    offset = next;
  }
  // The entries end at offset (none: the old path); everything after it must be zero padding.
  if (offset === LOG_HEADER_BYTES) return whole();
  const last = chunks.at(-1)!;
  const lastStart = loaded - last.length;
  if (!allZero(last, Math.max(0, offset - lastStart), last.length)) return whole();
  for (let pos = loaded; pos < size; pos += OPEN_READ_CHUNK_BYTES) {
    const chunk = await f.read(pos, Math.min(OPEN_READ_CHUNK_BYTES, size - pos));
    if (chunk.length === 0 || !allZero(chunk, 0, chunk.length)) return whole();
  }
  return Buffer.concat(chunks, offset);
}

/** The offset of the last mark at or before `zxid` (the segment's first entry when none is). */
function seekOffset(marks: readonly { zxid: Zxid; offset: number }[], zxid: Zxid): number {
  let lo = 0;
  let hi = marks.length - 1;
  let at = LOG_HEADER_BYTES;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid]!.zxid <= zxid) {
      at = marks[mid]!.offset;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at;
}
