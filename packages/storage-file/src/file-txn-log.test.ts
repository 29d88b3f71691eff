import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError, type LogEntry, crc32, encodeEntries } from '@zkts/txn-log';
import { workload } from '../../txn-log/src/test-support/contract.js';
import { FileTxnLog, LOG_HEADER_BYTES, LOG_SEEK_MARK_ENTRIES, OPEN_READ_CHUNK_BYTES } from './file-txn-log.js';
import { type StorageFs, countingFs } from './fs.js';
import { seeded, tempDir } from './test-support/tmp.js';

const PRE_ALLOC_BYTES = 4096;
const SNAP_COUNT_LARGE = 100_000;

let t: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  t = await tempDir();
});
afterEach(() => t.remove());

const open = (opts: Partial<Parameters<typeof FileTxnLog.open>[0]> = {}) =>
  FileTxnLog.open({ dir: t.dir, preAllocSizeBytes: PRE_ALLOC_BYTES, snapCount: SNAP_COUNT_LARGE, random: () => 0, ...opts });

async function zxids(log: FileTxnLog, from = 0): Promise<number[]> {
  const out: number[] = [];
  for await (const e of log.readFrom(from)) out.push(e.hdr.zxid);
  return out;
}
const zx = (es: readonly LogEntry[]) => es.map((e) => e.hdr.zxid);
/** Byte offset of entry i in a single segment holding `entries`. */
const offsetOf = (entries: readonly LogEntry[], i: number) => LOG_HEADER_BYTES + encodeEntries(entries.slice(0, i)).length;

async function writeLog(entries: readonly LogEntry[], opts: Partial<Parameters<typeof FileTxnLog.open>[0]> = {}): Promise<void> {
  const log = await open(opts);
  log.append(entries);
  await log.flush();
  await log.close();
}

describe('FileTxnLog files', () => {
  it('names segments log.<first zxid hex> and preallocates in preAllocSize steps', async () => {
    const entries = workload(200);
    const log = await open();
    log.append(entries.slice(0, 1));
    await log.flush();
    const name = `log.${entries[0]!.hdr.zxid.toString(16)}`;
    expect(await readdir(t.dir)).toEqual([name]);
    expect((await stat(join(t.dir, name))).size).toBe(PRE_ALLOC_BYTES);
    log.append(entries.slice(1));
    await log.flush();
    const used = LOG_HEADER_BYTES + encodeEntries(entries).length;
    expect(used).toBeGreaterThan(PRE_ALLOC_BYTES);
    expect((await stat(join(t.dir, name))).size).toBe(Math.ceil(used / PRE_ALLOC_BYTES) * PRE_ALLOC_BYTES);
    await log.close();
  });

  it('rolls to a new segment at snapCount/2 + random(snapCount/2) entries', async () => {
    const entries = workload(40);
    // snapCount 10: random 0 -> roll after 5 entries; random 0.99 -> after 5 + 4 = 9.
    const draws = [0, 0.99, 0, 0.99, 0, 0.99];
    const log = await open({ snapCount: 10, random: () => draws.shift() ?? 0 });
    for (const e of entries.slice(0, 30)) {
      log.append([e]);
      await log.flush();
    }
    // Each new segment draws its roll point: 5, 9, 5, 9, 5 entries.
    const firsts = [0, 5, 14, 19, 28].map((i) => entries[i]!.hdr.zxid);
    expect(log.segmentNames()).toEqual(firsts.map((z) => `log.${z.toString(16)}`));
    expect((await readdir(t.dir)).sort()).toEqual(firsts.map((z) => `log.${z.toString(16)}`).sort());
    await log.close();
    const again = await open({ snapCount: 10 });
    expect(await zxids(again)).toEqual(zx(entries.slice(0, 30)));
    await again.close();
  });

  it('purgeBefore deletes whole segments below the zxid, never the newest', async () => {
    const entries = workload(40);
    const log = await open({ snapCount: 10, random: () => 0 });
    for (const e of entries) {
      log.append([e]);
      await log.flush();
    }
    expect(log.segmentNames()).toHaveLength(8);
    await log.purgeBefore(entries[12]!.hdr.zxid);
    // Segments start at entries 0, 5, 10, ...: those starting at 0 and 5 hold only older zxids.
    expect(log.segmentNames()[0]).toBe(`log.${entries[10]!.hdr.zxid.toString(16)}`);
    expect(await readdir(t.dir)).toHaveLength(6);
    expect(await zxids(log)).toEqual(zx(entries.slice(10)));
    await log.purgeBefore(entries.at(-1)!.hdr.zxid + 100);
    expect(log.segmentNames()).toHaveLength(1);
    expect(log.lastZxid()).toBe(entries.at(-1)!.hdr.zxid);
    await log.close();
  });
});

