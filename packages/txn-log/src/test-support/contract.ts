// The storage SPI contract, one suite per SPI, run by every backend's tests:
//   txnLogContract('file', factory) etc. Import it by relative path from a backend's test
// (packages/<backend>/src/*.test.ts -> '../../txn-log/src/test-support/contract.js').
import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE, OpCode, type Txn, type TxnHeader } from '@zkts/protocol';
import { DataTree } from '@zkts/data-tree';
import {
  CorruptionError,
  type EpochStore,
  type LogEntry,
  type RecoveryTarget,
  type SessionRecord,
  type SnapshotStore,
  type TxnLog,
  type Zxid,
  makeZxid,
  recover,
} from '../index.js';

// ---- fixtures -------------------------------------------------------------------------------

const enc = (s: string) => new TextEncoder().encode(s);
const T0 = 1_700_000_000_000;

/** A deterministic workload of every txn type, as (hdr, txn) pairs in zxid order. */
export function workload(count: number, epoch = 1): LogEntry[] {
  const out: LogEntry[] = [];
  let counter = 0;
  const push = (clientId: bigint, txn: Txn) => {
    counter++;
    const hdr: TxnHeader = { clientId, cxid: counter, zxid: makeZxid(epoch, counter), time: T0 + counter, type: txn.type };
    out.push({ hdr, txn });
  };
  push(0x100n, { type: OpCode.createSession, timeOut: 30_000 });
  push(0x200n, { type: OpCode.createSession, timeOut: 10_000 });
  push(0x100n, { type: OpCode.create, path: '/app', data: enc('root'), acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 1 });
  let i = 0;
  while (out.length < count) {
    const k = i++;
    switch (k % 7) {
      case 0:
        push(0x100n, { type: OpCode.create, path: `/app/n${k}`, data: enc(`v${k}`), acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: k + 2 });
        break;
      case 1:
        push(0x100n, { type: OpCode.setData, path: `/app/n${k - 1}`, data: k % 2 ? null : enc(`w${k}`), version: 1 });
        break;
      case 2:
        push(0x200n, { type: OpCode.create, path: `/app/e${k}`, data: enc('eph'), acl: [...OPEN_ACL_UNSAFE], ephemeral: true, parentCVersion: k + 2 });
        break;
      case 3:
        push(0x100n, {
          type: OpCode.multi,
          txns: [
            { type: OpCode.create, path: `/app/m${k}`, data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: k + 2 },
            { type: OpCode.setData, path: '/app', data: enc(`m${k}`), version: k },
          ],
        });
        break;
      case 4:
        push(0x100n, { type: OpCode.delete, path: `/app/n${k - 4}` });
        break;
      case 5:
        push(0x100n, { type: OpCode.error, err: -101 });
        break;
      default:
        push(0x100n, { type: OpCode.setACL, path: `/app/m${k - 3}`, acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: 0 });
    }
  }
  out.length = count;
  return out;
}

/** Comparable text of any value (bigints, byte arrays, Buffers, undefined fields normalised). */
export function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return `bytes:${Buffer.from(x).toString('hex')}`;
    if (x && typeof x === 'object' && (x as { type?: unknown }).type === 'Buffer' && Array.isArray((x as { data?: unknown }).data)) {
      return `bytes:${Buffer.from((x as { data: number[] }).data).toString('hex')}`;
    }
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return x;
  });
}

async function collect(log: TxnLog, from: Zxid): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of log.readFrom(from)) out.push(e);
  return out;
}
const zxidsOf = (es: readonly LogEntry[]) => es.map((e) => e.hdr.zxid);

/** Binds recovery to DataTree (the same binding storage-file's recoverDataTree uses). */
export const treeTarget: RecoveryTarget<DataTree> = {
  restore: (s) => (s === null ? new DataTree() : DataTree.fromNodes(s.nodes, s.zxid)),
  apply: (t, e) => void t.processTxn(e.hdr, e.txn),
  digest: (t) => t.digest(),
};

// ---- TxnLog ---------------------------------------------------------------------------------

export interface TxnLogUnderTest {
  readonly log: TxnLog;
  /** Closes the log and opens it again over the same durable state (a restart). */
  reopen(): Promise<TxnLog>;
  cleanup(): Promise<void>;
}

