// recover() from txn-log bound to DataTree: the newest valid snapshot (DataTree.fromNodes,
// checked against its digest) plus DataTree.processTxn of every logged txn after it.
import { DataTree, type DataTreeOptions } from '@zkts/data-tree';
import { type Dropped, type RecoverOptions, type RecoveryTarget, type SessionRecord, type SnapshotStore, type TxnLog, type Zxid, recover } from '@zkts/txn-log';

export interface RecoveredTree {
  readonly tree: DataTree;
  readonly sessions: SessionRecord[];
  readonly lastZxid: Zxid;
  readonly snapshotZxid: Zxid | null;
  readonly replayed: number;
  readonly dropped: Dropped[];
  readonly digestMismatches: Zxid[];
}

export function dataTreeTarget(options: DataTreeOptions = {}): RecoveryTarget<DataTree> {
  return {
    restore: (s) => (s === null ? new DataTree(options) : DataTree.fromNodes(s.nodes, s.zxid, options)),
    apply: (tree, e) => void tree.processTxn(e.hdr, e.txn),
    digest: (tree) => tree.digest(),
    size: (tree) => tree.nodeCount,
  };
}

/** `recoverOptions`: progress reports (onProgress, now, progressIntervalMs), see txn-log's recover. */
export async function recoverDataTree(log: TxnLog, snapshots: SnapshotStore, options: DataTreeOptions = {}, recoverOptions: RecoverOptions = {}): Promise<RecoveredTree> {
  const { state, ...rest } = await recover(log, snapshots, dataTreeTarget(options), recoverOptions);
  return { tree: state, ...rest };
}
