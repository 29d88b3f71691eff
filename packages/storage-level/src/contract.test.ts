// The shared storage SPI contract against both engines. A "restart" closes the databases and
// opens them again. The snapshot chunk is small so the contract's snapshots span several chunks.
import { epochStoreContract, recoveryContract, snapshotStoreContract, txnLogContract } from '../../txn-log/src/test-support/contract.js';
import { openLevelStorage } from './storage.js';
import { ENGINES, corruptSnapshot, mainKv, tempDir } from './test-support/tmp.js';

const CHUNK_BYTES = 1024;

for (const engine of ENGINES) {
  async function opened() {
    const t = await tempDir();
    const open = () => openLevelStorage({ dataDir: t.dir, engine, snapshotChunkBytes: CHUNK_BYTES });
    let s = await open();
    return {
      get s() {
        return s;
      },
      async reopen() {
        await s.close();
        s = await open();
        return s;
      },
      async cleanup() {
        await s.close();
        await t.remove();
      },
    };
  }

  txnLogContract(engine, async () => {
    const o = await opened();
    return {
      get log() {
        return o.s.txnLog;
      },
      reopen: async () => (await o.reopen()).txnLog,
      cleanup: o.cleanup,
    };
  });

  snapshotStoreContract(engine, async () => {
    const o = await opened();
    return {
      get store() {
        return o.s.snapshots;
      },
      corrupt: (zxid) => corruptSnapshot(mainKv(o.s), zxid),
      reopen: async () => (await o.reopen()).snapshots,
      cleanup: o.cleanup,
    };
  });

  epochStoreContract(engine, async () => {
    const o = await opened();
    return { store: o.s.epochs, reopen: async () => (await o.reopen()).epochs, cleanup: o.cleanup };
  });

  recoveryContract(engine, async () => {
    const o = await opened();
    return {
      get log() {
        return o.s.txnLog;
      },
      get snapshots() {
        return o.s.snapshots;
      },
      corruptSnapshot: (zxid) => corruptSnapshot(mainKv(o.s), zxid),
      reopen: async () => {
        const s = await o.reopen();
        return { log: s.txnLog, snapshots: s.snapshots };
      },
      cleanup: o.cleanup,
    };
  });
}
