// Storage for the standalone server: picks the backend named by zkts.storage, recovers the tree
// and sessions from it at startup, and takes snapshots (with autopurge) while serving.
import type { DependencyContainer } from 'tsyringe';
import { DataTree } from '@zkts/data-tree';
import { MemoryEpochStore, MemorySnapshotStore, MemoryTxnLog } from '@zkts/storage-memory';
import { recoverDataTree, registerFileStorage } from '@zkts/storage-file';
import { encodeSnapshotNow, formatRecoveryProgress, purgeStorage, SNAP_RETAIN_COUNT_MIN, zxidToHex, type Dropped, type EpochStore, type SessionRecord, type SnapshotStore, type TxnLog } from '@zkts/txn-log';
import { ConfigError, type ServerConfig } from './config/index.js';
import type { Logger } from './logger.js';

/** What the server needs to take snapshots: absent for a backend without snapshots (memory). */
export interface SnapshotPolicy {
  readonly snapshots: SnapshotStore;
  /** ZooKeeper's snapCount: a snapshot after snapCount/2 + random(snapCount/2) txns. */
  readonly snapCount: number;
  /** autopurge.snapRetainCount (at least 3). */
  readonly snapRetainCount: number;
  readonly random?: (() => number) | undefined;
  /** zkts.snapshotOnShutdown: a clean stop snapshots the final state (see Snapshotter.final). Default true. */
  readonly onShutdown?: boolean | undefined;
}

/** The storage a server starts from: its log, the recovered tree and sessions, snapshot policy. */
export interface OpenedStorage {
  readonly txnLog: TxnLog;
  readonly tree: DataTree;
  readonly sessions: readonly SessionRecord[];
  readonly snapshotPolicy?: SnapshotPolicy | undefined;
  /** The backend's snapshots and ZAB epochs (an ensemble member needs both; memory: non-durable). */
  readonly snapshots?: SnapshotStore | undefined;
  readonly epochs?: EpochStore | undefined;
}

const FILE_OPTION_KEYS: Record<string, string> = { snapCount: 'snapCount', preAllocSizeKb: 'preAllocSize', dataDir: 'dataDir' };

/** What recovery and the snapshotter need from a durable backend. */
interface DurableBackend {
  readonly txnLog: TxnLog;
  readonly snapshots: SnapshotStore;
  readonly epochs: EpochStore;
  readonly dropped: readonly Dropped[];
}

/**
 * Opens the durable backend named by cfg.zktsStorage: `file` (storage-file, <dataDir>/version-2
 * and <dataLogDir>/version-2), `level` or `rocksdb` (storage-level: one LevelDB / RocksDB
 * database in <dataDir>/level-v1 or rocksdb-v1; a dataLogDir other than dataDir gets the log's
 * own database there). A bad option is a ConfigError naming its zoo.cfg key.
 */
async function openDurableBackend(container: DependencyContainer, cfg: ServerConfig & { dataDir: string }, logger: Logger): Promise<DurableBackend> {
  const dataLogDir = cfg.dataLogDir ?? cfg.dataDir;
  const logDirText = dataLogDir !== cfg.dataDir ? `, dataLogDir ${dataLogDir}` : '';
  try {
    if (cfg.zktsStorage === 'level' || cfg.zktsStorage === 'rocksdb') {
      // Loaded only when chosen: its native LevelDB/RocksDB modules add ~15 MiB RSS and start-up time.
      const { ENGINE_DIRS, registerLevelStorage } = await import('@zkts/storage-level');
      const storage = await registerLevelStorage(container, { engine: cfg.zktsStorage, dataDir: cfg.dataDir, dataLogDir, snapCount: cfg.snapCount, forceSync: cfg.forceSync });
      logger.info(`opening ${cfg.zktsStorage} storage: dataDir ${cfg.dataDir}/${ENGINE_DIRS[cfg.zktsStorage]}${logDirText}, snapCount ${cfg.snapCount}, forceSync ${cfg.forceSync}`);
      return storage;
    }
    const storage = await registerFileStorage(container, {
      dataDir: cfg.dataDir,
      dataLogDir,
      preAllocSizeKb: cfg.preAllocSizeKb,
      snapCount: cfg.snapCount,
      forceSync: cfg.forceSync,
    });
    logger.info(`opening file storage: dataDir ${cfg.dataDir}${logDirText}, snapCount ${cfg.snapCount}, forceSync ${cfg.forceSync}`);
    return storage;
  } catch (e) {
    if (e instanceof RangeError) {
      const name = /^(\w+)/.exec(e.message)?.[1] ?? '';
      throw new ConfigError({ fileName: cfg.fileName, key: FILE_OPTION_KEYS[name] ?? 'zkts.storage', message: e.message });
    }
    throw e;
  }
}

/**
 * Opens the backend named by cfg.zktsStorage (memory, file, level or rocksdb), registers its
 * tokens in `container` and recovers the tree.
 */
