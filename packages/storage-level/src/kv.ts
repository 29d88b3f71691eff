// KvStore: the few operations the stores need, over either engine of the abstract-level family
// (classic-level's LevelDB, @nxtedition/rocksdb's RocksDB), with their differences smoothed out:
//   - RocksLevel is constructed and then opened explicitly (its deferred open fails);
//   - a missing key is undefined here (RocksLevel rejects with LEVEL_NOT_FOUND);
//   - every write is a batch (RocksLevel's put() ignores `sync`; its batch honours it);
//   - keys and values are Buffers; iteration is paged with nextv.
// Tests wrap a KvStore (countingKv) to count batches and syncs.
import { mkdir, readdir } from 'node:fs/promises';
import { RocksLevel } from '@nxtedition/rocksdb';
import { ClassicLevel } from 'classic-level';

export const LEVEL_ENGINES = ['level', 'rocksdb'] as const;
export type LevelEngine = (typeof LEVEL_ENGINES)[number];

/** Human names for messages. */
export const ENGINE_NAMES: Record<LevelEngine, string> = { level: 'LevelDB', rocksdb: 'RocksDB' };

/** Entries fetched per nextv() call when iterating small values (log entries, keys). */
export const ITERATOR_PAGE_ENTRIES = 256;

export type KvOp = { readonly type: 'put'; readonly key: Buffer; readonly value: Uint8Array } | { readonly type: 'del'; readonly key: Buffer };

export interface KvRange {
  readonly gte?: Buffer;
  readonly gt?: Buffer;
  readonly lt?: Buffer;
  readonly reverse?: boolean;
  readonly limit?: number;
  /** Entries per page (default ITERATOR_PAGE_ENTRIES); lower it for big values. */
  readonly pageEntries?: number;
}

