// LevelTxnLog: the transaction log as keys 'L' + zxid (8 bytes big-endian) in a LevelDB or
// RocksDB database, each value one entry in txn-log's framing (u32 length | u32 crc32 | body).
//
// Group commit: append() encodes into memory; flush() writes everything appended since the last
// flush as ONE batch with sync:true (one write-ahead-log fsync), and flushes called while a
// batch is being written share the next one. forceSync=false writes the batch without sync.
//
// The engine's own write-ahead log makes each batch atomic, so there is no torn tail to cut.
// A value that fails its checksum is damage: the newest entry alone damaged is cut at open and
// reported in `dropped` (the file backend's torn-tail rule); damage anywhere else rejects with
// a CorruptionError naming the key when it is read (recovery then refuses to start).
import { CorruptionError, type Dropped, type LogEntry, type TxnLog, type Zxid, encodeEntries, readEntryAt, zxidToHex } from '@zkts/txn-log';
import type { KvOp, KvStore } from './kv.js';
import { LOG_END, LOG_START, logKey, zxidOfKey } from './keys.js';

/** Keys deleted per batch by purgeBefore (bounded memory for a long log). */
export const PURGE_BATCH_KEYS = 10_000;

export interface LevelTxnLogOptions {
  readonly kv: KvStore;
  /** ZooKeeper's forceSync: false writes batches without sync (not durable; tests, benchmarks). */
  readonly forceSync?: boolean;
  /** Called once by close() after the last flush (openLevelStorage closes its databases here). */
  readonly onClose?: () => Promise<void>;
}

export class LevelTxnLog implements TxnLog {
  readonly dropped: Dropped[] = [];
  private readonly kv: KvStore;
  private readonly forceSync: boolean;
  private last: Zxid = 0;
  private pendingEntries: LogEntry[] = [];
  private pendingValues: Buffer[] = [];
  private writingEntries: readonly LogEntry[] = [];
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private failed: Error | null = null;
  private closed = false;

  /** Opens the log in `kv`: finds the last zxid, cutting a damaged newest entry. */
  static async open(options: LevelTxnLogOptions): Promise<LevelTxnLog> {
    const log = new LevelTxnLog(options);
    await log.load();
    return log;
  }

  private constructor(private readonly options: LevelTxnLogOptions) {
    this.kv = options.kv;
    this.forceSync = options.forceSync ?? true;
  }

  /** Where an entry lives, for messages: <db location>:log.<zxid hex> */
  private nameOf(zxid: Zxid): string {
    return `${this.kv.location}:log.${zxid.toString(16)}`;
  }

  private decode(key: Buffer, value: Buffer): LogEntry | string {
    const zxid = zxidOfKey(key);
    const r = readEntryAt(value, 0);
    if (r.kind === 'end') return 'empty value';
    if (r.kind === 'bad') return r.reason;
    if (r.next !== value.length) return `${value.length - r.next} bytes after the entry`;
    if (r.entry.hdr.zxid !== zxid) return `entry zxid ${zxidToHex(r.entry.hdr.zxid)} under key ${zxidToHex(zxid)}`;
    return r.entry;
  }

  private async load(): Promise<void> {
    const newest: Array<[Buffer, Buffer]> = [];
    for await (const kv of this.kv.entries({ gte: LOG_START, lt: LOG_END, reverse: true, limit: 2 })) newest.push(kv);
    if (newest.length === 0) return;
    const [lastKey, lastValue] = newest[0]!;
    const last = this.decode(lastKey, lastValue);
    if (typeof last !== 'string') {
      this.last = last.hdr.zxid;
      return;
    }
    const prev = newest[1];
    const prevDecoded = prev === undefined ? null : this.decode(prev[0], prev[1]);
    if (typeof prevDecoded === 'string') {
      throw new CorruptionError(this.nameOf(zxidOfKey(prev![0])), 0, `${prevDecoded} (and the newest entry after it is damaged too)`, prev![1].length);
    }
    // Only the newest entry is damaged: cut it, as the file backend cuts a torn tail.
    await this.kv.write([{ type: 'del', key: lastKey }], { sync: true });
    this.dropped.push({ file: this.nameOf(zxidOfKey(lastKey)), offset: 0, bytes: lastValue.length, reason: last });
    this.last = prevDecoded === null ? 0 : prevDecoded.hdr.zxid;
  }

