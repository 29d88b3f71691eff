// FileEpochStore: ZooKeeper's currentEpoch and acceptedEpoch files in dataDir, each holding the
// epoch as decimal text (the same content ZooKeeper writes), replaced atomically: write
// <name>.tmp, fsync, rename, fsync the directory.
import { join } from 'node:path';
import { CorruptionError, type EpochStore, assertEpoch } from '@zkts/txn-log';
import { type StorageFs, nodeFs } from './fs.js';

export const CURRENT_EPOCH_FILE = 'currentEpoch';
export const ACCEPTED_EPOCH_FILE = 'acceptedEpoch';
const EPOCH_FILE_BYTES_MAX = 64;

export interface FileEpochStoreOptions {
  readonly dir: string;
  readonly forceSync?: boolean;
  readonly fs?: StorageFs;
}

export class FileEpochStore implements EpochStore {
  private readonly fs: StorageFs;
  private readonly forceSync: boolean;
  private readonly cache = new Map<string, number | null>();

  static async open(options: FileEpochStoreOptions): Promise<FileEpochStore> {
    const store = new FileEpochStore(options);
    await store.fs.mkdirp(options.dir);
    for (const name of [CURRENT_EPOCH_FILE, ACCEPTED_EPOCH_FILE]) store.cache.set(name, await store.read(name));
    return store;
  }

  private constructor(readonly options: FileEpochStoreOptions) {
    this.fs = options.fs ?? nodeFs;
    this.forceSync = options.forceSync ?? true;
  }

  async currentEpoch(): Promise<number | null> {
    return this.cache.get(CURRENT_EPOCH_FILE) ?? null;
  }
  async acceptedEpoch(): Promise<number | null> {
    return this.cache.get(ACCEPTED_EPOCH_FILE) ?? null;
  }
  setCurrentEpoch(epoch: number): Promise<void> {
    return this.write(CURRENT_EPOCH_FILE, epoch);
  }
  setAcceptedEpoch(epoch: number): Promise<void> {
    return this.write(ACCEPTED_EPOCH_FILE, epoch);
  }

  private async read(name: string): Promise<number | null> {
    const path = join(this.options.dir, name);
    if (!(await this.fs.readdir(this.options.dir)).includes(name)) return null;
    const f = await this.fs.open(path, 'read');
    let text: string;
    try {
      text = (await f.read(0, EPOCH_FILE_BYTES_MAX)).toString('latin1').trim();
    } finally {
      await f.close();
    }
    if (!/^\d{1,16}$/.test(text)) throw new CorruptionError(path, 0, `not an epoch: ${JSON.stringify(text.slice(0, 20))}`);
    const epoch = Number(text);
    try {
      assertEpoch(epoch);
    } catch {
      throw new CorruptionError(path, 0, `epoch ${epoch} out of range`);
    }
    return epoch;
  }

  private async write(name: string, epoch: number): Promise<void> {
    assertEpoch(epoch);
    const path = join(this.options.dir, name);
    const tmp = path + '.tmp';
    const f = await this.fs.open(tmp, 'replace');
    try {
      await f.write(Buffer.from(String(epoch), 'latin1'), 0);
      if (this.forceSync) await f.sync();
    } finally {
      await f.close();
    }
    await this.fs.rename(tmp, path);
    if (this.forceSync) await this.fs.syncDir(this.options.dir);
    this.cache.set(name, epoch);
  }
}
