// openLevelStorage: the whole backend (log, snapshots, epochs) in one database per directory,
//   <dataDir>/level-v1      (engine 'level', LevelDB)  or  <dataDir>/rocksdb-v1  (engine 'rocksdb')
// and, when dataLogDir names another directory, the log alone in <dataLogDir>/<same name>.
// Opening refuses a dataDir that holds the other engine's directory or storage-file's
// version-2 files: switching zkts.storage must never start silently from an empty tree.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Dropped } from '@zkts/txn-log';
import { ENGINE_NAMES, LEVEL_ENGINES, type KvStore, type LevelEngine, LevelStorageError, openKv } from './kv.js';
import { META_ENGINE_KEY } from './keys.js';
import { LevelEpochStore } from './level-epoch-store.js';
import { LevelSnapshotStore, SNAPSHOT_CHUNK_BYTES_DEFAULT } from './level-snapshot-store.js';
import { LevelTxnLog } from './level-txn-log.js';

/** The database directory of each engine, below dataDir (and dataLogDir). */
export const ENGINE_DIRS: Record<LevelEngine, string> = { level: 'level-v1', rocksdb: 'rocksdb-v1' };
/** storage-file's directory (ZooKeeper's too): its presence means data of another backend. */
export const FILE_STORAGE_DIR = 'version-2';
/** ZooKeeper's snapCount default and minimum (accepted for parity with storage-file). */
export const SNAP_COUNT_DEFAULT = 100_000;
export const SNAP_COUNT_MIN = 2;

export interface LevelStorageOptions {
  readonly dataDir: string;
  /** The log's own database when it names a directory other than dataDir (e.g. a faster disk). */
  readonly dataLogDir?: string | undefined;
  readonly engine: LevelEngine;
  /** Validated (>= 2) and kept for parity with storage-file; the snapshot policy is the server's. */
  readonly snapCount?: number | undefined;
  /** false: batches are written without sync (not durable; tests and benchmarks). */
  readonly forceSync?: boolean | undefined;
  /** Size of a snapshot chunk (default 4 MB). */
  readonly snapshotChunkBytes?: number | undefined;
}

export interface LevelStorage {
  readonly engine: LevelEngine;
  readonly txnLog: LevelTxnLog;
  readonly snapshots: LevelSnapshotStore;
  readonly epochs: LevelEpochStore;
  /** What opening cut off (a damaged newest log entry), for the startup log. */
  readonly dropped: readonly Dropped[];
  /** The database directories: [dataDir's] or [dataDir's, dataLogDir's]. */
  readonly locations: readonly string[];
  /** Closes the log (flushing it) and the databases; txnLog.close() does the same. */
  close(): Promise<void>;
}

/** Checks the options, throwing a RangeError whose message starts with the option's name. */
export function checkLevelStorageOptions(options: LevelStorageOptions): void {
  if (!LEVEL_ENGINES.includes(options.engine)) throw new RangeError(`engine=${String(options.engine)}: must be one of ${LEVEL_ENGINES.join(', ')}`);
  if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new RangeError('dataDir: must be a directory path');
  const snapCount = options.snapCount;
  if (snapCount !== undefined && (!Number.isInteger(snapCount) || snapCount < SNAP_COUNT_MIN)) throw new RangeError(`snapCount=${snapCount}: must be an integer >= ${SNAP_COUNT_MIN}`);
}

/** Refuses a directory that holds another backend's data and not this engine's database. */
async function refuseForeignData(dir: string, engine: LevelEngine): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (names.includes(ENGINE_DIRS[engine])) return;
  for (const other of LEVEL_ENGINES) {
    if (other !== engine && names.includes(ENGINE_DIRS[other])) {
      throw new LevelStorageError(
        `${dir} holds ${ENGINE_DIRS[other]}/ (zkts.storage=${other}); zkts.storage=${engine} would start from an empty ${ENGINE_NAMES[engine]} database beside it. ` +
          `Use zkts.storage=${other}, or move ${join(dir, ENGINE_DIRS[other])} away`,
      );
    }
  }
  if (names.includes(FILE_STORAGE_DIR)) {
    const files = await readdir(join(dir, FILE_STORAGE_DIR)).catch(() => [] as string[]);
    if (files.some((f) => /^(log|snapshot)\.[0-9a-f]+$/.test(f))) {
      throw new LevelStorageError(
        `${dir} holds ${FILE_STORAGE_DIR}/ log or snapshot files (zkts.storage=file); zkts.storage=${engine} would start from an empty database beside them. ` +
          `Use zkts.storage=file, or move ${join(dir, FILE_STORAGE_DIR)} away`,
      );
    }
  }
}

/** Opens the engine's database in `location` and checks (or records) which engine created it. */
async function openDatabase(engine: LevelEngine, location: string, forceSync: boolean): Promise<KvStore> {
  const kv = await openKv(engine, location);
  try {
    const stored = await kv.get(META_ENGINE_KEY);
    if (stored === undefined) {
      await kv.write([{ type: 'put', key: META_ENGINE_KEY, value: Buffer.from(engine, 'latin1') }], { sync: forceSync });
    } else if (stored.toString('latin1') !== engine) {
      throw new LevelStorageError(`${location} was created by zkts.storage=${stored.toString('latin1')}; zkts.storage=${engine} will not open it`);
    }
    return kv;
  } catch (e) {
    await kv.close().catch(() => undefined);
    throw e;
  }
}

/** Opens the backend (creating its directories); resolves once usable. */
export async function openLevelStorage(options: LevelStorageOptions): Promise<LevelStorage> {
  checkLevelStorageOptions(options);
  const { engine } = options;
  const forceSync = options.forceSync ?? true;
  const dataDir = resolve(options.dataDir);
  const logDir = resolve(options.dataLogDir || options.dataDir);
  const separateLog = logDir !== dataDir;
  await refuseForeignData(dataDir, engine);
  if (separateLog) await refuseForeignData(logDir, engine);

  const dbs: KvStore[] = [];
  let closing: Promise<void> | null = null;
  const closeAll = (): Promise<void> => (closing ??= Promise.all(dbs.map((db) => db.close())).then(() => undefined));
  try {
    const main = await openDatabase(engine, join(dataDir, ENGINE_DIRS[engine]), forceSync);
    dbs.push(main);
    const logKv = separateLog ? await openDatabase(engine, join(logDir, ENGINE_DIRS[engine]), forceSync) : main;
    if (separateLog) dbs.push(logKv);
    const txnLog = await LevelTxnLog.open({ kv: logKv, forceSync, onClose: closeAll });
    const snapshots = await LevelSnapshotStore.open({ kv: main, forceSync, chunkBytes: options.snapshotChunkBytes ?? SNAPSHOT_CHUNK_BYTES_DEFAULT });
    const epochs = await LevelEpochStore.open({ kv: main, forceSync });
    return { engine, txnLog, snapshots, epochs, dropped: txnLog.dropped, locations: dbs.map((db) => db.location), close: () => txnLog.close() };
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}
