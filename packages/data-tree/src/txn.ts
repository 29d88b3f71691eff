// Decoded transaction shapes the tree applies. They mirror ZooKeeper's txn records (TxnHeader,
// CreateTxn, ...) as plain objects; the byte codec lives elsewhere (txn-log / protocol).
import { OpCode } from '@zkts/protocol';
import type { ACL, Stat } from '@zkts/protocol';

export interface TxnHeader {
  clientId: bigint;
  cxid: number;
  zxid: number;
  time: number;
  type: number;
}

export type Data = Uint8Array | null;

export interface CreateTxn {
  type: typeof OpCode.create | typeof OpCode.create2;
  path: string;
  data: Data;
  acl: readonly ACL[];
  ephemeral: boolean;
  /** The parent's create-count after this create; -1 means "current + 1" (old logs). */
  parentCVersion: number;
}
export interface CreateContainerTxn {
  type: typeof OpCode.createContainer;
  path: string;
  data: Data;
  acl: readonly ACL[];
  parentCVersion: number;
}
export interface CreateTTLTxn {
  type: typeof OpCode.createTTL;
  path: string;
  data: Data;
  acl: readonly ACL[];
  parentCVersion: number;
  ttl: number;
}
export interface DeleteTxn {
  type: typeof OpCode.delete | typeof OpCode.deleteContainer;
  path: string;
}
export interface SetDataTxn {
  type: typeof OpCode.setData;
  path: string;
  data: Data;
  version: number;
}
export interface SetACLTxn {
  type: typeof OpCode.setACL;
  path: string;
  acl: readonly ACL[];
  version: number;
}
export interface CheckVersionTxn {
  type: typeof OpCode.check;
  path: string;
  version: number;
}
export interface ErrorTxn {
  type: typeof OpCode.error;
  err: number;
}
export interface CreateSessionTxn {
  type: typeof OpCode.createSession;
  timeOut: number;
}
export interface CloseSessionTxn {
  type: typeof OpCode.closeSession;
  /** Ephemerals the leader decided to delete; null for old logs (the tree uses its own list). */
  paths2Delete: readonly string[] | null;
}
export interface MultiTxn {
  type: typeof OpCode.multi;
  txns: readonly Txn[];
}

export type Txn =
  | CreateTxn
  | CreateContainerTxn
  | CreateTTLTxn
  | DeleteTxn
  | SetDataTxn
  | SetACLTxn
  | CheckVersionTxn
  | ErrorTxn
  | CreateSessionTxn
  | CloseSessionTxn
  | MultiTxn;

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
