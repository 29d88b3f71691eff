// The storage SPI seen by the server and ZAB. A log entry is a txn header, its decoded txn and,
// optionally, the digest of the tree after it (ZooKeeper logs a TxnDigest beside each txn).
import type { Txn, TxnDigest, TxnHeader } from '@zkts/protocol';
import type { Zxid } from './zxid.js';

export interface LogEntry {
  readonly hdr: TxnHeader;
  readonly txn: Txn;
  /** The tree digest after applying this txn, when the leader computed one. */
  readonly digest?: TxnDigest | undefined;
}

/** A stretch of a file that opening or recovery cut off or skipped, and why. */
export interface Dropped {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
}

/** The transaction log: appends are buffered in zxid order; flush makes them durable. */
export interface TxnLog {
  /** Buffers entries (zxids strictly increasing); throws RangeError on one that does not advance. */
  append(entries: readonly LogEntry[]): void;
  /** Resolves once everything appended so far is durable (one fsync for the whole batch). */
  flush(): Promise<void>;
  /** The zxid of the last appended entry (flushed or not); 0 when empty. */
  lastZxid(): Zxid;
  /** Every entry with zxid >= `zxid`, in order (appended-but-unflushed ones last). */
  readFrom(zxid: Zxid): AsyncIterable<LogEntry>;
  /** Drops every entry after `zxid` (a follower's TRUNC), durably. */
  truncateAfter(zxid: Zxid): Promise<void>;
  /**
   * Frees entries before `zxid` where the backend can: readFrom(zxid) is unchanged afterwards,
   * older entries may or may not remain (a file backend deletes whole segments only).
   */
  purgeBefore(zxid: Zxid): Promise<void>;
  close(): Promise<void>;
  /** What opening the log cut off (a torn or corrupt tail); empty when nothing was. */
  readonly dropped?: readonly Dropped[];
}

/** DI token for the TxnLog (the interface and its token share one name). */
export const TxnLog: symbol & { readonly __type?: TxnLog } = Symbol('TxnLog');