export function txnLogContract(name: string, factory: () => Promise<TxnLogUnderTest>): void {
  describe(`TxnLog contract: ${name}`, () => {
    const withLog = (fn: (u: TxnLogUnderTest) => Promise<void>) => async () => {
      const u = await factory();
      try {
        await fn(u);
      } finally {
        await u.cleanup();
      }
    };

    it('starts empty', withLog(async ({ log }) => {
      expect(log.lastZxid()).toBe(0);
      expect(await collect(log, 0)).toEqual([]);
    }));

    it('returns every txn type as appended, before and after a restart', withLog(async (u) => {
      const entries = workload(40);
      entries[5] = { ...entries[5]!, digest: { version: 2, treeDigest: -0x123456789abcdefn } };
      u.log.append(entries.slice(0, 10));
      u.log.append(entries.slice(10));
      expect(u.log.lastZxid()).toBe(entries.at(-1)!.hdr.zxid);
      expect(canon(await collect(u.log, 0))).toBe(canon(entries));
      await u.log.flush();
      const log = await u.reopen();
      expect(log.lastZxid()).toBe(entries.at(-1)!.hdr.zxid);
      expect(canon(await collect(log, 0))).toBe(canon(entries));
    }));

    it('reads from a zxid: the entries at or after it', withLog(async ({ log }) => {
      const entries = workload(20);
      log.append(entries);
      await log.flush();
      expect(zxidsOf(await collect(log, entries[12]!.hdr.zxid))).toEqual(zxidsOf(entries.slice(12)));
      expect(zxidsOf(await collect(log, entries[12]!.hdr.zxid - 1))).toEqual(zxidsOf(entries.slice(11)));
      expect(await collect(log, entries.at(-1)!.hdr.zxid + 1)).toEqual([]);
    }));

    it('refuses an entry that does not advance the zxid, keeping the batch out', withLog(async ({ log }) => {
      const entries = workload(5);
      log.append(entries.slice(0, 3));
      expect(() => log.append([entries[2]!])).toThrow(RangeError);
      expect(() => log.append([entries[4]!, entries[3]!])).toThrow(RangeError);
      expect(log.lastZxid()).toBe(entries[2]!.hdr.zxid);
      log.append(entries.slice(3));
      await log.flush();
      expect(zxidsOf(await collect(log, 0))).toEqual(zxidsOf(entries));
    }));

    it('keeps many flushes in order across a restart', withLog(async (u) => {
      const entries = workload(600);
      for (let i = 0; i < entries.length; i += 37) {
        u.log.append(entries.slice(i, i + 37));
        await u.log.flush();
      }
      const log = await u.reopen();
      expect(zxidsOf(await collect(log, 0))).toEqual(zxidsOf(entries));
      expect(zxidsOf(await collect(log, entries[450]!.hdr.zxid))).toEqual(zxidsOf(entries.slice(450)));
    }));

    it('truncateAfter drops the later entries durably and appending continues', withLog(async (u) => {
      const entries = workload(300);
      for (let i = 0; i < 300; i += 50) {
        u.log.append(entries.slice(i, i + 50));
        await u.log.flush();
      }
      const cut = entries[120]!.hdr.zxid;
      await u.log.truncateAfter(cut);
      expect(u.log.lastZxid()).toBe(cut);
      let log = await u.reopen();
      expect(log.lastZxid()).toBe(cut);
      expect(zxidsOf(await collect(log, 0))).toEqual(zxidsOf(entries.slice(0, 121)));
      const redo = workload(140, 2).slice(0, 10); // a new epoch's txns after the cut
      log.append(redo);
      await log.flush();
      log = await u.reopen();
      expect(zxidsOf(await collect(log, 0))).toEqual([...zxidsOf(entries.slice(0, 121)), ...zxidsOf(redo)]);
      await log.truncateAfter(0);
      expect(log.lastZxid()).toBe(0);
      log = await u.reopen();
      expect(await collect(log, 0)).toEqual([]);
    }));

    it('purgeBefore keeps every entry from the zxid on', withLog(async (u) => {
      const entries = workload(500);
      for (let i = 0; i < 500; i += 25) {
        u.log.append(entries.slice(i, i + 25));
        await u.log.flush();
      }
      const from = entries[400]!.hdr.zxid;
      await u.log.purgeBefore(from);
      expect(u.log.lastZxid()).toBe(entries.at(-1)!.hdr.zxid);
      expect(zxidsOf(await collect(u.log, from))).toEqual(zxidsOf(entries.slice(400)));
      const log = await u.reopen();
      expect(zxidsOf(await collect(log, from))).toEqual(zxidsOf(entries.slice(400)));
      const all = await collect(log, 0);
      expect(all.length).toBeLessThanOrEqual(500);
      expect(zxidsOf(all).slice(-100)).toEqual(zxidsOf(entries.slice(400)));
    }));

    it('concurrent flushes all resolve with everything durable', withLog(async (u) => {
      const entries = workload(30);
      u.log.append(entries.slice(0, 10));
      const a = u.log.flush();
      u.log.append(entries.slice(10, 20));
      const b = u.log.flush();
      const c = u.log.flush();
      u.log.append(entries.slice(20));
      await Promise.all([a, b, c, u.log.flush()]);
      const log = await u.reopen();
      expect(zxidsOf(await collect(log, 0))).toEqual(zxidsOf(entries));
    }));
  });
}

