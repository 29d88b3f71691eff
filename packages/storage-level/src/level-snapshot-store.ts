// LevelSnapshotStore: snapshots in txn-log's snapshot format (header, body, crc32 trailer), cut
// into chunks of at most about chunkBytes under 'S' + zxid + u32 chunk#, and a manifest under
// 'M' + zxid written in the last batch, with sync:true. A snapshot exists once its manifest
// does: a crash mid-save leaves chunks without a manifest, which open() deletes. Chunks are
// written in batches of about SNAPSHOT_WRITE_BATCH_BYTES (no sync; the engine's write-ahead log
// is sequential, so the final synced batch makes the earlier ones durable too).
//
//   manifest  "ZKLM" | u32 version 1 | u32 chunk count | u32 0 | u64 total bytes | u32 crc32  28 bytes
import {
  CorruptionError,
  type LoadedSnapshot,
  type Snapshot,
  type SnapshotInfo,
  type SnapshotInput,
  type SnapshotStore,
  type Zxid,
  assertRetainCount,
  crc32,
  decodeSnapshot,
  encodeSnapshot,
  latestValidSnapshot,
  snapshotFileName,
  zxidToHex,
} from '@zkts/txn-log';
import type { KvOp, KvStore } from './kv.js';
import { CHUNK_END, CHUNK_START, MANIFEST_END, MANIFEST_START, chunkKey, chunkOfKey, chunksStart, manifestKey, zxidOfKey } from './keys.js';

/** Default chunk size: a 1M-znode snapshot (~100+ MB) is a few dozen values, none huge. */
export const SNAPSHOT_CHUNK_BYTES_DEFAULT = 4 * 1024 * 1024;
export const SNAPSHOT_CHUNK_BYTES_MIN = 1024;
export const SNAPSHOT_CHUNK_BYTES_MAX = 64 * 1024 * 1024;
/** Chunk bytes gathered into one (unsynced) batch while saving. */
export const SNAPSHOT_WRITE_BATCH_BYTES = 16 * 1024 * 1024;
/** Chunks fetched per page when loading (bounded by chunk size, not entry count). */
const LOAD_PAGE_CHUNKS = 4;

export const MANIFEST_MAGIC = 'ZKLM';
export const MANIFEST_VERSION = 1;
export const MANIFEST_BYTES = 28;

export interface LevelSnapshotStoreOptions {
  readonly kv: KvStore;
  readonly forceSync?: boolean;
  readonly chunkBytes?: number;
}

interface Manifest {
  readonly chunks: number;
  readonly totalBytes: number;
}

function encodeManifest(m: Manifest): Buffer {
  const b = Buffer.alloc(MANIFEST_BYTES);
  b.write(MANIFEST_MAGIC, 0, 'latin1');
  b.writeUInt32BE(MANIFEST_VERSION, 4);
  b.writeUInt32BE(m.chunks, 8);
  b.writeBigUInt64BE(BigInt(m.totalBytes), 16);
  b.writeUInt32BE(crc32(b.subarray(0, 24)), 24);
  return b;
}

/** The manifest, or a reason it is not one. */
function decodeManifest(b: Buffer): Manifest | string {
  if (b.length !== MANIFEST_BYTES) return `manifest of ${b.length} bytes, expected ${MANIFEST_BYTES}`;
  const actual = crc32(b.subarray(0, 24));
  if (actual !== b.readUInt32BE(24)) return `manifest checksum 0x${actual.toString(16)} != stored 0x${b.readUInt32BE(24).toString(16)}`;
  if (b.toString('latin1', 0, 4) !== MANIFEST_MAGIC) return 'bad manifest magic';
  if (b.readUInt32BE(4) !== MANIFEST_VERSION) return `unknown manifest version ${b.readUInt32BE(4)}`;
  return { chunks: b.readUInt32BE(8), totalBytes: Number(b.readBigUInt64BE(16)) };
}

export class LevelSnapshotStore implements SnapshotStore {
  private readonly forceSync: boolean;
  private readonly chunkBytes: number;

  /** Opens the store, deleting the chunks of saves that never wrote their manifest. */
  static async open(options: LevelSnapshotStoreOptions): Promise<LevelSnapshotStore> {
    const store = new LevelSnapshotStore(options);
    await store.removeOrphans();
    return store;
  }

