// The shared storage SPI contract against the file backend. A "restart" closes and reopens the
// files. Small preallocation and snapCount so the contract also crosses segment rolls.
import { readFile, writeFile } from 'node:fs/promises';
import { epochStoreContract, recoveryContract, snapshotStoreContract, txnLogContract } from '../../txn-log/src/test-support/contract.js';
import type { TxnLog } from '@zkts/txn-log';
import { FileEpochStore } from './file-epoch-store.js';
import { FileSnapshotStore } from './file-snapshot-store.js';
import { FileTxnLog } from './file-txn-log.js';
import { seeded, tempDir } from './test-support/tmp.js';

const PRE_ALLOC_BYTES = 4096;
const SNAP_COUNT = 64;
const openLog = (dir: string) => FileTxnLog.open({ dir, preAllocSizeBytes: PRE_ALLOC_BYTES, snapCount: SNAP_COUNT, random: seeded(7) });

async function flipMiddle(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(path, bytes);
}

txnLogContract('file', async () => {
  const t = await tempDir();
  let log: TxnLog = await openLog(t.dir);
  return {
    get log() {
      return log;
    },
    async reopen() {
      await log.close();
      log = await openLog(t.dir);
      return log;
    },
    async cleanup() {
      await log.close();
      await t.remove();
    },
  };
});

snapshotStoreContract('file', async () => {
  const t = await tempDir();
  let store = await FileSnapshotStore.open({ dir: t.dir });
  return {
    get store() {
      return store;
    },
    corrupt: (zxid) => flipMiddle(store.pathOf(zxid)),
    async reopen() {
      store = await FileSnapshotStore.open({ dir: t.dir });
      return store;
    },
    cleanup: t.remove,
  };
});

epochStoreContract('file', async () => {
  const t = await tempDir();
  const store = await FileEpochStore.open({ dir: t.dir });
  return { store, reopen: () => FileEpochStore.open({ dir: t.dir }), cleanup: t.remove };
});

recoveryContract('file', async () => {
  const t = await tempDir();
  let log: TxnLog = await openLog(`${t.dir}/log`);
  let snapshots = await FileSnapshotStore.open({ dir: `${t.dir}/snap` });
  return {
    get log() {
      return log;
    },
    get snapshots() {
      return snapshots;
    },
    corruptSnapshot: (zxid) => flipMiddle(snapshots.pathOf(zxid)),
    async reopen() {
      await log.close();
      log = await openLog(`${t.dir}/log`);
      snapshots = await FileSnapshotStore.open({ dir: `${t.dir}/snap` });
      return { log, snapshots };
    },
    async cleanup() {
      await log.close();
      await t.remove();
    },
  };
});
