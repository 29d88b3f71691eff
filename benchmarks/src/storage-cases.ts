// The storage suite's building blocks, apart from its CLI (storage.ts) so tests can use them:
// opening each backend with fsync on, realistic log entries, a populated tree, the append case.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataTree } from '@zkts/data-tree';
import { OPEN_ACL_UNSAFE, OpCode, type Txn, type TxnHeader } from '@zkts/protocol';
import { FileSnapshotStore, FileTxnLog, VERSION_DIR } from '@zkts/storage-file';
import { MemorySnapshotStore, MemoryTxnLog } from '@zkts/storage-memory';
import { type LogEntry, type SnapshotStore, type TxnLog, encodeSnapshot } from '@zkts/txn-log';
import type { BenchCase } from './bench-adapter.js';
import { DEFAULT_LAYOUT, incompressibleBytes, keyPath } from './loadgen.js';
import type { ZktsStorage } from './servers.js';

export const BACKENDS: readonly ZktsStorage[] = ['memory', 'file', 'level', 'rocksdb'];
/** Bytes of data per znode and per setData txn (the "realistic entries"). */
export const VALUE_BYTES = 100;
/** The append cases free the log before the newest entry every this many entries (bounded memory). */
export const PURGE_EVERY_ENTRIES = 200_000;
/** Epoch 1: zxids (1 << 32) + counter, as a server writes them. */
export const EPOCH_BASE = 2 ** 32;

// ---------------------------------------------------------------- backends

export interface OpenedBackend {
  readonly txnLog: TxnLog;
  readonly snapshots: SnapshotStore;
  close(): Promise<void>;
}

type LevelModule = typeof import('@zkts/storage-level');
let levelModule: LevelModule | null | undefined;
/** @zkts/storage-level, or null (with the reason printed once) when it cannot be loaded. */
export async function loadLevel(): Promise<LevelModule | null> {
  if (levelModule === undefined) {
    try {
      levelModule = await import('@zkts/storage-level');
    } catch (e) {
      process.stdout.write(`note: @zkts/storage-level not available (${(e as Error).message.split('\n')[0]}): level and rocksdb skipped\n`);
      levelModule = null;
    }
  }
  return levelModule;
}

/** Opens a backend in `dir` with fsync on; memory ignores the dir. null = backend unavailable. */
export async function openBackend(kind: ZktsStorage, dir: string): Promise<OpenedBackend | null> {
  switch (kind) {
    case 'memory': {
      const txnLog = new MemoryTxnLog();
      return { txnLog, snapshots: new MemorySnapshotStore(), close: () => txnLog.close() };
    }
    case 'file': {
      const txnLog = await FileTxnLog.open({ dir: join(dir, VERSION_DIR), forceSync: true });
      const snapshots = await FileSnapshotStore.open({ dir: join(dir, VERSION_DIR), forceSync: true });
      return { txnLog, snapshots, close: () => txnLog.close() };
    }
    case 'level':
    case 'rocksdb': {
      const mod = await loadLevel();
      if (mod === null) return null;
      const s = await mod.openLevelStorage({ dataDir: dir, engine: kind, forceSync: true });
      return { txnLog: s.txnLog, snapshots: s.snapshots, close: () => s.close() };
    }
  }
}

// ---------------------------------------------------------------- workload

/** Incompressible and distinct, so LevelDB's and RocksDB's compression does not flatter their disk bytes. */
const VALUES: readonly Uint8Array[] = Array.from({ length: 1024 }, (_, i) => incompressibleBytes(VALUE_BYTES, i + 1));

/** A setData txn of VALUE_BYTES on one of `keys` nodes, as the server logs it. */
export function setDataEntry(zxid: number, keys: number): LogEntry {
  const hdr: TxnHeader = { clientId: 0x1000000000001n, cxid: zxid % 0x7fffffff, zxid, time: 1_790_000_000_000 + zxid % 1_000_000, type: OpCode.setData };
  const txn: Txn = { type: OpCode.setData, path: keyPath(DEFAULT_LAYOUT, zxid % keys), data: VALUES[zxid % VALUES.length]!, version: zxid % 1000 };
  return { hdr, txn };
}

/** A tree as populate() builds it: root, k, l, c, 10 list children, `n` key nodes of VALUE_BYTES. */
export function buildTree(n: number): DataTree {
  const tree = new DataTree();
  let zxid = EPOCH_BASE;
  const create = (path: string, data: Uint8Array | null): void => {
    zxid++;
    const hdr: TxnHeader = { clientId: 0x1000000000001n, cxid: zxid % 0x7fffffff, zxid, time: 1_790_000_000_000, type: OpCode.create };
    const r = tree.processTxn(hdr, { type: OpCode.create, path, data, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: -1 });
    if (r.err !== 0) throw new Error(`buildTree: create ${path} failed with ${r.err}`);
  };
  const root = DEFAULT_LAYOUT.root;
  for (const p of [root, `${root}/k`, `${root}/l`, `${root}/c`]) create(p, null);
  for (let i = 0; i < DEFAULT_LAYOUT.listChildren; i++) create(`${root}/l/c${i}`, VALUES[i]!);
  for (let i = 0; i < n; i++) create(keyPath(DEFAULT_LAYOUT, i), incompressibleBytes(VALUE_BYTES, i + 1));
  return tree;
}

export function snapshotBytes(tree: DataTree): number {
  let bytes = 0;
  for (const chunk of encodeSnapshot(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions: [], digest: tree.digest() })) bytes += chunk.length;
  return bytes;
}

/** append(batch) + flush() per op on a fresh log in a new directory below `parent` (removed after). */
export function appendCase(kind: ZktsStorage, batch: number, parent: string): BenchCase {
  let dir = '';
  let b: OpenedBackend | null = null;
  let zxid = EPOCH_BASE;
  let sincePurge = 0;
  return {
    name: kind,
    unitsPerOp: batch,
    setup: async () => {
      dir = mkdtempSync(join(parent, `zkts-bench-append-${kind}-`));
      b = await openBackend(kind, dir);
      if (b === null) throw new Error(`${kind} unavailable`);
    },
    fn: async () => {
      const log = b!.txnLog;
      const entries: LogEntry[] = new Array(batch);
      for (let i = 0; i < batch; i++) entries[i] = setDataEntry(++zxid, 1000);
      log.append(entries);
      await log.flush();
      sincePurge += batch;
      if (sincePurge >= PURGE_EVERY_ENTRIES) {
        sincePurge = 0;
        await log.purgeBefore(zxid);
      }
    },
    teardown: async () => {
      await b?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