export interface KvStore {
  readonly engine: LevelEngine;
  readonly location: string;
  get(key: Buffer): Promise<Buffer | undefined>;
  /** One atomic batch; `sync: true` resolves once the engine's write-ahead log is fsynced. */
  write(ops: readonly KvOp[], options: { readonly sync: boolean }): Promise<void>;
  entries(range: KvRange): AsyncIterable<[Buffer, Buffer]>;
  keys(range: KvRange): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/** Refused open: locked, written by the other engine, or not a database. */
export class LevelStorageError extends Error {
  override readonly name = 'LevelStorageError';
}

// The structural subset both engines' database classes satisfy.
interface AbstractDb {
  open(options?: { createIfMissing?: boolean }): Promise<void>;
  close(): Promise<void>;
  get(key: Buffer): Promise<Buffer | undefined>;
  batch(operations: KvOp[], options?: { sync?: boolean }): Promise<void>;
  iterator(options: { gt?: Buffer; gte?: Buffer; lt?: Buffer; reverse?: boolean; limit?: number; keys?: boolean; values?: boolean }): {
    nextv(size: number): Promise<Array<[Buffer, Buffer | undefined]>>;
    close(): Promise<void>;
  };
}

/** Which engine wrote the database in `location`, from its files; null when there is none. */
export async function engineOfDirectory(location: string): Promise<LevelEngine | null> {
  let names: string[];
  try {
    names = await readdir(location);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  // RocksDB writes IDENTITY and OPTIONS-<n>; LevelDB neither. Both write CURRENT.
  if (names.includes('IDENTITY') || names.some((n) => n.startsWith('OPTIONS-'))) return 'rocksdb';
  if (names.includes('CURRENT')) return 'level';
  return null;
}

function isLockError(e: unknown): boolean {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  const text = `${err?.code ?? ''} ${err?.message ?? ''} ${err?.cause?.code ?? ''} ${err?.cause?.message ?? ''}`;
  return /LEVEL_LOCKED|\block\b/i.test(text);
}

const causeText = (e: unknown): string => {
  const err = e as { message?: string; cause?: { message?: string } };
  return [err?.message, err?.cause?.message].filter(Boolean).join(': ');
};

/**
 * Opens (creating if missing) the `engine` database in `location`. Refuses a directory written
 * by the other engine, and one already open (its LOCK held) with a message saying so.
 */
export async function openKv(engine: LevelEngine, location: string): Promise<KvStore> {
  if (!LEVEL_ENGINES.includes(engine)) throw new RangeError(`engine=${String(engine)}: must be one of ${LEVEL_ENGINES.join(', ')}`);
  const found = await engineOfDirectory(location);
  if (found !== null && found !== engine) {
    throw new LevelStorageError(
      `${location} holds a ${ENGINE_NAMES[found]} database (zkts.storage=${found}); the ${ENGINE_NAMES[engine]} engine (zkts.storage=${engine}) will not open it`,
    );
  }
  await mkdir(location, { recursive: true });
  const db: AbstractDb =
    engine === 'level'
      ? (new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' }) as unknown as AbstractDb)
      : (new RocksLevel(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' }) as unknown as AbstractDb);
  try {
    await db.open({ createIfMissing: true });
  } catch (e) {
    if (isLockError(e)) {
      throw new LevelStorageError(`${location}: the ${ENGINE_NAMES[engine]} database is locked (already open in this or another process): ${causeText(e)}`);
    }
    throw new LevelStorageError(`${location}: cannot open the ${ENGINE_NAMES[engine]} database: ${causeText(e)}`);
  }
  return new AbstractKv(engine, location, db);
}

class AbstractKv implements KvStore {
  private closed = false;
  /** Operations under way; close() waits for them so a store is never closed under a write. */
  private readonly busy = new Set<Promise<unknown>>();

  constructor(
    readonly engine: LevelEngine,
    readonly location: string,
    private readonly db: AbstractDb,
  ) {}

  private track<T>(p: Promise<T>): Promise<T> {
    this.busy.add(p);
    const done = () => void this.busy.delete(p);
    p.then(done, done);
    return p;
  }

  private usable(): void {
    if (this.closed) throw new LevelStorageError(`${this.location}: the ${ENGINE_NAMES[this.engine]} storage is closed`);
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    this.usable();
    try {
      return await this.track(this.db.get(key));
    } catch (e) {
      if ((e as { code?: string }).code === 'LEVEL_NOT_FOUND') return undefined;
      throw e;
    }
  }

  write(ops: readonly KvOp[], options: { readonly sync: boolean }): Promise<void> {
    try {
      this.usable();
    } catch (e) {
      return Promise.reject(e);
    }
    if (ops.length === 0) return Promise.resolve();
    return this.track(this.db.batch(ops as KvOp[], { sync: options.sync }));
  }

  async *entries(range: KvRange): AsyncIterable<[Buffer, Buffer]> {
    for await (const [k, v] of this.iterate(range, true)) yield [k, v!];
  }

  async *keys(range: KvRange): AsyncIterable<Buffer> {
    for await (const [k] of this.iterate(range, false)) yield k;
  }

  private async *iterate(range: KvRange, values: boolean): AsyncIterable<[Buffer, Buffer | undefined]> {
    this.usable();
    const { pageEntries = ITERATOR_PAGE_ENTRIES, ...bounds } = range;
    // Not tracked in `busy`: an abandoned iteration must not hold close() up; the engine's
    // close() ends open iterators itself.
    const it = this.db.iterator({ ...bounds, keys: true, values });
    try {
      for (;;) {
        const page = await it.nextv(pageEntries);
        if (page.length === 0) break;
        for (const entry of page) yield entry;
      }
    } finally {
      if (!this.closed) await it.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.busy]);
    await this.db.close();
  }
}

/** Counts of the writes made through a countingKv. */
export interface KvCounts {
  batches: number;
  syncBatches: number;
  puts: number;
  dels: number;
}

/** Wraps a KvStore and counts its batches (tests: group commit, one sync per flush). */
export function countingKv(inner: KvStore): { kv: KvStore; counts: KvCounts } {
  const counts: KvCounts = { batches: 0, syncBatches: 0, puts: 0, dels: 0 };
  const kv: KvStore = {
    engine: inner.engine,
    location: inner.location,
    get: (key) => inner.get(key),
    write(ops, options) {
      if (ops.length === 0) return inner.write(ops, options); // no batch reaches the engine
      counts.batches++;
      if (options.sync) counts.syncBatches++;
      for (const op of ops) op.type === 'put' ? counts.puts++ : counts.dels++;
      return inner.write(ops, options);
    },
    entries: (range) => inner.entries(range),
    keys: (range) => inner.keys(range),
    close: () => inner.close(),
  };
  return { kv, counts };
}
