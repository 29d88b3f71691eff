import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KvStore, LevelEngine } from '../kv.js';
import { chunkKey, chunkOfKey, chunksStart, logKey } from '../keys.js';
import type { LevelStorage } from '../storage.js';

/** A fresh temporary directory and its removal. */
export async function tempDir(prefix = 'zkts-level-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const ENGINES: readonly LevelEngine[] = ['level', 'rocksdb'];

/** Flips one byte in the middle of the stored snapshot at `zxid` (across its chunks), in place. */
export async function corruptSnapshot(kv: KvStore, zxid: number): Promise<void> {
  const chunks: Array<[Buffer, Buffer]> = [];
  for await (const [k, v] of kv.entries({ gte: chunksStart(zxid), lt: chunksStart(zxid + 1) })) chunks.push([k, Buffer.from(v)]);
  if (chunks.length === 0) throw new Error(`no chunks for ${zxid}`);
  let at = Math.floor(chunks.reduce((n, [, v]) => n + v.length, 0) / 2);
  for (const [k, v] of chunks) {
    if (at < v.length) {
      v[at] = v[at]! ^ 0xff;
      await kv.write([{ type: 'put', key: chunkKey(zxid, chunkOfKey(k)), value: v }], { sync: true });
      return;
    }
    at -= v.length;
  }
}

/** Flips one byte of the stored log entry at `zxid` (offset `at` of its value). */
export async function corruptLogEntry(kv: KvStore, zxid: number, at = 20): Promise<void> {
  const value = await kv.get(logKey(zxid));
  if (value === undefined) throw new Error(`no log entry ${zxid}`);
  const copy = Buffer.from(value);
  copy[at] = copy[at]! ^ 0x10;
  await kv.write([{ type: 'put', key: logKey(zxid), value: copy }], { sync: true });
}

/** The databases of an open storage (tests reach past the SPI to damage or count them). */
export const mainKv = (s: LevelStorage): KvStore => (s.snapshots as unknown as { options: { kv: KvStore } }).options.kv;
export const logKv = (s: LevelStorage): KvStore => (s.txnLog as unknown as { kv: KvStore }).kv;
