// Decoded transaction shapes the tree applies. They mirror ZooKeeper's txn records (TxnHeader,
// CreateTxn, ...) as plain objects; the byte codec lives elsewhere (txn-log / protocol).
import type { ACL, Stat } from '@zkts/protocol';

// The txn records are protocol's (one definition for the tree, the log and the wire).
export type { Txn, TxnHeader } from '@zkts/protocol';

export type Data = Uint8Array | null;

/** A watch trigger produced by a transaction: which table fired, for which path. */
export interface TxnEvent {
  type: number; // EventType
  path: string;
}

export interface SubTxnResult {
  /** The sub-txn's type as applied (OpCode.error for every op of a failed multi). */
  type: number;
  err: number;
  path: string | null;
  stat: Stat | null;
}

export interface WatchDelivery {
  watcher: number;
  event: { type: number; state: number; path: string };
  /** ACL of the node the event is about (ZooKeeper 3.9.2+ filters recursive watchers by READ). */
  acl: readonly ACL[] | null;
}

export interface ProcessTxnResult {
  clientId: bigint;
  cxid: number;
  zxid: number;
  type: number;
  err: number;
  path: string | null;
  stat: Stat | null;
  multiResults: SubTxnResult[] | null;
  /** Watch triggers in firing order. */
  events: TxnEvent[];
  /** The same triggers resolved against the tree's WatchManager (one-shot watches removed). */
  deliveries: WatchDelivery[];
}
