// Recovery progress: interim reports at most once per interval of an injected (fake) clock,
// carrying node and entry counts, and one closing report per phase with its time.
import { describe, expect, it } from 'vitest';
import { DataTree } from '@zkts/data-tree';
import { OPEN_ACL_UNSAFE, OpCode, type Txn } from '@zkts/protocol';
import { decodeSnapshot, encodeSnapshotBuffer, type Snapshot, type SnapshotStore } from './snapshot.js';
import { ProgressMeter, SNAPSHOT_PROGRESS_NODES, formatRecoveryProgress, type RecoveryProgress, type SnapshotLoadOptions } from './progress.js';
import { recover, type RecoveryTarget } from './recover.js';
import type { LogEntry, TxnLog } from './spi.js';
import { makeZxid } from './zxid.js';

const target: RecoveryTarget<DataTree> = {
  restore: (s) => (s === null ? new DataTree() : DataTree.fromNodes(s.nodes, s.zxid)),
  apply: (tree, e) => void tree.processTxn(e.hdr, e.txn),
  digest: (tree) => tree.digest(),
  size: (tree) => tree.nodeCount,
};

function createEntry(counter: number, path: string): LogEntry {
  const txn: Txn = { type: OpCode.create, path, data: Buffer.from('v'), acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: counter };
  return { hdr: { clientId: 1n, cxid: counter, zxid: makeZxid(1, counter), time: 1_700_000_000_000 + counter, type: txn.type }, txn };
}

/** A snapshot of `snapNodes` creates, then `logEntries` more creates in the log. */
function fixture(snapNodes: number, logEntries: number) {
  const tree = new DataTree();
  const all: LogEntry[] = [];
  for (let i = 1; i <= snapNodes + logEntries; i++) all.push(createEntry(i, `/n${i}`));
  for (const e of all.slice(0, snapNodes)) tree.processTxn(e.hdr, e.txn);
  const snapZxid = makeZxid(1, snapNodes);
  const bytes = encodeSnapshotBuffer(snapZxid, { nodes: tree.snapshotNodes(), sessions: [], digest: tree.digest() });
  const snapshots: SnapshotStore = {
    save: async () => undefined,
    list: async () => [{ zxid: snapZxid, name: 'snapshot.test' }],
    load: async (_z: number, options?: SnapshotLoadOptions): Promise<Snapshot> => decodeSnapshot(bytes, 'snapshot.test', options),
    latestValid: async () => null,
    purge: async () => null,
  };
  const log = {
    async *readFrom(zxid: number) {
      for (const e of all) if (e.hdr.zxid >= zxid) yield e;
    },
  } as unknown as TxnLog;
  return { snapshots, log, bytes };
}

/** Nodes of an empty tree (/, /zookeeper, ...). */
const BASE_NODES = [...new DataTree().snapshotNodes()].length;

/** A clock that moves `stepMs` every time it is read. */
function fakeClock(stepMs: number): () => number {
  let t = 5_000;
  return () => (t += stepMs);
}

describe('recovery progress', () => {
  it('reports snapshot nodes and bytes, then replayed entries, at most once per interval, and closes each phase', async () => {
    const SNAP_NODES = 5 * SNAPSHOT_PROGRESS_NODES + 100;
    const LOG_ENTRIES = 40;
    const { snapshots, log, bytes } = fixture(SNAP_NODES, LOG_ENTRIES);
    const reports: RecoveryProgress[] = [];
    const r = await recover(log, snapshots, target, { onProgress: (p) => reports.push(p), now: fakeClock(400), progressIntervalMs: 1000 });
    expect(r.replayed).toBe(LOG_ENTRIES);

    const snap = reports.filter((p) => p.phase === 'snapshot');
    const interim = snap.filter((p) => !p.done);
    expect(interim.length).toBeGreaterThan(0);
    for (const p of interim) {
      // Every SNAPSHOT_PROGRESS_NODES nodes, or the decoder's last call at the end.
      if (p.bytes < bytes.length) expect(p.nodes % SNAPSHOT_PROGRESS_NODES).toBe(0);
      expect(p.bytes).toBeGreaterThan(0);
      expect(p.bytes).toBeLessThanOrEqual(bytes.length);
      expect(p.totalBytes).toBe(bytes.length);
    }
    const closing = snap.at(-1)!;
    expect(closing).toMatchObject({ done: true, source: 'snapshot.test', nodes: SNAP_NODES + BASE_NODES, totalBytes: bytes.length });
    expect(formatRecoveryProgress(interim[0]!)).toMatch(new RegExp(`^loading snapshot\\.test: ${interim[0]!.nodes} nodes so far, [\\d.]+ of [\\d.]+ MB \\([\\d.]+ MB/s\\)$`));
    expect(formatRecoveryProgress(closing)).toMatch(new RegExp(`^loaded snapshot\\.test: ${SNAP_NODES + BASE_NODES} nodes, [\\d.]+ MB in ${closing.elapsedMs} ms`));

    const replay = reports.filter((p) => p.phase === 'replay');
    const replayInterim = replay.filter((p) => !p.done);
    expect(replayInterim.length).toBeGreaterThan(3);
    // At most one interim report per second of the injected clock.
    for (let i = 1; i < replayInterim.length; i++) expect(replayInterim[i]!.elapsedMs - replayInterim[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(1000);
    // Each replayed create adds one node to the tree being rebuilt.
    const treeBase = replay.at(-1)!.nodes - LOG_ENTRIES;
    expect(treeBase).toBeGreaterThanOrEqual(SNAP_NODES + BASE_NODES);
    for (const p of replayInterim) expect(p.nodes).toBe(treeBase + p.entries);
    expect(replay.at(-1)).toMatchObject({ done: true, entries: LOG_ENTRIES, source: `snapshot 0x${makeZxid(1, SNAP_NODES).toString(16)}` });
    expect(formatRecoveryProgress(replay.at(-1)!)).toMatch(/^replayed 40 log entries after snapshot 0x[0-9a-f]+ in \d+ ms \(\d+ entries\/s\); \d+ nodes$/);
  });

  it('without a clock only the closing reports come', async () => {
    const { snapshots, log } = fixture(3000, 500);
    const reports: RecoveryProgress[] = [];
    await recover(log, snapshots, target, { onProgress: (p) => reports.push(p) });
    expect(reports.map((p) => [p.phase, p.done])).toEqual([
      ['snapshot', true],
      ['replay', true],
    ]);
  });

  it('a fast clock gives no interim reports, and no listener means no work', async () => {
    const { snapshots, log } = fixture(3000, 500);
    const reports: RecoveryProgress[] = [];
    await recover(log, snapshots, target, { onProgress: (p) => reports.push(p), now: fakeClock(0.001) });
    expect(reports.filter((p) => !p.done)).toEqual([]);
    let reads = 0;
    await recover(log, snapshots, target, { now: () => ++reads });
    expect(reads).toBe(0);
  });

  it('a non-positive interval is refused, naming it', () => {
    expect(() => new ProgressMeter(() => 0, () => undefined, 0)).toThrow(/progressIntervalMs/);
  });
});