  append(entries: readonly LogEntry[]): void {
    this.usable();
    if (entries.length === 0) return;
    let prev = this.last;
    for (const e of entries) {
      const zxid = e.hdr.zxid;
      if (!Number.isSafeInteger(zxid) || zxid <= prev) throw new RangeError(`log append: zxid ${zxidToHex(zxid)} does not advance past ${zxidToHex(prev)}`);
      prev = zxid;
    }
    const buf = encodeEntries(entries);
    // One encoding for the batch, sliced (no copy) into one value per entry.
    let offset = 0;
    for (const e of entries) {
      const end = offset + 8 + buf.readUInt32BE(offset);
      this.pendingValues.push(buf.subarray(offset, end));
      this.pendingEntries.push(e);
      offset = end;
    }
    this.last = prev;
  }

  flush(): Promise<void> {
    try {
      this.usable();
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.queued) return this.queued;
    if (this.pendingEntries.length === 0) return this.inFlight ?? Promise.resolve();
    if (this.inFlight) {
      const queued = this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.writePending();
        });
      this.queued = queued;
      return queued;
    }
    return this.writePending();
  }

  /** Writes everything pending as one batch (the group commit). */
  private writePending(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pendingEntries.length === 0) return this.inFlight ?? Promise.resolve();
    const entries = this.pendingEntries;
    const values = this.pendingValues;
    this.pendingEntries = [];
    this.pendingValues = [];
    this.writingEntries = entries;
    const ops: KvOp[] = entries.map((e, i) => ({ type: 'put', key: logKey(e.hdr.zxid), value: values[i]! }));
    const written: Promise<void> = this.kv.write(ops, { sync: this.forceSync }).then(
      () => {
        if (this.inFlight === written) this.inFlight = null;
        this.writingEntries = [];
      },
      (e: unknown) => {
        // A failed write leaves the log in an unknown state: refuse further use (ZooKeeper exits).
        this.failed = e instanceof Error ? e : new Error(String(e));
        if (this.inFlight === written) this.inFlight = null;
        throw this.failed;
      },
    );
    this.inFlight = written;
    return written;
  }

  lastZxid(): Zxid {
    return this.last;
  }

  async *readFrom(zxid: Zxid): AsyncIterable<LogEntry> {
    this.usable();
    // What is stored or buffered right now; the database part stops where the buffered part starts.
    const tail = [...this.writingEntries, ...this.pendingEntries];
    const from = logKey(Math.max(0, Math.ceil(zxid)));
    const to = tail.length > 0 ? logKey(tail[0]!.hdr.zxid) : LOG_END;
    for await (const [key, value] of this.kv.entries({ gte: from, lt: to })) {
      const entry = this.decode(key, value);
      if (typeof entry === 'string') throw new CorruptionError(this.nameOf(zxidOfKey(key)), 0, entry, value.length);
      yield entry;
    }
    for (const e of tail) if (e.hdr.zxid >= zxid) yield e;
  }

  async truncateAfter(zxid: Zxid): Promise<void> {
    this.usable();
    await this.flush();
    // Newest first, so a crash part-way through the batches leaves a shorter log, never a gap.
    let ops: KvOp[] = [];
    for await (const key of this.kv.keys({ gt: logKey(Math.max(0, Math.floor(zxid))), lt: LOG_END, reverse: true })) {
      ops.push({ type: 'del', key });
      if (ops.length >= PURGE_BATCH_KEYS) {
        await this.kv.write(ops, { sync: false });
        ops = [];
      }
    }
    await this.kv.write(ops, { sync: true });
    this.last = 0;
    for await (const key of this.kv.keys({ gte: LOG_START, lt: LOG_END, reverse: true, limit: 1 })) this.last = zxidOfKey(key);
  }

  async purgeBefore(zxid: Zxid): Promise<void> {
    this.usable();
    // Never the newest stored entry: a log with entries keeps knowing its last zxid.
    let newest: Buffer | null = null;
    for await (const key of this.kv.keys({ gte: LOG_START, lt: LOG_END, reverse: true, limit: 1 })) newest = key;
    if (newest === null) return;
    const bound = logKey(Math.max(0, Math.ceil(zxid)));
    const lt = Buffer.compare(bound, newest) < 0 ? bound : newest;
    // Losing a purge in a crash only leaves older entries behind, so no sync here.
    let ops: KvOp[] = [];
    for await (const key of this.kv.keys({ gte: LOG_START, lt })) {
      ops.push({ type: 'del', key });
      if (ops.length >= PURGE_BATCH_KEYS) {
        await this.kv.write(ops, { sync: false });
        ops = [];
      }
    }
    await this.kv.write(ops, { sync: false });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failed) await this.flush();
    } finally {
      this.closed = true;
      await this.options.onClose?.();
    }
  }

  private usable(): void {
    if (this.closed) throw new Error(`LevelTxnLog ${this.kv.location} is closed`);
    if (this.failed) throw this.failed;
  }
}