describe('FileTxnLog group commit', () => {
  it('100 appends then one flush = one write and one fsync', async () => {
    const { fs, counts } = countingFs();
    const entries = workload(201);
    const log = await open({ fs });
    log.append(entries.slice(0, 1));
    await log.flush(); // creates the segment: one write, one fsync, one directory fsync
    expect(counts).toEqual({ writes: 1, fileSyncs: 1, dirSyncs: 1 });
    for (const e of entries.slice(1, 101)) log.append([e]);
    await log.flush();
    expect(counts).toEqual({ writes: 2, fileSyncs: 2, dirSyncs: 1 });
    await log.flush(); // nothing new: no I/O
    expect(counts.fileSyncs).toBe(2);
    await log.close();
  });

  it('flushes called in one turn share one batch; those called while it runs share the next', async () => {
    const { fs: counting, counts } = countingFs();
    let entered!: () => void;
    let release!: () => void;
    let gate: Promise<void> | null = null;
    const syncEntered = new Promise<void>((r) => (entered = r));
    // Holds the first fsync of the batch under test until released (no sleeps).
    const fs: StorageFs = {
      ...counting,
      async open(path, mode) {
        const f = await counting.open(path, mode);
        return {
          ...f,
          async sync() {
            if (gate) {
              const g = gate;
              gate = null;
              entered();
              await g;
            }
            return f.sync();
          },
        };
      },
    };
    const entries = workload(120);
    const log = await open({ fs });
    log.append(entries.slice(0, 1));
    await log.flush();
    const before = counts.fileSyncs;
    const first: Promise<void>[] = [];
    for (let i = 1; i < 60; i++) {
      log.append([entries[i]!]);
      first.push(log.flush());
    }
    gate = new Promise<void>((r) => (release = r));
    await syncEntered; // the batch of 59 is being fsynced now
    const second: Promise<void>[] = [];
    for (let i = 60; i < 120; i++) {
      log.append([entries[i]!]);
      second.push(log.flush());
    }
    release();
    await Promise.all([...first, ...second]);
    expect(counts.fileSyncs - before).toBe(2);
    await log.close();
    const again = await open();
    expect(await zxids(again)).toEqual(zx(entries));
    await again.close();
  });

  it('forceSync=false writes without fsync', async () => {
    const { fs, counts } = countingFs();
    const log = await open({ fs, forceSync: false });
    log.append(workload(10));
    await log.flush();
    expect(counts.fileSyncs).toBe(0);
    expect(counts.writes).toBe(1);
    await log.close();
  });
});