// ---- SnapshotStore --------------------------------------------------------------------------

export interface SnapshotStoreUnderTest {
  readonly store: SnapshotStore;
  /** Flips one byte in the middle of the stored snapshot at `zxid`. */
  corrupt(zxid: Zxid): Promise<void>;
  reopen(): Promise<SnapshotStore>;
  cleanup(): Promise<void>;
}

/** Applies `entries` to a fresh tree and returns it with the sessions they leave open. */
export function buildTree(entries: readonly LogEntry[]): { tree: DataTree; sessions: SessionRecord[] } {
  const tree = new DataTree();
  const sessions = new Map<bigint, number>();
  for (const e of entries) {
    tree.processTxn(e.hdr, e.txn);
    if (e.txn.type === OpCode.createSession) sessions.set(e.hdr.clientId, e.txn.timeOut);
    if (e.txn.type === OpCode.closeSession) sessions.delete(e.hdr.clientId);
  }
  return { tree, sessions: [...sessions].map(([id, timeoutMs]) => ({ id, timeoutMs })) };
}

export function snapshotStoreContract(name: string, factory: () => Promise<SnapshotStoreUnderTest>): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    const withStore = (fn: (u: SnapshotStoreUnderTest) => Promise<void>) => async () => {
      const u = await factory();
      try {
        await fn(u);
      } finally {
        await u.cleanup();
      }
    };
    const snapAt = (n: number) => {
      const { tree, sessions } = buildTree(workload(n));
      return { zxid: tree.lastProcessedZxid, tree, input: { nodes: tree.snapshotNodes(), sessions, digest: tree.digest() } };
    };

    it('starts empty', withStore(async ({ store }) => {
      expect(await store.list()).toEqual([]);
      expect(await store.latestValid()).toBeNull();
    }));

    it('round-trips nodes, sessions and digest, across a restart', withStore(async (u) => {
      const s = snapAt(60);
      await u.store.save(s.zxid, s.input);
      const store = await u.reopen();
      const got = await store.load(s.zxid);
      expect(got.zxid).toBe(s.zxid);
      expect(got.digest).toBe(s.tree.digest());
      expect(canon(got.nodes)).toBe(canon([...s.tree.snapshotNodes()]));
      expect(canon(got.sessions)).toBe(canon([{ id: 0x100n, timeoutMs: 30_000 }, { id: 0x200n, timeoutMs: 10_000 }]));
      expect(DataTree.fromNodes(got.nodes, got.zxid).digest()).toBe(s.tree.digest());
      const latest = await store.latestValid();
      expect(latest?.zxid).toBe(s.zxid);
      expect(latest?.skipped).toEqual([]);
    }));

    it('lists newest first and latestValid is the newest', withStore(async ({ store }) => {
      for (const n of [10, 30, 20]) {
        const s = snapAt(n);
        await store.save(s.zxid, s.input);
      }
      expect((await store.list()).map((i) => i.zxid)).toEqual([makeZxid(1, 30), makeZxid(1, 20), makeZxid(1, 10)]);
      expect((await store.latestValid())?.zxid).toBe(makeZxid(1, 30));
    }));

    it('detects a checksum failure and falls back to the previous snapshot', withStore(async (u) => {
      for (const n of [10, 20]) {
        const s = snapAt(n);
        await u.store.save(s.zxid, s.input);
      }
      await u.corrupt(makeZxid(1, 20));
      const store = await u.reopen();
      await expect(store.load(makeZxid(1, 20))).rejects.toBeInstanceOf(CorruptionError);
      const latest = await store.latestValid();
      expect(latest?.zxid).toBe(makeZxid(1, 10));
      expect(latest?.skipped).toHaveLength(1);
      expect(latest?.skipped[0]!.file).toContain('snapshot.100000014');
      expect(latest?.skipped[0]!.reason).toMatch(/checksum/);
    }));

    it('purge keeps the newest N (at least 3) and returns the oldest kept zxid', withStore(async ({ store }) => {
      for (let n = 10; n <= 60; n += 10) {
        const s = snapAt(n);
        await store.save(s.zxid, s.input);
      }
      await expect(store.purge(2)).rejects.toThrow(RangeError);
      expect(await store.purge(4)).toBe(makeZxid(1, 30));
      expect((await store.list()).map((i) => i.zxid)).toEqual([60, 50, 40, 30].map((n) => makeZxid(1, n)));
      expect(await store.purge(3)).toBe(makeZxid(1, 40));
      expect(await store.list()).toHaveLength(3);
    }));
  });
}

