import 'reflect-metadata';
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { container as root } from 'tsyringe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataTree } from '@zkts/data-tree';
import { CorruptionError, EpochStore, RecoveryError, SnapshotStore, TxnLog, type RecoveryProgress } from '@zkts/txn-log';
import { buildTree, canon, workload } from '../../txn-log/src/test-support/contract.js';
import { registerFileStorage, VERSION_DIR } from './di.js';
import { FileEpochStore } from './file-epoch-store.js';
import { FileSnapshotStore } from './file-snapshot-store.js';
import { scanLogDir, scanLogFile } from './inspect.js';
import { recoverDataTree } from './recover-data-tree.js';
import { tempDir } from './test-support/tmp.js';

let t: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  t = await tempDir();
});
afterEach(() => t.remove());

const PRE_ALLOC_SIZE_KB = 4;

/** Logs a workload through registerFileStorage, snapshotting after the given counts. */
async function populate(count: number, snapshotAt: readonly number[]) {
  const storage = await registerFileStorage(root.createChildContainer(), { dataDir: t.dir, preAllocSizeKb: PRE_ALLOC_SIZE_KB, snapCount: 50 });
  const entries = workload(count);
  const tree = new DataTree();
  const zxids: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    tree.processTxn(entries[i]!.hdr, entries[i]!.txn);
    storage.txnLog.append([entries[i]!]);
    if (i % 10 === 9) await storage.txnLog.flush(); // batches, so segments roll (snapCount 50)
    if (snapshotAt.includes(i + 1)) {
      await storage.txnLog.flush();
      const { sessions } = buildTree(entries.slice(0, i + 1));
      await storage.snapshots.save(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions, digest: tree.digest() });
      zxids.push(tree.lastProcessedZxid);
    }
  }
  await storage.txnLog.close();
  return { tree, entries, snapZxids: zxids, snapDir: join(t.dir, VERSION_DIR) };
}

const reopen = () => registerFileStorage(root.createChildContainer(), { dataDir: t.dir, preAllocSizeKb: PRE_ALLOC_SIZE_KB, snapCount: 50 });
const sameTree = (got: DataTree, want: DataTree) => {
  expect(got.digest()).toBe(want.digest());
  expect(canon([...got.snapshotNodes()])).toBe(canon([...want.snapshotNodes()]));
};

describe('recoverDataTree over files', () => {
  it('a flipped byte in the newest snapshot: previous snapshot + log, reported', async () => {
    const { tree, snapZxids, snapDir } = await populate(150, [40, 90]);
    const newest = join(snapDir, `snapshot.${snapZxids[1]!.toString(16)}`);
    const bytes = await readFile(newest);
    bytes[100] = bytes[100]! ^ 0x04;
    await writeFile(newest, bytes);
    const s = await reopen();
    const r = await recoverDataTree(s.txnLog, s.snapshots);
    sameTree(r.tree, tree);
    expect(r.snapshotZxid).toBe(snapZxids[0]);
    expect(r.replayed).toBe(110);
    expect(r.dropped).toEqual([{ file: newest, offset: 0, bytes: bytes.length, reason: expect.stringMatching(/checksum/) }]);
    await s.txnLog.close();
  });

  it('a truncated (torn) snapshot is skipped the same way', async () => {
    const { tree, snapZxids, snapDir } = await populate(80, [30, 60]);
    await truncate(join(snapDir, `snapshot.${snapZxids[1]!.toString(16)}`), 200);
    const s = await reopen();
    const r = await recoverDataTree(s.txnLog, s.snapshots);
    sameTree(r.tree, tree);
    expect(r.snapshotZxid).toBe(snapZxids[0]);
    await s.txnLog.close();
  });

  it('missing snapshots: the whole log is replayed', async () => {
    const { tree, snapZxids, snapDir } = await populate(120, [50]);
    await rm(join(snapDir, `snapshot.${snapZxids[0]!.toString(16)}`));
    const s = await reopen();
    const r = await recoverDataTree(s.txnLog, s.snapshots);
    sameTree(r.tree, tree);
    expect(r.snapshotZxid).toBeNull();
    expect(r.replayed).toBe(120);
    expect(canon(r.sessions)).toBe(canon([{ id: 0x100n, timeoutMs: 30_000 }, { id: 0x200n, timeoutMs: 10_000 }]));
    await s.txnLog.close();
  });

  it('a torn log tail: recovered to the last whole entry, the cut reported', async () => {
    const { entries } = await populate(60, []);
    const logDir = join(t.dir, VERSION_DIR);
    const segs = (await readdir(logDir)).filter((n) => n.startsWith('log.')).sort((a, b) => parseInt(a.slice(4), 16) - parseInt(b.slice(4), 16));
    const newest = join(logDir, segs.at(-1)!);
    const bytes = await readFile(newest);
    let end = bytes.length;
    while (bytes[end - 1] === 0) end--;
    await writeFile(newest, bytes.subarray(0, end - 3)); // the last entry loses its tail
    const s = await reopen();
    const r = await recoverDataTree(s.txnLog, s.snapshots);
    expect(r.lastZxid).toBe(entries[58]!.hdr.zxid);
    sameTree(r.tree, buildTree(entries.slice(0, 59)).tree);
    expect(r.dropped).toHaveLength(1);
    expect(r.dropped[0]!.file).toBe(newest);
    await s.txnLog.close();
  });
});

