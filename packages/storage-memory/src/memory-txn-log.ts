// Non-durable TxnLog for tests, simulation and the in-memory server. append() buffers; flush()
// marks the buffer durable at once; crash() loses what was appended but never flushed, as a
// machine crash would with a real log.
import type { LogEntry, TxnLog, Zxid } from '@zkts/txn-log';

export class MemoryTxnLog implements TxnLog {
  private readonly durable: LogEntry[] = [];
  private pending: LogEntry[] = [];
  /** Flushes that had something to make durable (what a file backend would fsync). */
  syncs = 0;
  readonly dropped = [];

  append(entries: readonly LogEntry[]): void {
    let last = this.lastZxid();
    for (const e of entries) {
      if (e.hdr.zxid <= last) throw new RangeError(`append out of order: zxid ${e.hdr.zxid} after ${last}`);
      last = e.hdr.zxid;
    }
    this.pending.push(...entries);
  }

  flush(): Promise<void> {
    if (this.pending.length > 0) {
      this.durable.push(...this.pending);
      this.pending = [];
      this.syncs++;
    }
    return Promise.resolve();
  }

  lastZxid(): Zxid {
    const last = this.pending.at(-1) ?? this.durable.at(-1);
    return last ? last.hdr.zxid : 0;
  }

  async *readFrom(zxid: Zxid): AsyncIterable<LogEntry> {
    for (const e of [...this.durable, ...this.pending]) if (e.hdr.zxid >= zxid) yield e;
  }

  async truncateAfter(zxid: Zxid): Promise<void> {
    await this.flush();
    while (this.durable.length && this.durable[this.durable.length - 1]!.hdr.zxid > zxid) this.durable.pop();
  }

  async purgeBefore(zxid: Zxid): Promise<void> {
    const keepFrom = this.durable.findIndex((e) => e.hdr.zxid >= zxid);
    this.durable.splice(0, keepFrom === -1 ? this.durable.length : keepFrom);
  }

  /** Entries held, flushed or not. */
  get size(): number {
    return this.durable.length + this.pending.length;
  }

  /** Simulates a crash: entries appended since the last flush are lost. */
  crash(): void {
    this.pending = [];
  }

  async close(): Promise<void> {}
}