// ---- EpochStore -----------------------------------------------------------------------------

export interface EpochStoreUnderTest {
  readonly store: EpochStore;
  reopen(): Promise<EpochStore>;
  cleanup(): Promise<void>;
}

export function epochStoreContract(name: string, factory: () => Promise<EpochStoreUnderTest>): void {
  describe(`EpochStore contract: ${name}`, () => {
    it('is unset at first, keeps both epochs across a restart, refuses bad epochs', async () => {
      const u = await factory();
      try {
        expect(await u.store.currentEpoch()).toBeNull();
        expect(await u.store.acceptedEpoch()).toBeNull();
        await u.store.setAcceptedEpoch(5);
        await u.store.setCurrentEpoch(4);
        await u.store.setCurrentEpoch(5);
        let store = await u.reopen();
        expect(await store.acceptedEpoch()).toBe(5);
        expect(await store.currentEpoch()).toBe(5);
        await expect(store.setCurrentEpoch(-1)).rejects.toThrow(RangeError);
        await expect(store.setAcceptedEpoch(2 ** 21)).rejects.toThrow(RangeError);
        await expect(store.setAcceptedEpoch(1.5)).rejects.toThrow(RangeError);
        await store.setAcceptedEpoch(6);
        store = await u.reopen();
        expect(await store.acceptedEpoch()).toBe(6);
        expect(await store.currentEpoch()).toBe(5);
      } finally {
        await u.cleanup();
      }
    });
  });
}

// ---- recovery -------------------------------------------------------------------------------

export interface StorageUnderTest {
  readonly log: TxnLog;
  readonly snapshots: SnapshotStore;
  corruptSnapshot(zxid: Zxid): Promise<void>;
  /** A restart: both stores reopened over the durable state. */
  reopen(): Promise<{ log: TxnLog; snapshots: SnapshotStore }>;
  cleanup(): Promise<void>;
}