export async function openStorage(container: DependencyContainer, cfg: ServerConfig, logger: Logger, now: () => number = Date.now): Promise<OpenedStorage> {
  if (cfg.zktsStorage === 'memory') {
    return { txnLog: new MemoryTxnLog(), tree: new DataTree({ extendedTypesEnabled: cfg.extendedTypesEnabled }), sessions: [], snapshots: new MemorySnapshotStore(), epochs: new MemoryEpochStore() };
  }
  if (cfg.zktsStorage !== 'file' && cfg.zktsStorage !== 'level' && cfg.zktsStorage !== 'rocksdb') {
    throw new ConfigError({ fileName: cfg.fileName, key: 'zkts.storage', message: `zkts.storage=${String(cfg.zktsStorage)} is not a storage backend; use file, level, rocksdb or memory` });
  }
  if (cfg.dataDir === undefined) {
    throw new ConfigError({ fileName: cfg.fileName, key: 'dataDir', message: `dataDir is required when zkts.storage is ${cfg.zktsStorage}` });
  }
  const started = now();
  const storage = await openDurableBackend(container, { ...cfg, dataDir: cfg.dataDir }, logger);
  for (const d of storage.dropped) logger.warn(`dropped ${d.bytes} bytes of ${d.file} at offset ${d.offset}: ${d.reason}`);
  let r: Awaited<ReturnType<typeof recoverDataTree>>;
  try {
    // Progress lines (nodes, MB/s) at most once a second of `now`, and one closing line per phase.
    r = await recoverDataTree(storage.txnLog, storage.snapshots, { extendedTypesEnabled: cfg.extendedTypesEnabled }, { now, onProgress: (p) => logger.info(`recovery: ${formatRecoveryProgress(p)}`) });
  } catch (e) {
    await storage.txnLog.close().catch(() => undefined);
    throw e;
  }
  for (const d of r.dropped) {
    if (!storage.dropped.includes(d)) logger.warn(`skipped ${d.bytes} bytes of ${d.file} at offset ${d.offset}: ${d.reason}`);
  }
  for (const z of r.digestMismatches) logger.warn(`digest mismatch after replaying txn ${zxidToHex(z)}`);
  const ms = now() - started;
  const from = r.snapshotZxid === null ? 'no snapshot' : `snapshot ${zxidToHex(r.snapshotZxid)}`;
  logger.info(
    `recovered ${r.tree.nodeCount} nodes and ${r.sessions.length} sessions from ${from} and ${r.replayed} log entries; last zxid ${zxidToHex(r.lastZxid)} (${ms} ms)`,
  );
  return {
    txnLog: storage.txnLog,
    tree: r.tree,
    sessions: r.sessions,
    snapshots: storage.snapshots,
    epochs: storage.epochs,
    snapshotPolicy: {
      snapshots: storage.snapshots,
      snapCount: cfg.snapCount,
      snapRetainCount: Math.max(SNAP_RETAIN_COUNT_MIN, cfg.autopurgeSnapRetainCount),
      onShutdown: cfg.zktsSnapshotOnShutdown,
    },
  };
}

/**
 * Decides when to snapshot (ZooKeeper's SyncRequestProcessor: after snapCount/2 +
 * random(snapCount/2) txns, re-rolled each time) and runs one save at a time, then autopurge.
 */
export class Snapshotter {
  private count = 0;
  private threshold: number;
  private running: Promise<void> | null = null;

  constructor(
    private readonly policy: SnapshotPolicy,
    private readonly log: TxnLog,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.threshold = this.roll();
  }

  private roll(): number {
    const half = Math.max(1, Math.floor(this.policy.snapCount / 2));
    return half + Math.floor((this.policy.random ?? Math.random)() * half);
  }

  /** Counts one applied txn; takes a snapshot of `tree` once the threshold is passed. */
  applied(tree: DataTree, sessions: () => readonly SessionRecord[]): void {
    this.count++;
    if (this.count < this.threshold || this.running) return;
    this.take(tree, sessions);
  }

  private take(tree: DataTree, sessions: () => readonly SessionRecord[]): void {
    this.count = 0;
    this.threshold = this.roll();
    // Encoded here, synchronously, straight from the live tree (no per-node copies): later txns
    // change the tree, not these bytes. Only the write to the store runs in the background.
    const zxid = tree.lastProcessedZxid;
    const started = this.now();
    const nodeCount = tree.nodeCount - 1; // nodeCount counts the root twice, as ZooKeeper's does
    const input = encodeSnapshotNow(zxid, { nodes: tree.snapshotView(), sessions: sessions(), digest: tree.digest() });
    this.running = this.policy.snapshots
      .save(zxid, input)
      .then(async () => {
        this.logger.info(`snapshot ${zxidToHex(zxid)} saved: ${nodeCount} nodes, ${input.sessions.length} sessions (${this.now() - started} ms)`);
        await purgeStorage(this.log, this.policy.snapshots, this.policy.snapRetainCount);
      })
      .catch((e: unknown) => this.logger.error(`snapshot ${zxidToHex(zxid)} failed: ${(e as Error).message}`))
      .finally(() => {
        this.running = null;
      });
  }

  /** Resolves once a snapshot in progress (if any) is done. */
  async idle(): Promise<void> {
    await this.running;
  }

  /**
   * At a clean shutdown: a snapshot of the final state when txns were applied since the last one,
   * so the next start loads it instead of replaying up to snapCount log entries (a restart of 100k
   * znodes skips ~0.1-0.6 s of replay). A crash still recovers from the log, as always.
   */
  async final(tree: DataTree, sessions: () => readonly SessionRecord[]): Promise<void> {
    await this.running;
    if (this.count === 0 || this.policy.onShutdown === false) return;
    this.take(tree, sessions);
    await this.running;
  }
}
