// Backend-specific behaviour of the LevelDB and RocksDB storage (the SPI contract is in
// contract.test.ts): damaged values, group commit, reopen, locking, refusing foreign data,
// chunked snapshots, option checks.
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { container as root } from 'tsyringe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '@zkts/protocol';
import { CorruptionError, EpochStore, type LogEntry, SnapshotStore, type SnapshotNodeRecord, TxnLog, recover } from '@zkts/txn-log';
import { buildTree, canon, treeTarget, workload } from '../../txn-log/src/test-support/contract.js';
import { registerLevelStorage } from './di.js';
import { chunkKey, chunksStart } from './keys.js';
import { LevelStorageError, countingKv, openKv } from './kv.js';
import { LevelSnapshotStore, SNAPSHOT_WRITE_BATCH_BYTES } from './level-snapshot-store.js';
import { LevelTxnLog } from './level-txn-log.js';
import { ENGINE_DIRS, type LevelStorage, openLevelStorage } from './storage.js';
import { ENGINES, corruptLogEntry, logKv, mainKv, tempDir } from './test-support/tmp.js';

async function collect(log: TxnLog, from = 0): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of log.readFrom(from)) out.push(e);
  return out;
}
const zxids = (es: readonly LogEntry[]) => es.map((e) => e.hdr.zxid);

