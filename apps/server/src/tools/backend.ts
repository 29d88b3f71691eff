// Finding and opening the storage in a data directory for the tools: the file backend is read
// without any repair (storage-file's read-only scan); level / rocksdb go through the generic SPI
// (openLevelStorage, which may cut a damaged newest log entry as the server's startup would).
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ENGINE_DIRS, openLevelStorage, type LevelStorage } from '@zkts/storage-level';
import { VERSION_DIR, listLogFiles } from '@zkts/storage-file';
import { UsageError } from './args.js';

export const STORAGE_KINDS = ['file', 'level', 'rocksdb'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** The backend whose data `dir` holds (dataDir or dataLogDir), or null when it holds none. */
export function detectStorage(dir: string): StorageKind | null {
  if (isDir(join(dir, VERSION_DIR))) return 'file';
  if (isDir(join(dir, ENGINE_DIRS.level))) return 'level';
  if (isDir(join(dir, ENGINE_DIRS.rocksdb))) return 'rocksdb';
  return null;
}

/** The directory holding log.<hex> files for a dataLogDir given as itself or as its version-2. */
export async function fileLogDir(dir: string): Promise<string | null> {
  if (isDir(join(dir, VERSION_DIR))) return join(dir, VERSION_DIR);
  if (basename(dir) === VERSION_DIR || (await listLogFiles(dir)).length > 0) return dir;
  return null;
}

export function requireDir(tool: string, what: string, dir: string): void {
  if (!existsSync(dir)) throw new UsageError(`${tool}: ${what} ${dir} does not exist`);
  if (!isDir(dir)) throw new UsageError(`${tool}: ${what} ${dir} is not a directory`);
}

/** Opens a level / rocksdb data directory (its database must exist: the tools create nothing). */
export async function openLevel(tool: string, engine: 'level' | 'rocksdb', dataDir: string, dataLogDir?: string): Promise<LevelStorage> {
  for (const d of new Set([dataDir, dataLogDir ?? dataDir])) {
    if (!isDir(join(d, ENGINE_DIRS[engine]))) throw new UsageError(`${tool}: ${d} holds no ${engine} database (${ENGINE_DIRS[engine]}/)`);
  }
  return openLevelStorage({ engine, dataDir, dataLogDir: dataLogDir ?? dataDir });
}
