// The core's read view of its own log: the last committedLogMax committed entries (the leader's
// DIFF window, ZooKeeper's committedLog) and the logged-but-uncommitted tail with its data.
// Every mutation is also queued in the Ready for the runtime to persist.
import type { Entry, RecoveredState } from './config.js';
import type { ReadyQueue } from './ready.js';
import { zxidHex, type Zxid } from './zxid.js';

export class PeerLog {
  /** Highest zxid handed to the runtime to append (durable once that Ready is processed). */
  lastLogged: Zxid;
  /** Highest zxid handed to the runtime to apply. */
  lastCommitted: Zxid;
  /** Committed entries, oldest first, from index `head`. */
  private window: Entry[] = [];
  private head = 0;
  /** The zxid just before the window's first entry, when known. */
  private base: Zxid | undefined;
  /** The runtime cannot rebuild its state below this zxid (its oldest snapshot). */
  truncFloor: Zxid;
  /** (lastCommitted, lastLogged], ascending. */
  private readonly pending: Entry[] = [];

  constructor(private readonly committedLogMax: number, recovered: RecoveredState, private readonly out: ReadyQueue) {
    this.lastLogged = recovered.lastZxid;
    this.lastCommitted = recovered.lastZxid;
    this.truncFloor = recovered.snapshotZxid ?? 0;
    const tail = recovered.logTail.slice(-committedLogMax);
    this.window = [...tail];
    if (tail.length === 0) this.base = recovered.lastZxid;
    else if (tail.length < recovered.logTail.length) this.base = recovered.logTail[recovered.logTail.length - tail.length - 1]!.zxid;
    else this.base = recovered.tailPrevZxid ?? (recovered.lastZxid === 0 ? 0 : undefined);
  }

  get uncommitted(): readonly Entry[] {
    return this.pending;
  }

  get committedWindowSize(): number {
    return this.window.length - this.head;
  }

  append(entry: Entry): void {
    if (entry.zxid <= this.lastLogged) throw new Error(`zab: append ${zxidHex(entry.zxid)} not after ${zxidHex(this.lastLogged)}`);
    this.pending.push(entry);
    this.lastLogged = entry.zxid;
    this.out.append(entry);
  }

  /** Commits every pending entry up to `zxid`, in order; returns how many. */
  commitUpTo(zxid: Zxid): number {
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.zxid <= zxid) {
      const e = this.pending[n]!;
      this.window.push(e);
      this.out.commit(e);
      this.lastCommitted = e.zxid;
      n++;
    }
    if (n > 0) this.pending.splice(0, n);
    this.trimWindow();
    return n;
  }

  private trimWindow(): void {
    const excess = this.window.length - this.head - this.committedLogMax;
    if (excess <= 0) return;
    this.head += excess;
    this.base = this.window[this.head - 1]!.zxid;
    if (this.head > this.committedLogMax) {
      this.window = this.window.slice(this.head);
      this.head = 0;
    }
  }

  /** TRUNC: forget everything after `zxid`; the runtime rebuilds its state if it applied past it. */
  truncateAfter(zxid: Zxid): void {
    while (this.pending.length > 0 && this.pending[this.pending.length - 1]!.zxid > zxid) this.pending.pop();
    while (this.window.length > this.head && this.window[this.window.length - 1]!.zxid > zxid) this.window.pop();
    if (this.lastCommitted > zxid) {
      this.lastCommitted = zxid;
      if (this.window.length === this.head && (this.base === undefined || this.base > zxid)) this.base = zxid;
    }
    if (this.lastLogged > zxid) this.lastLogged = zxid;
    this.out.truncateAfter(zxid);
  }

  /** SNAP: the state and log restart at `zxid`. */
  installSnapshot(zxid: Zxid, data: Uint8Array): void {
    this.pending.length = 0;
    this.window = [];
    this.head = 0;
    this.base = zxid;
    this.lastLogged = zxid;
    this.lastCommitted = zxid;
    this.truncFloor = zxid;
    this.out.snapshot(zxid, data);
  }

  /** True when this log holds an entry at `zxid` (or `zxid` is where its known history starts). */
  contains(zxid: Zxid): boolean {
    if (zxid === this.base || zxid === this.lastCommitted || zxid === this.lastLogged) return true;
    return this.indexIn(this.window, this.head, zxid) >= 0 || this.indexIn(this.pending, 0, zxid) >= 0;
  }

  /** The first zxid this log can DIFF from (the window's base), if known. */
  firstKnown(): Zxid | undefined {
    if (this.base !== undefined) return this.base;
    return this.window.length > this.head ? this.window[this.head]!.zxid : this.lastCommitted;
  }

  /** Largest known zxid below `zxid`, or undefined when `zxid` is below the known history. */
  knownBefore(zxid: Zxid): Zxid | undefined {
    let best: Zxid | undefined;
    if (this.base !== undefined && this.base < zxid) best = this.base;
    for (let i = this.head; i < this.window.length; i++) {
      const z = this.window[i]!.zxid;
      if (z < zxid) best = z; else break;
    }
    for (const e of this.pending) {
      if (e.zxid < zxid) best = e.zxid; else break;
    }
    return best;
  }

  /** Entries in (after, upTo], committed and pending, ascending. */
  entriesBetween(after: Zxid, upTo: Zxid): Entry[] {
    const out: Entry[] = [];
    for (let i = this.head; i < this.window.length; i++) {
      const e = this.window[i]!;
      if (e.zxid > after && e.zxid <= upTo) out.push(e);
    }
    for (const e of this.pending) if (e.zxid > after && e.zxid <= upTo) out.push(e);
    return out;
  }

  private indexIn(list: readonly Entry[], from: number, zxid: Zxid): number {
    let lo = from;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const z = list[mid]!.zxid;
      if (z === zxid) return mid;
      if (z < zxid) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }
}