describe('FileTxnLog faults', () => {
  const segPath = async () => join(t.dir, (await readdir(t.dir)).sort()[0]!);

  it('a torn tail (file cut mid-entry) is cut at the last whole entry and reported', async () => {
    const entries = workload(50);
    await writeLog(entries, { preAllocSizeBytes: 1 }); // no padding: the file ends where the data does
    const path = await segPath();
    const lastAt = offsetOf(entries, 49);
    const end = offsetOf(entries, 50);
    await truncate(path, end - 10);
    const log = await open();
    expect(log.lastZxid()).toBe(entries[48]!.hdr.zxid);
    expect(log.dropped).toHaveLength(1);
    expect(log.dropped[0]).toMatchObject({ file: path, offset: lastAt, reason: expect.stringMatching(/torn tail/) });
    // bytes = the torn entry's bytes up to its last non-zero one
    expect(log.dropped[0]!.bytes).toBeGreaterThan(end - 10 - lastAt - 8);
    expect(log.dropped[0]!.bytes).toBeLessThanOrEqual(end - 10 - lastAt);
    expect(await zxids(log)).toEqual(zx(entries.slice(0, 49)));
    log.append(entries.slice(49));
    await log.flush();
    await log.close();
    const again = await open();
    expect(again.dropped).toEqual([]);
    expect(await zxids(again)).toEqual(zx(entries));
    await again.close();
  });

  it('a torn write inside preallocated space (entry partly zero) is cut the same way', async () => {
    const entries = workload(30);
    await writeLog(entries);
    const path = await segPath();
    const bytes = await readFile(path);
    const lastAt = offsetOf(entries, 29);
    const end = offsetOf(entries, 30);
    bytes.fill(0, end - 7, end);
    await writeFile(path, bytes);
    const log = await open();
    expect(log.lastZxid()).toBe(entries[28]!.hdr.zxid);
    expect(log.dropped).toHaveLength(1);
    expect(log.dropped[0]).toMatchObject({ file: path, offset: lastAt });
    expect(log.dropped[0]!.bytes).toBeLessThanOrEqual(end - 7 - lastAt);
    // The cut bytes are zero again, so the next open finds nothing to drop.
    await log.close();
    const again = await open();
    expect(again.dropped).toEqual([]);
    expect(again.lastZxid()).toBe(entries[28]!.hdr.zxid);
    await again.close();
  });

  it('a flipped byte in the middle of a segment is refused, naming the file and offset', async () => {
    const entries = workload(50);
    await writeLog(entries);
    const path = await segPath();
    const bytes = await readFile(path);
    const at = offsetOf(entries, 20);
    bytes[at + 20] = bytes[at + 20]! ^ 0x01;
    await writeFile(path, bytes);
    const err = await open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).file).toBe(path);
    expect((err as CorruptionError).offset).toBe(at);
    expect((err as Error).message).toContain(`${path}: corrupt at offset ${at}`);
  });

  it('open checks checksums and zxids only; a checksummed entry whose body does not decode is refused when read, naming file and offset', async () => {
    const entries = workload(30);
    await writeLog(entries);
    const path = await segPath();
    const bytes = await readFile(path);
    const at = offsetOf(entries, 12);
    // The txn record's length (after the 28-byte TxnHeader) made absurd, the checksum made right again.
    bytes.writeInt32BE(0x7fffffff, at + 8 + 28);
    const bodyEnd = offsetOf(entries, 13);
    bytes.writeUInt32BE(crc32(bytes.subarray(at + 8, bodyEnd), crc32(bytes.subarray(at, at + 4))), at + 4);
    await writeFile(path, bytes);
    const log = await open();
    expect(log.lastZxid()).toBe(entries.at(-1)!.hdr.zxid);
    // Reading from after it decodes nothing before it: fine.
    expect(await zxids(log, entries[13]!.hdr.zxid)).toEqual(zx(entries.slice(13)));
    const err = await zxids(log, 0).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).file).toBe(path);
    expect((err as CorruptionError).offset).toBe(at);
    expect((err as Error).message).toMatch(/does not decode/);
    await log.close();
  });

  it('readFrom starts at the open scan\'s seek marks: every start zxid reads exactly its entries, corruption offsets stay file offsets, marks follow truncateAfter', async () => {
    const entries = workload(LOG_SEEK_MARK_ENTRIES * 3 + 100);
    const bad = LOG_SEEK_MARK_ENTRIES * 2 + 7;
    await writeLog(entries, { preAllocSizeBytes: 1024 * 1024 });
    const path = await segPath();
    const bytes = await readFile(path);
    const at = offsetOf(entries, bad);
    bytes.writeInt32BE(0x7fffffff, at + 8 + 28);
    bytes.writeUInt32BE(crc32(bytes.subarray(at + 8, offsetOf(entries, bad + 1)), crc32(bytes.subarray(at, at + 4))), at + 4);
    await writeFile(path, bytes);
    const log = await open({ preAllocSizeBytes: 1024 * 1024 });
    const all = zx(entries);
    for (const i of [bad + 1, bad + 2, LOG_SEEK_MARK_ENTRIES * 3 - 1, LOG_SEEK_MARK_ENTRIES * 3, LOG_SEEK_MARK_ENTRIES * 3 + 1, entries.length - 1]) {
      expect(await zxids(log, all[i]!)).toEqual(all.slice(i));
    }
    expect(await zxids(log, all.at(-1)! + 1)).toEqual([]);
    for (const from of [0, all[LOG_SEEK_MARK_ENTRIES]!, all[LOG_SEEK_MARK_ENTRIES * 2]!, all[bad]!]) {
      const err = await zxids(log, from).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CorruptionError);
      expect((err as CorruptionError).offset).toBe(at);
    }
    // Cut back before the damage (and before a mark): reads from the marks left are exact.
    await log.truncateAfter(all[LOG_SEEK_MARK_ENTRIES + 10]!);
    for (const i of [0, LOG_SEEK_MARK_ENTRIES - 1, LOG_SEEK_MARK_ENTRIES, LOG_SEEK_MARK_ENTRIES + 10]) {
      expect(await zxids(log, all[i]!)).toEqual(all.slice(i, LOG_SEEK_MARK_ENTRIES + 11));
    }
    log.append(entries.slice(LOG_SEEK_MARK_ENTRIES + 11, LOG_SEEK_MARK_ENTRIES * 2));
    await log.flush();
    expect(await zxids(log, all[LOG_SEEK_MARK_ENTRIES + 5]!)).toEqual(all.slice(LOG_SEEK_MARK_ENTRIES + 5, LOG_SEEK_MARK_ENTRIES * 2));
    await log.close();
  });

  it('a damaged length field with valid entries after it is refused too', async () => {
    const entries = workload(20);
    await writeLog(entries);
    const path = await segPath();
    const bytes = await readFile(path);
    const at = offsetOf(entries, 5);
    bytes.writeUInt32BE(0x00ffffff, at);
    await writeFile(path, bytes);
    await expect(open()).rejects.toThrow(new RegExp(`corrupt at offset ${at}`));
  });

  it('a wholly zeroed entry with valid entries after it is refused, not taken for the end', async () => {
    const entries = workload(20);
    await writeLog(entries);
    const path = await segPath();
    const bytes = await readFile(path);
    const at = offsetOf(entries, 5);
    bytes.fill(0, at, offsetOf(entries, 6));
    await writeFile(path, bytes);
    await expect(open()).rejects.toThrow(new RegExp(`corrupt at offset ${at}: zeroed entry with valid entries after it`));
  });

  it('open reads the padding in chunks: an entry far past the first chunk is still found', async () => {
    const entries = workload(20);
    const preAllocSizeBytes = 3 * OPEN_READ_CHUNK_BYTES;
    await writeLog(entries, { preAllocSizeBytes });
    const path = await segPath();
    const fresh = await open({ preAllocSizeBytes });
    expect(fresh.lastZxid()).toBe(entries[19]!.hdr.zxid);
    expect((await stat(path)).size).toBe(preAllocSizeBytes);
    await fresh.close();
    const bytes = await readFile(path);
    const stray = OPEN_READ_CHUNK_BYTES * 2 + 100;
    bytes.set(bytes.subarray(offsetOf(entries, 3), offsetOf(entries, 4)), stray);
    await writeFile(path, bytes);
    await expect(open({ preAllocSizeBytes })).rejects.toThrow(new RegExp(`corrupt at offset ${offsetOf(entries, 20)}`));
  });

  it('entries spanning several read chunks all load', async () => {
    const big = new Uint8Array(OPEN_READ_CHUNK_BYTES / 2 + 3).fill(7);
    const entries = workload(40).map((e) => (e.txn.type === 1 ? { ...e, txn: { ...e.txn, data: big } } : e)) as LogEntry[];
    await writeLog(entries, { preAllocSizeBytes: 1 });
    expect((await stat(await segPath())).size).toBeGreaterThan(2 * OPEN_READ_CHUNK_BYTES);
    const log = await open();
    expect(log.dropped).toEqual([]);
    expect(await zxids(log)).toEqual(zx(entries));
    await log.close();
  });

  it('damage at the end of an older segment is corruption, not a torn tail', async () => {
    const entries = workload(20);
    const log = await open({ snapCount: 10, random: () => 0 });
    for (const e of entries) {
      log.append([e]);
      await log.flush();
    }
    await log.close();
    const first = await segPath();
    const bytes = await readFile(first);
    const at = offsetOf(entries, 4); // last of the first segment's 5 entries
    bytes[at + 12] = bytes[at + 12]! ^ 0x80;
    await writeFile(first, bytes);
    await expect(open()).rejects.toBeInstanceOf(CorruptionError);
  });

  it('a newest segment with no whole entry is removed and reported', async () => {
    const entries = workload(20);
    const log = await open({ snapCount: 10, random: () => 0 });
    for (const e of entries.slice(0, 6)) {
      log.append([e]);
      await log.flush();
    }
    await log.close();
    const names = (await readdir(t.dir)).sort((a, b) => parseInt(a.slice(4), 16) - parseInt(b.slice(4), 16));
    const newest = join(t.dir, names.at(-1)!);
    await truncate(newest, LOG_HEADER_BYTES + 5);
    const again = await open({ snapCount: 10, random: () => 0 });
    expect(again.lastZxid()).toBe(entries[4]!.hdr.zxid);
    expect(again.dropped.map((d) => d.file)).toContain(newest);
    expect(await readdir(t.dir)).toHaveLength(1);
    await again.close();
  });
});
