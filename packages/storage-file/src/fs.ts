// The file operations the backend uses, behind a small interface so tests can count fsyncs
// and inject faults. nodeFs is the real one (node:fs/promises).
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';

export interface StorageFile {
  /** Writes all of `data` at `position`. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** fsync: data and metadata (the size changes of preallocation) are durable. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  /** Reads `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface StorageFs {
  /** 'create' fails if the file exists; 'update' opens an existing file read/write; 'replace' truncates or creates. */
  open(path: string, mode: 'create' | 'update' | 'replace' | 'read'): Promise<StorageFile>;
  readdir(dir: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdirp(dir: string): Promise<void>;
  /** fsync of a directory, so a created, renamed or deleted name is durable. */
  syncDir(dir: string): Promise<void>;
}

const FLAGS = { create: 'wx+', update: 'r+', replace: 'w+', read: 'r' } as const;

export const nodeFs: StorageFs = {
  async open(path, mode) {
    const h = await open(path, FLAGS[mode]);
    return {
      async write(data, position) {
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await h.write(data, done, data.length - done, position + done);
          done += bytesWritten;
        }
      },
      sync: () => h.sync(),
      truncate: (length) => h.truncate(length),
      size: async () => (await h.stat()).size,
      async read(position, length) {
        const buf = Buffer.alloc(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await h.read(buf, done, length - done, position + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === length ? buf : buf.subarray(0, done);
      },
      close: () => h.close(),
    };
  },
  readdir: (dir) => readdir(dir),
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  mkdirp: async (dir) => void (await mkdir(dir, { recursive: true })),
  async syncDir(dir) {
    let h;
    try {
      h = await open(dir, 'r');
      await h.sync();
    } catch (e) {
      // Some platforms cannot open or fsync a directory; the rename is then as durable as it gets.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
    } finally {
      await h?.close();
    }
  },
};

/** Counts of the durability calls made through a CountingFs. */
export interface FsCounts {
  fileSyncs: number;
  dirSyncs: number;
  writes: number;
}

/** Wraps a StorageFs and counts writes and fsyncs (tests, metrics). */
export function countingFs(inner: StorageFs = nodeFs): { fs: StorageFs; counts: FsCounts } {
  const counts: FsCounts = { fileSyncs: 0, dirSyncs: 0, writes: 0 };
  const fs: StorageFs = {
    ...inner,
    async open(path, mode) {
      const f = await inner.open(path, mode);
      return {
        ...f,
        write: (data, position) => (counts.writes++, f.write(data, position)),
        sync: () => (counts.fileSyncs++, f.sync()),
      };
    },
    syncDir: (dir) => (counts.dirSyncs++, inner.syncDir(dir)),
  };
  return { fs, counts };
}