export function recoveryContract(name: string, factory: () => Promise<StorageUnderTest>): void {
  describe(`recovery contract: ${name}`, () => {
    const withStorage = (fn: (u: StorageUnderTest) => Promise<void>) => async () => {
      const u = await factory();
      try {
        await fn(u);
      } finally {
        await u.cleanup();
      }
    };
    /** Runs the workload through a tree, logging every txn and snapshotting at the given counts. */
    async function run(u: StorageUnderTest, count: number, snapshotAt: readonly number[], digests = false) {
      const entries = workload(count);
      const tree = new DataTree();
      const sessions = new Map<bigint, number>();
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        tree.processTxn(e.hdr, e.txn);
        if (e.txn.type === OpCode.createSession) sessions.set(e.hdr.clientId, e.txn.timeOut);
        u.log.append([digests ? { ...e, digest: { version: 2, treeDigest: tree.digest() } } : e]);
        if (i % 16 === 15) await u.log.flush();
        if (snapshotAt.includes(i + 1)) {
          await u.log.flush();
          const list = [...sessions].map(([id, timeoutMs]) => ({ id, timeoutMs }));
          await u.snapshots.save(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions: list, digest: tree.digest() });
        }
      }
      await u.log.flush();
      return { tree, entries };
    }
    const same = (got: DataTree, want: DataTree) => {
      expect(got.digest()).toBe(want.digest());
      expect(got.lastProcessedZxid).toBe(want.lastProcessedZxid);
      expect(canon([...got.snapshotNodes()])).toBe(canon([...want.snapshotNodes()]));
    };

    it('newest snapshot + log replay equals the tree that produced them (digest)', withStorage(async (u) => {
      const { tree, entries } = await run(u, 200, [50, 120], true);
      const { log, snapshots } = await u.reopen();
      const r = await recover(log, snapshots, treeTarget);
      same(r.state, tree);
      expect(r.snapshotZxid).toBe(entries[119]!.hdr.zxid);
      expect(r.replayed).toBe(80);
      expect(r.lastZxid).toBe(entries.at(-1)!.hdr.zxid);
      expect(r.dropped).toEqual([]);
      expect(r.digestMismatches).toEqual([]);
      expect(canon(r.sessions)).toBe(canon([{ id: 0x100n, timeoutMs: 30_000 }, { id: 0x200n, timeoutMs: 10_000 }]));
    }));

    it('replays the whole log when there is no snapshot', withStorage(async (u) => {
      const { tree } = await run(u, 150, []);
      const { log, snapshots } = await u.reopen();
      const r = await recover(log, snapshots, treeTarget);
      same(r.state, tree);
      expect(r.snapshotZxid).toBeNull();
      expect(r.replayed).toBe(150);
    }));

    it('a corrupt newest snapshot: previous snapshot + longer replay, reported', withStorage(async (u) => {
      const { tree, entries } = await run(u, 180, [60, 140]);
      await u.corruptSnapshot(entries[139]!.hdr.zxid);
      const { log, snapshots } = await u.reopen();
      const r = await recover(log, snapshots, treeTarget);
      same(r.state, tree);
      expect(r.snapshotZxid).toBe(entries[59]!.hdr.zxid);
      expect(r.replayed).toBe(120);
      expect(r.dropped).toHaveLength(1);
      expect(r.dropped[0]!.file).toContain(`snapshot.${entries[139]!.hdr.zxid.toString(16)}`);
    }));

    it('a snapshot whose digest does not match its nodes is skipped', withStorage(async (u) => {
      const { tree, entries } = await run(u, 100, [40]);
      const t = buildTree(entries.slice(0, 70));
      await u.snapshots.save(t.tree.lastProcessedZxid, { nodes: t.tree.snapshotNodes(), sessions: t.sessions, digest: t.tree.digest() + 1n });
      const { log, snapshots } = await u.reopen();
      const r = await recover(log, snapshots, treeTarget);
      same(r.state, tree);
      expect(r.snapshotZxid).toBe(entries[39]!.hdr.zxid);
      expect(r.dropped.map((d) => d.reason).join()).toMatch(/digest/);
    }));

    it('reports a logged txn digest that the replayed tree does not reproduce', withStorage(async (u) => {
      const entries = workload(30);
      const tree = new DataTree();
      for (const e of entries) {
        tree.processTxn(e.hdr, e.txn);
        const wrong = e.hdr.zxid === entries[17]!.hdr.zxid;
        u.log.append([{ ...e, digest: { version: 2, treeDigest: tree.digest() + (wrong ? 1n : 0n) } }]);
      }
      await u.log.flush();
      const { log, snapshots } = await u.reopen();
      const r = await recover(log, snapshots, treeTarget);
      expect(r.digestMismatches).toEqual([entries[17]!.hdr.zxid]);
      same(r.state, tree);
    }));
  });
}
