// Non-durable TxnLog for tests, simulation and the in-memory server: flush resolves at once.
import type { LogEntry, TxnLog, Zxid } from '@zkts/txn-log';

export class MemoryTxnLog implements TxnLog {
  private readonly entries: LogEntry[] = [];

  append(entries: readonly LogEntry[]): void {
    for (const e of entries) {
      const last = this.lastZxid();
      if (e.hdr.zxid <= last) throw new RangeError(`append out of order: zxid ${e.hdr.zxid} after ${last}`);
      this.entries.push(e);
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  lastZxid(): Zxid {
    return this.entries.length ? this.entries[this.entries.length - 1]!.hdr.zxid : 0;
  }

  async *readFrom(zxid: Zxid): AsyncIterable<LogEntry> {
    for (const e of this.entries) if (e.hdr.zxid >= zxid) yield e;
  }

  async truncateAfter(zxid: Zxid): Promise<void> {
    while (this.entries.length && this.entries[this.entries.length - 1]!.hdr.zxid > zxid) this.entries.pop();
  }

  async purgeBefore(zxid: Zxid): Promise<void> {
    const keepFrom = this.entries.findIndex((e) => e.hdr.zxid >= zxid);
    this.entries.splice(0, keepFrom === -1 ? this.entries.length : keepFrom);
  }

  get size(): number {
    return this.entries.length;
  }

  async close(): Promise<void> {}
}
