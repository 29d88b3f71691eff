// The storage SPI seen by the server and ZAB. A log entry is a txn header and its decoded txn.
import type { Txn, TxnHeader } from '@zkts/protocol';
import type { Zxid } from './zxid.js';

export interface LogEntry {
  readonly hdr: TxnHeader;
  readonly txn: Txn;
}

/** The transaction log: appends are buffered in zxid order; flush makes them durable. */
export interface TxnLog {
  append(entries: readonly LogEntry[]): void;
  /** Resolves once everything appended so far is durable (one fsync for the whole batch). */
  flush(): Promise<void>;
  lastZxid(): Zxid;
  readFrom(zxid: Zxid): AsyncIterable<LogEntry>;
  /** Drops every entry after `zxid` (a follower's TRUNC). */
  truncateAfter(zxid: Zxid): Promise<void>;
  purgeBefore(zxid: Zxid): Promise<void>;
  close(): Promise<void>;
}

/** DI token for the TxnLog (the interface and its token share one name). */
export const TxnLog: symbol & { readonly __type?: TxnLog } = Symbol('TxnLog');