/** The log segments under dataDir/version-2, oldest first. */
async function segments(): Promise<string[]> {
  const logDir = join(t.dir, VERSION_DIR);
  return (await readdir(logDir))
    .filter((n) => n.startsWith('log.'))
    .sort((a, b) => parseInt(a.slice(4), 16) - parseInt(b.slice(4), 16))
    .map((n) => join(logDir, n));
}

// ZooKeeper stops at a CRC failure in the middle of a log (FileTxnIterator throws, the server
// does not start). zkts does the same: opening refuses with the file and the entry's offset,
// and never builds a tree that skips the damaged entry and applies the ones after it.
describe('corruption in the middle of the log', () => {
  it('a flipped byte in an entry with entries after it: startup refuses naming file and offset; the scan agrees, read-only', async () => {
    await populate(150, [60]);
    const segs = await segments();
    expect(segs.length).toBeGreaterThan(1);
    const victim = segs.at(-1)!; // the newest segment: damage there is not a torn tail when entries follow
    const scan = await scanLogFile(victim);
    expect(scan.damage).toBeNull();
    expect(scan.entries.length).toBeGreaterThan(3);
    const hit = scan.entries[1]!;
    const bytes = await readFile(victim);
    bytes[hit.offset + 14] = bytes[hit.offset + 14]! ^ 0x10;
    await writeFile(victim, bytes);

    const err = await reopen().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptionError);
    expect(err).toMatchObject({ file: victim, offset: hit.offset });
    expect((err as Error).message).toContain(`${victim}: corrupt at offset ${hit.offset}`);

    const after = await scanLogDir(join(t.dir, VERSION_DIR));
    expect(after.at(-1)!.damage).toMatchObject({ file: victim, offset: hit.offset, kind: 'corrupt', reason: expect.stringMatching(/checksum/) });
    expect(after.at(-1)!.entries).toHaveLength(1);
    expect(await readFile(victim)).toEqual(bytes); // neither open nor the scan repaired anything
  });

  it('damage covered by a newer snapshot is still refused (the log must be whole)', async () => {
    await populate(150, [140]);
    const first = (await segments())[0]!;
    const scan = await scanLogFile(first, { newest: false });
    const hit = scan.entries[2]!;
    const bytes = await readFile(first);
    bytes[hit.offset + 9] = bytes[hit.offset + 9]! ^ 0x01;
    await writeFile(first, bytes);
    await expect(reopen()).rejects.toThrow(`${first}: corrupt at offset ${hit.offset}`);
  });

  it('a torn tail: the scan calls it torn-tail at the offset startup then cuts', async () => {
    const { entries } = await populate(60, []);
    const newest = (await segments()).at(-1)!;
    const before = await scanLogFile(newest);
    const last = before.entries.at(-1)!;
    await truncate(newest, last.offset + last.bytes - 5);
    const scan = await scanLogFile(newest);
    expect(scan.damage).toMatchObject({ file: newest, offset: last.offset, kind: 'torn-tail' });
    const s = await reopen();
    expect(s.dropped).toEqual([expect.objectContaining({ file: newest, offset: last.offset })]);
    const r = await recoverDataTree(s.txnLog, s.snapshots);
    expect(r.lastZxid).toBe(entries[58]!.hdr.zxid);
    await s.txnLog.close();
  });

  it('a deleted segment in the middle: recovery refuses, naming the gap', async () => {
    await populate(150, []);
    const segs = await segments();
    expect(segs.length).toBeGreaterThan(2);
    await rm(segs[1]!);
    const s = await reopen();
    await expect(recoverDataTree(s.txnLog, s.snapshots)).rejects.toThrow(RecoveryError);
    await expect(recoverDataTree(s.txnLog, s.snapshots)).rejects.toThrow(/log entries missing: 0x[0-9a-f]+ is followed by 0x[0-9a-f]+/);
    await s.txnLog.close();
  });

  it('a purged log whose snapshots are all gone: recovery refuses instead of replaying a partial history', async () => {
    const { snapZxids, snapDir } = await populate(150, [30, 60, 90, 120]);
    const s0 = await reopen();
    await s0.txnLog.purgeBefore(snapZxids[1]! + 1);
    await s0.txnLog.close();
    expect((await segments()).length).toBeGreaterThan(0);
    for (const z of snapZxids) await rm(join(snapDir, `snapshot.${z.toString(16)}`));
    const s = await reopen();
    await expect(recoverDataTree(s.txnLog, s.snapshots)).rejects.toThrow(/log entries missing: the log starts at 0x[0-9a-f]+/);
    await s.txnLog.close();
  });
});

