// The part of @nxtedition/rocksdb (which ships no types) that this package uses. Kept out of the
// public API: only kv.ts imports it, and no exported signature mentions it.
declare module '@nxtedition/rocksdb' {
  interface RocksBatchPut {
    type: 'put';
    key: Buffer;
    value: Uint8Array;
  }
  interface RocksBatchDel {
    type: 'del';
    key: Buffer;
  }
  interface RocksIteratorOptions {
    gt?: Buffer;
    gte?: Buffer;
    lt?: Buffer;
    lte?: Buffer;
    reverse?: boolean;
    limit?: number;
    keys?: boolean;
    values?: boolean;
  }
  interface RocksIterator {
    nextv(size: number): Promise<Array<[Buffer, Buffer | undefined]>>;
    close(): Promise<void>;
  }
  export class RocksLevel {
    constructor(location: string, options?: { keyEncoding?: 'buffer'; valueEncoding?: 'buffer' });
    readonly status: string;
    open(options?: { createIfMissing?: boolean }): Promise<void>;
    close(): Promise<void>;
    /** Rejects with code LEVEL_NOT_FOUND for a missing key. */
    get(key: Buffer): Promise<Buffer>;
    /** `sync: true` syncs the WAL (put() ignores sync: every durable write goes through batch). */
    batch(operations: Array<RocksBatchPut | RocksBatchDel>, options?: { sync?: boolean }): Promise<void>;
    iterator(options?: RocksIteratorOptions): RocksIterator;
  }
}
