// The shared storage SPI contract against the memory backend. A "restart" here is crash():
// what was flushed survives, what was only appended does not.
import { epochStoreContract, recoveryContract, snapshotStoreContract, txnLogContract } from '../../txn-log/src/test-support/contract.js';
import { MemoryEpochStore } from './memory-epoch-store.js';
import { MemorySnapshotStore } from './memory-snapshot-store.js';
import { MemoryTxnLog } from './memory-txn-log.js';

const corruptMiddle = (store: MemorySnapshotStore, zxid: number) => store.corrupt(zxid, Math.floor(store.sizeOf(zxid) / 2));

txnLogContract('memory', async () => {
  const log = new MemoryTxnLog();
  return { log, reopen: async () => (log.crash(), log), cleanup: async () => {} };
});

snapshotStoreContract('memory', async () => {
  const store = new MemorySnapshotStore();
  return { store, corrupt: async (z) => corruptMiddle(store, z), reopen: async () => store, cleanup: async () => {} };
});

epochStoreContract('memory', async () => {
  const store = new MemoryEpochStore();
  return { store, reopen: async () => store, cleanup: async () => {} };
});

recoveryContract('memory', async () => {
  const log = new MemoryTxnLog();
  const snapshots = new MemorySnapshotStore();
  return {
    log,
    snapshots,
    corruptSnapshot: async (z) => corruptMiddle(snapshots, z),
    reopen: async () => (log.crash(), { log, snapshots }),
    cleanup: async () => {},
  };
});