describe.each(ENGINES)('%s engine', (engine) => {
  let t: { dir: string; remove: () => Promise<void> };
  const open: LevelStorage[] = [];
  const start = async (more: Partial<Parameters<typeof openLevelStorage>[0]> = {}) => {
    const s = await openLevelStorage({ dataDir: t.dir, engine, ...more });
    open.push(s);
    return s;
  };
  beforeEach(async () => {
    t = await tempDir();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await t.remove();
  });

  /** A storage holding `count` workload entries, flushed, then closed. */
  async function logged(count: number): Promise<LogEntry[]> {
    const entries = workload(count);
    const s = await start();
    s.txnLog.append(entries);
    await s.txnLog.flush();
    await s.close();
    return entries;
  }

  describe('damaged log values', () => {
    it('a damaged entry in the middle: readFrom rejects with a CorruptionError naming it, recovery refuses', async () => {
      const entries = await logged(30);
      let s = await start();
      const bad = entries[12]!.hdr.zxid;
      await corruptLogEntry(logKv(s), bad);
      await s.close();
      s = await start();
      expect(s.dropped).toEqual([]);
      expect(s.txnLog.lastZxid()).toBe(entries.at(-1)!.hdr.zxid);
      const err = await collect(s.txnLog).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptionError);
      expect((err as CorruptionError).file).toBe(`${join(t.dir, ENGINE_DIRS[engine])}:log.${bad.toString(16)}`);
      expect((err as Error).message).toMatch(/checksum/);
      // Entries before the damage are still readable up to it.
      expect(zxids(await collect(s.txnLog, entries[13]!.hdr.zxid))).toEqual(zxids(entries.slice(13)));
      await expect(recover(s.txnLog, s.snapshots, treeTarget)).rejects.toBeInstanceOf(CorruptionError);
    });

    it('a damaged newest entry is cut at open and reported in dropped; appending continues after the previous one', async () => {
      const entries = await logged(20);
      let s = await start();
      const newest = entries.at(-1)!.hdr.zxid;
      await corruptLogEntry(logKv(s), newest);
      await s.close();
      s = await start();
      expect(s.dropped).toEqual([{ file: expect.stringContaining(`log.${newest.toString(16)}`), offset: 0, bytes: expect.any(Number), reason: expect.stringMatching(/checksum/) }]);
      expect(s.txnLog.lastZxid()).toBe(entries.at(-2)!.hdr.zxid);
      expect(zxids(await collect(s.txnLog))).toEqual(zxids(entries.slice(0, -1)));
      s.txnLog.append([entries.at(-1)!]);
      await s.close();
      s = await start();
      expect(s.dropped).toEqual([]);
      expect(canon(await collect(s.txnLog))).toBe(canon(entries));
    });

    it('the two newest entries damaged: open refuses with a CorruptionError', async () => {
      const entries = await logged(10);
      const s = await start();
      await corruptLogEntry(logKv(s), entries[9]!.hdr.zxid);
      await corruptLogEntry(logKv(s), entries[8]!.hdr.zxid);
      await s.close();
      await expect(openLevelStorage({ dataDir: t.dir, engine })).rejects.toBeInstanceOf(CorruptionError);
    });
  });

  describe('group commit', () => {
    it('N appends and one flush are one synced batch; flushes during a write share the next one', async () => {
      const kv = await openKv(engine, join(t.dir, 'db'));
      const { kv: counted, counts } = countingKv(kv);
      const log = await LevelTxnLog.open({ kv: counted });
      const entries = workload(100);
      for (let i = 0; i < 100; i += 10) log.append(entries.slice(i, i + 10));
      await log.flush();
      expect(counts).toEqual({ batches: 1, syncBatches: 1, puts: 100, dels: 0 });

      const more = workload(200).slice(100);
      log.append(more.slice(0, 10));
      const first = log.flush();
      log.append(more.slice(10, 20));
      const second = log.flush();
      log.append(more.slice(20, 30));
      const third = log.flush();
      expect(third).toBe(second);
      await Promise.all([first, second, third]);
      expect(counts).toEqual({ batches: 3, syncBatches: 3, puts: 130, dels: 0 });
      await log.flush(); // nothing appended: no batch
      expect(counts.batches).toBe(3);
      await log.close();
      await kv.close();
    });

    it('forceSync=false writes the batch without sync', async () => {
      const kv = await openKv(engine, join(t.dir, 'db'));
      const { kv: counted, counts } = countingKv(kv);
      const log = await LevelTxnLog.open({ kv: counted, forceSync: false });
      log.append(workload(5));
      await log.flush();
      expect(counts).toEqual({ batches: 1, syncBatches: 0, puts: 5, dels: 0 });
      await log.close();
      await kv.close();
    });

    it('a failed write makes the log refuse further use', async () => {
      const kv = await openKv(engine, join(t.dir, 'db'));
      const log = await LevelTxnLog.open({ kv: { ...countingKv(kv).kv, write: () => Promise.reject(new Error('disk on fire')) } });
      log.append(workload(3));
      await expect(log.flush()).rejects.toThrow('disk on fire');
      expect(() => log.append(workload(4).slice(3))).toThrow('disk on fire');
      await log.close();
      await kv.close();
    });
  });

  it('registerLevelStorage binds the tokens; log, snapshots and epochs survive close and reopen', async () => {
    const entries = workload(120);
    const c = root.createChildContainer();
    const s = await registerLevelStorage(c, { dataDir: t.dir, engine, snapCount: 50 });
    expect(c.resolve<TxnLog>(TxnLog)).toBe(s.txnLog);
    expect(c.resolve<SnapshotStore>(SnapshotStore)).toBe(s.snapshots);
    expect(c.resolve<EpochStore>(EpochStore)).toBe(s.epochs);
    s.txnLog.append(entries.slice(0, 80));
    await s.txnLog.flush();
    const { tree, sessions } = buildTree(entries.slice(0, 80));
    await s.snapshots.save(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions, digest: tree.digest() });
    await s.epochs.setAcceptedEpoch(3);
    await s.epochs.setCurrentEpoch(2);
    s.txnLog.append(entries.slice(80));
    await s.txnLog.close(); // flushes the last 40 and closes the database

    const again = await start();
    expect(canon(await collect(again.txnLog))).toBe(canon(entries));
    expect((await again.snapshots.list()).map((i) => i.zxid)).toEqual([tree.lastProcessedZxid]);
    expect(await again.epochs.acceptedEpoch()).toBe(3);
    expect(await again.epochs.currentEpoch()).toBe(2);
    const r = await recover(again.txnLog, again.snapshots, treeTarget);
    expect(r.snapshotZxid).toBe(tree.lastProcessedZxid);
    expect(r.replayed).toBe(40);
    expect(r.state.digest()).toBe(buildTree(entries).tree.digest());
  });

  it('a second open of the same dataDir fails with a clear message while the first is open', async () => {
    const first = await start();
    const err = await openLevelStorage({ dataDir: t.dir, engine }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LevelStorageError);
    expect((err as Error).message).toMatch(new RegExp(`${ENGINE_DIRS[engine]}: the (LevelDB|RocksDB) database is locked \\(already open in this or another process\\)`));
    await first.close();
    const second = await start();
    expect(second.txnLog.lastZxid()).toBe(0);
  });

  it('refuses a dataDir or database written by the other engine, and storage-file data', async () => {
    const other = engine === 'level' ? 'rocksdb' : 'level';
    const s = await openLevelStorage({ dataDir: t.dir, engine: other });
    s.txnLog.append(workload(3));
    await s.close();
    await expect(openLevelStorage({ dataDir: t.dir, engine })).rejects.toThrow(
      new RegExp(`holds ${ENGINE_DIRS[other]}/ \\(zkts.storage=${other}\\); zkts.storage=${engine} would start from an empty`),
    );
    // Pointed straight at the other engine's database directory.
    await expect(openKv(engine, join(t.dir, ENGINE_DIRS[other]))).rejects.toThrow(/holds a (LevelDB|RocksDB) database \(zkts.storage=\w+\); the (LevelDB|RocksDB) engine/);

    const fileDir = join(t.dir, 'from-file');
    await mkdir(join(fileDir, 'version-2'), { recursive: true });
    await writeFile(join(fileDir, 'version-2', 'log.100000001'), 'x');
    await expect(openLevelStorage({ dataDir: fileDir, engine })).rejects.toThrow(/holds version-2\/ log or snapshot files \(zkts.storage=file\)/);
  });

  it('keeps the log in dataLogDir when it names another directory', async () => {
    const logDir = join(t.dir, 'log');
    const dataDir = join(t.dir, 'data');
    let s = await openLevelStorage({ dataDir, dataLogDir: logDir, engine });
    open.push(s);
    expect(s.locations).toEqual([join(dataDir, ENGINE_DIRS[engine]), join(logDir, ENGINE_DIRS[engine])]);
    const entries = workload(30);
    s.txnLog.append(entries);
    await s.epochs.setCurrentEpoch(1);
    await s.close();
    s = await openLevelStorage({ dataDir, dataLogDir: logDir, engine });
    open.push(s);
    expect(zxids(await collect(s.txnLog))).toEqual(zxids(entries));
    expect(await s.epochs.currentEpoch()).toBe(1);
    await s.close();
    // The log database alone, opened as a dataDir, holds no epochs: the split is real.
    s = await openLevelStorage({ dataDir: logDir, engine });
    open.push(s);
    expect(await s.epochs.currentEpoch()).toBeNull();
    expect(zxids(await collect(s.txnLog))).toEqual(zxids(entries));
  });

  it('readFrom joins stored, in-flight and buffered entries without gaps or repeats', async () => {
    const entries = workload(40);
    const s = await start();
    s.txnLog.append(entries.slice(0, 10));
    await s.txnLog.flush();
    s.txnLog.append(entries.slice(10, 20));
    const writing = s.txnLog.flush();
    s.txnLog.append(entries.slice(20, 30)); // buffered behind the batch being written
    expect(zxids(await collect(s.txnLog))).toEqual(zxids(entries.slice(0, 30)));
    expect(zxids(await collect(s.txnLog, entries[25]!.hdr.zxid))).toEqual(zxids(entries.slice(25, 30)));
    expect(zxids(await collect(s.txnLog, entries[5]!.hdr.zxid))).toEqual(zxids(entries.slice(5, 30)));
    await writing;
    expect(zxids(await collect(s.txnLog, entries[15]!.hdr.zxid))).toEqual(zxids(entries.slice(15, 30)));
  });

  it('purgeBefore keeps the newest entry, so the last zxid survives a restart', async () => {
    const entries = await logged(10);
    let s = await start();
    await s.txnLog.purgeBefore(entries.at(-1)!.hdr.zxid + 100);
    expect(zxids(await collect(s.txnLog))).toEqual([entries.at(-1)!.hdr.zxid]);
    await s.close();
    s = await start();
    expect(s.txnLog.lastZxid()).toBe(entries.at(-1)!.hdr.zxid);
  });

  it('a closed storage refuses use with a message; close is idempotent', async () => {
    const s = await start();
    await s.close();
    await s.close();
    expect(() => s.txnLog.append(workload(1))).toThrow(/is closed/);
    await expect(s.snapshots.list()).rejects.toThrow(/storage is closed/);
  });

  describe('snapshots', () => {
    /** Synthetic nodes: `count` of `dataBytes` each (no DataTree needed to fill a chunk). */
    function* nodes(count: number, dataBytes: number): Iterable<SnapshotNodeRecord> {
      const stat = { czxid: 1, mzxid: 1, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 1 };
      yield { path: '/', data: null, acl: [...OPEN_ACL_UNSAFE], stat };
      for (let i = 0; i < count; i++) yield { path: `/n${i}`, data: Buffer.alloc(dataBytes, i % 251), acl: [...OPEN_ACL_UNSAFE], stat };
    }

    it('a big snapshot is stored as bounded chunks in bounded batches, the manifest synced last', async () => {
      const kv = await openKv(engine, join(t.dir, 'db'));
      const { kv: counted, counts } = countingKv(kv);
      const chunkBytes = 256 * 1024;
      const store = await LevelSnapshotStore.open({ kv: counted, chunkBytes });
      const NODES = 20_000;
      await store.save(7, { nodes: nodes(NODES, 1024), sessions: [{ id: 5n, timeoutMs: 4000 }], digest: null });
      // ~21 MB: more than one write batch, one sync (the last batch, with the manifest).
      expect(counts.batches).toBe(Math.ceil((NODES * 1024) / SNAPSHOT_WRITE_BATCH_BYTES));
      expect(counts.syncBatches).toBe(1);
      let chunks = 0;
      for await (const [, v] of kv.entries({ gte: chunksStart(7), lt: chunksStart(8) })) {
        chunks++;
        expect(v.length).toBeLessThanOrEqual(chunkBytes + 2048);
      }
      expect(chunks).toBeGreaterThan(80);
      const snap = await store.load(7);
      expect(snap.nodes).toHaveLength(NODES + 1);
      expect(Buffer.from(snap.nodes[NODES]!.data!).equals(Buffer.alloc(1024, (NODES - 1) % 251))).toBe(true);
      expect(canon(snap.sessions)).toBe(canon([{ id: 5n, timeoutMs: 4000 }]));
      await kv.close();
    });

    it('chunks without a manifest (a crash mid-save) are deleted at open; a missing chunk is corruption', async () => {
      const s = await start({ snapshotChunkBytes: 1024 });
      const { tree, sessions } = buildTree(workload(60));
      const zxid = tree.lastProcessedZxid;
      await s.snapshots.save(zxid, { nodes: tree.snapshotNodes(), sessions, digest: tree.digest() });
      const kv = mainKv(s);
      await kv.write([{ type: 'put', key: chunkKey(zxid + 5, 0), value: Buffer.from('orphan') }], { sync: true });
      await s.close();
      const again = await start({ snapshotChunkBytes: 1024 });
      expect(await mainKv(again).get(chunkKey(zxid + 5, 0))).toBeUndefined();
      expect((await again.snapshots.load(zxid)).digest).toBe(tree.digest());
      await mainKv(again).write([{ type: 'del', key: chunkKey(zxid, 1) }], { sync: true });
      await expect(again.snapshots.load(zxid)).rejects.toThrow(/chunk 1 of \d+ missing/);
      expect(await again.snapshots.latestValid()).toBeNull();
    });

    it('saving the same zxid again replaces the snapshot whole', async () => {
      const s = await start({ snapshotChunkBytes: 1024 });
      const big = buildTree(workload(80));
      await s.snapshots.save(9, { nodes: big.tree.snapshotNodes(), sessions: big.sessions, digest: null });
      const small = buildTree(workload(5));
      await s.snapshots.save(9, { nodes: small.tree.snapshotNodes(), sessions: [], digest: null });
      expect(canon((await s.snapshots.load(9)).nodes)).toBe(canon([...small.tree.snapshotNodes()]));
    });
  });
});

describe('options', () => {
  it('a bad option is a RangeError naming it', async () => {
    await expect(openLevelStorage({ dataDir: '/tmp/x', engine: 'mysql' as never })).rejects.toThrow(/^engine=mysql: must be one of level, rocksdb/);
    await expect(openLevelStorage({ dataDir: '', engine: 'level' })).rejects.toThrow(/^dataDir: must be a directory path/);
    await expect(openLevelStorage({ dataDir: '/tmp/x', engine: 'level', snapCount: 1 })).rejects.toThrow(/^snapCount=1: must be an integer >= 2/);
    await expect(openLevelStorage({ dataDir: '/tmp/x', engine: 'level', snapCount: 1 })).rejects.toBeInstanceOf(RangeError);
  });
});
