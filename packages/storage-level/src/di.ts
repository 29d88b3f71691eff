// The only tsyringe surface of this package: opens the backend and binds the TxnLog,
// SnapshotStore and EpochStore tokens to it.
import type { DependencyContainer } from 'tsyringe';
import { EpochStore, SnapshotStore, TxnLog } from '@zkts/txn-log';
import { type LevelStorage, type LevelStorageOptions, openLevelStorage } from './storage.js';

/** Opens the LevelDB or RocksDB backend and registers it; resolves once usable. */
export async function registerLevelStorage(container: DependencyContainer, options: LevelStorageOptions): Promise<LevelStorage> {
  const storage = await openLevelStorage(options);
  container.register(TxnLog, { useValue: storage.txnLog });
  container.register(SnapshotStore, { useValue: storage.snapshots });
  container.register(EpochStore, { useValue: storage.epochs });
  return storage;
}
