// The only tsyringe surface of this package: opens the file backend and binds the TxnLog,
// SnapshotStore and EpochStore tokens to it.
import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { type Dropped, EpochStore, SnapshotStore, TxnLog } from '@zkts/txn-log';
import { FileEpochStore } from './file-epoch-store.js';
import { FileSnapshotStore } from './file-snapshot-store.js';
import { FileTxnLog, SNAP_COUNT_DEFAULT, SNAP_COUNT_MIN } from './file-txn-log.js';
import type { StorageFs } from './fs.js';

/** ZooKeeper keeps its files in <dataDir>/version-2 and <dataLogDir>/version-2. */
export const VERSION_DIR = 'version-2';
/** ZooKeeper's preAllocSize default, in KB. */
export const PRE_ALLOC_SIZE_KB_DEFAULT = 64 * 1024;

export interface FileStorageOptions {
  readonly dataDir: string;
  /** Defaults to dataDir, as in ZooKeeper. */
  readonly dataLogDir?: string;
  readonly preAllocSizeKb?: number;
  readonly snapCount?: number;
  readonly forceSync?: boolean;
  readonly random?: () => number;
  readonly fs?: StorageFs;
}

export interface FileStorage {
  readonly txnLog: FileTxnLog;
  readonly snapshots: FileSnapshotStore;
  readonly epochs: FileEpochStore;
  /** What opening cut off (torn log tail), for the startup log. */
  readonly dropped: readonly Dropped[];
}

function check(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new RangeError(`${name}=${v}: must be an integer >= ${min}`);
}

/** Opens the file backend (creating directories) and registers it; resolves once usable. */
export async function registerFileStorage(container: DependencyContainer, options: FileStorageOptions): Promise<FileStorage> {
  check('preAllocSizeKb', options.preAllocSizeKb, 1);
  check('snapCount', options.snapCount, SNAP_COUNT_MIN);
  if (!options.dataDir) throw new RangeError('dataDir: must be a directory path');
  const snapDir = join(options.dataDir, VERSION_DIR);
  const logDir = join(options.dataLogDir || options.dataDir, VERSION_DIR);
  const forceSync = options.forceSync ?? true;
  const fs = options.fs;
  const txnLog = await FileTxnLog.open({
    dir: logDir,
    preAllocSizeBytes: (options.preAllocSizeKb ?? PRE_ALLOC_SIZE_KB_DEFAULT) * 1024,
    snapCount: options.snapCount ?? SNAP_COUNT_DEFAULT,
    forceSync,
    ...(options.random ? { random: options.random } : {}),
    ...(fs ? { fs } : {}),
  });
  const snapshots = await FileSnapshotStore.open({ dir: snapDir, forceSync, ...(fs ? { fs } : {}) });
  const epochs = await FileEpochStore.open({ dir: snapDir, forceSync, ...(fs ? { fs } : {}) });
  container.register(TxnLog, { useValue: txnLog });
  container.register(SnapshotStore, { useValue: snapshots });
  container.register(EpochStore, { useValue: epochs });
  return { txnLog, snapshots, epochs, dropped: txnLog.dropped };
}