describe('recovery progress over files', () => {
  it('reports snapshot nodes and replayed entries against an injected clock', async () => {
    const { tree, snapZxids } = await populate(150, [100]);
    const reports: RecoveryProgress[] = [];
    let clock = 0;
    const s = await reopen();
    const r = await recoverDataTree(s.txnLog, s.snapshots, {}, { onProgress: (p) => reports.push(p), now: () => (clock += 700) });
    sameTree(r.tree, tree);
    const snap = reports.filter((p) => p.phase === 'snapshot');
    expect(snap.at(-1)).toMatchObject({ done: true, source: `snapshot.${snapZxids[0]!.toString(16)}` });
    expect(snap.at(-1)!.totalBytes).toBeGreaterThan(0);
    const replay = reports.filter((p) => p.phase === 'replay');
    expect(replay.filter((p) => !p.done).length).toBeGreaterThan(10);
    expect(replay.at(-1)).toMatchObject({ done: true, entries: 50, nodes: tree.nodeCount });
    await s.txnLog.close();
  });
});

describe('FileSnapshotStore files', () => {
  it('writes snapshot.<zxid hex> atomically and ignores (removes) a leftover .tmp', async () => {
    const dir = join(t.dir, 'snap');
    const store = await FileSnapshotStore.open({ dir });
    const { tree, sessions } = buildTree(workload(20));
    await store.save(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions, digest: tree.digest() });
    const name = `snapshot.${tree.lastProcessedZxid.toString(16)}`;
    expect(await readdir(dir)).toEqual([name]);
    await writeFile(join(dir, 'snapshot.999.tmp'), 'half a snapshot');
    const again = await FileSnapshotStore.open({ dir });
    expect(await readdir(dir)).toEqual([name]);
    expect((await again.list()).map((i) => i.name)).toEqual([name]);
  });
});

describe('FileEpochStore files', () => {
  it('stores each epoch as decimal text, as ZooKeeper does, and refuses a garbled file', async () => {
    const store = await FileEpochStore.open({ dir: t.dir });
    await store.setCurrentEpoch(12);
    await store.setAcceptedEpoch(13);
    expect(await readFile(join(t.dir, 'currentEpoch'), 'latin1')).toBe('12');
    expect(await readFile(join(t.dir, 'acceptedEpoch'), 'latin1')).toBe('13');
    expect((await readdir(t.dir)).sort()).toEqual(['acceptedEpoch', 'currentEpoch']);
    await writeFile(join(t.dir, 'acceptedEpoch'), 'x13');
    await expect(FileEpochStore.open({ dir: t.dir })).rejects.toBeInstanceOf(CorruptionError);
  });
});

describe('registerFileStorage', () => {
  it('binds TxnLog, SnapshotStore and EpochStore under <dataDir>/version-2 and <dataLogDir>/version-2', async () => {
    const c = root.createChildContainer();
    const s = await registerFileStorage(c, { dataDir: join(t.dir, 'data'), dataLogDir: join(t.dir, 'log'), preAllocSizeKb: PRE_ALLOC_SIZE_KB });
    expect(c.resolve(TxnLog)).toBe(s.txnLog);
    expect(c.resolve(SnapshotStore)).toBe(s.snapshots);
    expect(c.resolve(EpochStore)).toBe(s.epochs);
    s.txnLog.append(workload(3));
    await s.txnLog.flush();
    await s.epochs.setCurrentEpoch(1);
    expect((await readdir(join(t.dir, 'log', VERSION_DIR))).length).toBe(1);
    expect(await readdir(join(t.dir, 'data', VERSION_DIR))).toEqual(['currentEpoch']);
    await s.txnLog.close();
  });

  it('a bad option fails, naming it', async () => {
    await expect(registerFileStorage(root.createChildContainer(), { dataDir: t.dir, snapCount: 1 })).rejects.toThrow(/snapCount/);
    await expect(registerFileStorage(root.createChildContainer(), { dataDir: t.dir, preAllocSizeKb: 0 })).rejects.toThrow(/preAllocSizeKb/);
  });
});