  private constructor(private readonly options: LevelSnapshotStoreOptions) {
    this.forceSync = options.forceSync ?? true;
    this.chunkBytes = options.chunkBytes ?? SNAPSHOT_CHUNK_BYTES_DEFAULT;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < SNAPSHOT_CHUNK_BYTES_MIN || this.chunkBytes > SNAPSHOT_CHUNK_BYTES_MAX) {
      throw new RangeError(`chunkBytes=${this.chunkBytes}: must be an integer in ${SNAPSHOT_CHUNK_BYTES_MIN}..${SNAPSHOT_CHUNK_BYTES_MAX}`);
    }
  }

  private get kv(): KvStore {
    return this.options.kv;
  }

  /** Where a snapshot lives, for messages: <db location>:snapshot.<zxid hex> */
  nameOf(zxid: Zxid): string {
    return `${this.kv.location}:${snapshotFileName(zxid)}`;
  }

  private async removeOrphans(): Promise<void> {
    const manifests = new Set((await this.list()).map((i) => i.zxid));
    let ops: KvOp[] = [];
    for await (const key of this.kv.keys({ gte: CHUNK_START, lt: CHUNK_END })) {
      if (manifests.has(zxidOfKey(key))) continue;
      ops.push({ type: 'del', key });
      if (ops.length >= 1000) {
        await this.kv.write(ops, { sync: false });
        ops = [];
      }
    }
    await this.kv.write(ops, { sync: false });
  }

  /** Deletes a snapshot's manifest (first, in the same batch) and chunks. */
  private async remove(zxid: Zxid, sync: boolean): Promise<void> {
    const ops: KvOp[] = [{ type: 'del', key: manifestKey(zxid) }];
    for await (const key of this.kv.keys({ gte: chunksStart(zxid), lt: chunksStart(zxid + 1) })) ops.push({ type: 'del', key });
    await this.kv.write(ops, { sync });
  }

  async save(zxid: Zxid, snapshot: SnapshotInput): Promise<void> {
    // A save over an existing snapshot of the same zxid replaces it; no stale chunk may remain.
    if ((await this.kv.get(manifestKey(zxid))) !== undefined) await this.remove(zxid, false);
    let ops: KvOp[] = [];
    let batchBytes = 0;
    let chunks = 0;
    let totalBytes = 0;
    for (const chunk of encodeSnapshot(zxid, snapshot, this.chunkBytes)) {
      ops.push({ type: 'put', key: chunkKey(zxid, chunks++), value: chunk });
      batchBytes += chunk.length;
      totalBytes += chunk.length;
      if (batchBytes >= SNAPSHOT_WRITE_BATCH_BYTES) {
        await this.kv.write(ops, { sync: false });
        ops = [];
        batchBytes = 0;
      }
    }
    ops.push({ type: 'put', key: manifestKey(zxid), value: encodeManifest({ chunks, totalBytes }) });
    await this.kv.write(ops, { sync: this.forceSync });
  }

  async list(): Promise<readonly SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for await (const key of this.kv.keys({ gte: MANIFEST_START, lt: MANIFEST_END, reverse: true })) {
      const zxid = zxidOfKey(key);
      out.push({ zxid, name: snapshotFileName(zxid) });
    }
    return out;
  }

  async load(zxid: Zxid): Promise<Snapshot> {
    const name = this.nameOf(zxid);
    const raw = await this.kv.get(manifestKey(zxid));
    if (raw === undefined) throw new Error(`${name}: no such snapshot`);
    const manifest = decodeManifest(raw);
    if (typeof manifest === 'string') throw new CorruptionError(name, 0, manifest);
    const parts: Buffer[] = [];
    let bytes = 0;
    for await (const [key, value] of this.kv.entries({ gte: chunksStart(zxid), lt: chunksStart(zxid + 1), pageEntries: LOAD_PAGE_CHUNKS })) {
      if (chunkOfKey(key) !== parts.length) throw new CorruptionError(name, bytes, `chunk ${parts.length} of ${manifest.chunks} missing`, manifest.totalBytes);
      parts.push(value);
      bytes += value.length;
    }
    if (parts.length !== manifest.chunks) throw new CorruptionError(name, bytes, `${parts.length} chunks, manifest says ${manifest.chunks}`, manifest.totalBytes);
    if (bytes !== manifest.totalBytes) throw new CorruptionError(name, 0, `${bytes} bytes, manifest says ${manifest.totalBytes}`, manifest.totalBytes);
    const snap = decodeSnapshot(parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes), name);
    if (snap.zxid !== zxid) throw new CorruptionError(name, 8, `snapshot of ${zxidToHex(snap.zxid)} stored under ${zxidToHex(zxid)}`, bytes);
    return snap;
  }

  latestValid(): Promise<LoadedSnapshot | null> {
    return latestValidSnapshot(this);
  }

  async purge(keep: number): Promise<Zxid | null> {
    assertRetainCount(keep);
    const all = await this.list();
    // A purge lost in a crash leaves older snapshots behind: harmless, so no sync.
    for (const info of all.slice(keep)) await this.remove(info.zxid, false);
    return all.slice(0, keep).at(-1)?.zxid ?? null;
  }
}
