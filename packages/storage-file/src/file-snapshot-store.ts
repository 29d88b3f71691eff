// FileSnapshotStore: snapshot.<zxid hex> files in dataDir, in txn-log's snapshot format (header,
// body, crc32 trailer). save() writes snapshot.<hex>.tmp, fsyncs it, renames it into place and
// fsyncs the directory, so a crash leaves either the whole snapshot or none.
import { join } from 'node:path';
import {
  type LoadedSnapshot,
  type Snapshot,
  type SnapshotInfo,
  type SnapshotInput,
  type SnapshotLoadOptions,
  type SnapshotStore,
  type Zxid,
  assertRetainCount,
  decodeSnapshot,
  encodeSnapshot,
  latestValidSnapshot,
  snapshotFileName,
  zxidFromFileName,
} from '@zkts/txn-log';
import { type StorageFs, nodeFs } from './fs.js';

export const TMP_SUFFIX = '.tmp';

export interface FileSnapshotStoreOptions {
  readonly dir: string;
  readonly forceSync?: boolean;
  readonly fs?: StorageFs;
}

export class FileSnapshotStore implements SnapshotStore {
  private readonly fs: StorageFs;
  private readonly forceSync: boolean;

  static async open(options: FileSnapshotStoreOptions): Promise<FileSnapshotStore> {
    const store = new FileSnapshotStore(options);
    await store.fs.mkdirp(options.dir);
    // A .tmp left by a crash mid-save is never a snapshot.
    for (const name of await store.fs.readdir(options.dir)) if (name.startsWith('snapshot.') && name.endsWith(TMP_SUFFIX)) await store.fs.unlink(join(options.dir, name));
    return store;
  }

  private constructor(readonly options: FileSnapshotStoreOptions) {
    this.fs = options.fs ?? nodeFs;
    this.forceSync = options.forceSync ?? true;
  }

  pathOf(zxid: Zxid): string {
    return join(this.options.dir, snapshotFileName(zxid));
  }

  async save(zxid: Zxid, snapshot: SnapshotInput): Promise<void> {
    const final = this.pathOf(zxid);
    const tmp = final + TMP_SUFFIX;
    const f = await this.fs.open(tmp, 'replace');
    try {
      let pos = 0;
      for (const chunk of encodeSnapshot(zxid, snapshot)) {
        await f.write(chunk, pos);
        pos += chunk.length;
      }
      if (this.forceSync) await f.sync();
    } finally {
      await f.close();
    }
    await this.fs.rename(tmp, final);
    if (this.forceSync) await this.fs.syncDir(this.options.dir);
  }

  async list(): Promise<readonly SnapshotInfo[]> {
    return (await this.fs.readdir(this.options.dir))
      .map((name) => ({ name, zxid: zxidFromFileName(name, 'snapshot') }))
      .filter((i): i is SnapshotInfo => i.zxid !== null)
      .sort((a, b) => b.zxid - a.zxid);
  }

  async load(zxid: Zxid, options?: SnapshotLoadOptions): Promise<Snapshot> {
    const path = this.pathOf(zxid);
    const f = await this.fs.open(path, 'read');
    let bytes: Buffer;
    try {
      bytes = await f.read(0, await f.size());
    } finally {
      await f.close();
    }
    return decodeSnapshot(bytes, path, options);
  }

  latestValid(): Promise<LoadedSnapshot | null> {
    return latestValidSnapshot(this);
  }

  async purge(keep: number): Promise<Zxid | null> {
    assertRetainCount(keep);
    const all = await this.list();
    for (const info of all.slice(keep)) await this.fs.unlink(join(this.options.dir, info.name));
    if (all.length > keep) await this.fs.syncDir(this.options.dir);
    return all.slice(0, keep).at(-1)?.zxid ?? null;
  }
}
