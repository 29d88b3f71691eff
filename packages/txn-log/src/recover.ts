// Recovery, generic over the state machine: newest valid snapshot + replay of the log after it.
// txn-log (floor 2) cannot import data-tree (also floor 2), so the caller supplies a
// RecoveryTarget; storage-file's recoverDataTree binds it to DataTree. Sessions are tracked
// here from createSession / closeSession txns, as ZooKeeper's FileTxnSnapLog.restore does.
import { OpCode } from '@zkts/protocol';
import { CorruptionError } from './errors.js';
import { PROGRESS_INTERVAL_MS_DEFAULT, ProgressMeter, type RecoveryProgressListener } from './progress.js';
import type { Snapshot, SnapshotStore, SessionRecord } from './snapshot.js';
import type { Dropped, LogEntry, TxnLog } from './spi.js';
import { type Zxid, counterOf, epochOf, zxidToHex } from './zxid.js';

export interface RecoveryTarget<T> {
  /** The state a snapshot holds, or the initial state when `snapshot` is null. */
  restore(snapshot: Snapshot | null): T;
  apply(state: T, entry: LogEntry): void;
  /** The state's digest, compared with the snapshot's and with each logged TxnDigest. */
  digest(state: T): bigint;
  /** How many nodes the state holds (for progress reports); optional. */
  size?(state: T): number;
}

export interface RecoverOptions {
  /** Hears interim progress at most once per `progressIntervalMs`, and the end of each phase. */
  readonly onProgress?: RecoveryProgressListener | undefined;
  /** The clock progress is measured with (ms); required for interim reports to mean anything. */
  readonly now?: (() => number) | undefined;
  readonly progressIntervalMs?: number | undefined;
}

export interface Recovered<T> {
  readonly state: T;
  readonly sessions: SessionRecord[];
  /** The zxid of the state: the last replayed entry, or the snapshot's zxid. */
  readonly lastZxid: Zxid;
  /** The snapshot recovery started from (null = full log replay). */
  readonly snapshotZxid: Zxid | null;
  readonly replayed: number;
  /** Log tails cut when the log was opened, snapshots skipped as corrupt or with a wrong digest. */
  readonly dropped: Dropped[];
  /** Zxids whose logged TxnDigest differs from the replayed state's digest. */
  readonly digestMismatches: Zxid[];
}

/** Refused recovery: nothing valid to start from, or the log does not reach the snapshot. */
export class RecoveryError extends Error {
  override readonly name = 'RecoveryError';
}

export async function recover<T>(log: TxnLog, snapshots: SnapshotStore, target: RecoveryTarget<T>, options: RecoverOptions = {}): Promise<Recovered<T>> {
  const dropped: Dropped[] = [...(log.dropped ?? [])];
  const onProgress = options.onProgress;
  // Without a clock every interim tick sees the same time: only the closing reports come out.
  const now = options.now ?? (() => 0);
  const intervalMs = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS_DEFAULT;
  const size = (s: T): number => target.size?.(s) ?? 0;
  let state: T | null = null;
  let snap: Snapshot | null = null;
  for (const info of await snapshots.list()) {
    let candidate: Snapshot;
    const meter = onProgress && new ProgressMeter(now, onProgress, intervalMs);
    let decoded = { nodes: 0, bytes: 0, totalBytes: 0 };
    try {
      candidate = await snapshots.load(
        info.zxid,
        meter && {
          onProgress: (p) => {
            decoded = { ...p };
            meter.tick(() => ({ phase: 'snapshot', source: info.name, entries: 0, ...p }));
          },
        },
      );
    } catch (e) {
      if (!(e instanceof CorruptionError)) throw e;
      dropped.push({ file: e.file, offset: 0, bytes: e.size, reason: e.message });
      continue;
    }
    const restored = target.restore(candidate);
    if (candidate.digest !== null) {
      const actual = target.digest(restored);
      if (!sameDigest(actual, candidate.digest)) {
        dropped.push({ file: info.name, offset: 0, bytes: 0, reason: `snapshot digest ${candidate.digest} != rebuilt tree digest ${actual}` });
        continue;
      }
    }
    meter?.finish({ phase: 'snapshot', source: info.name, entries: 0, nodes: candidate.nodes.length, bytes: decoded.totalBytes, totalBytes: decoded.totalBytes });
    state = restored;
    snap = candidate;
    break;
  }
  if (state === null) state = target.restore(null);
  const sessions = new Map<bigint, number>();
  for (const s of snap?.sessions ?? []) sessions.set(s.id, s.timeoutMs);
  const from = snap === null ? 0 : snap.zxid + 1;
  let lastZxid = snap?.zxid ?? 0;
  let replayed = 0;
  const digestMismatches: Zxid[] = [];
  const source = snap === null ? 'zxid 0x0 (no snapshot)' : `snapshot ${zxidToHex(snap.zxid)}`;
  const replayMeter = onProgress && new ProgressMeter(now, onProgress, intervalMs);
  const replayProgress = (s: T) => ({ phase: 'replay' as const, source, nodes: size(s), bytes: 0, totalBytes: 0, entries: replayed });
  for await (const entry of log.readFrom(from)) {
    const { hdr, txn } = entry;
    if (hdr.zxid <= lastZxid) throw new RecoveryError(`log entry ${zxidToHex(hdr.zxid)} does not advance past ${zxidToHex(lastZxid)}`);
    const gap = zxidGap(replayed === 0 && snap === null ? null : lastZxid, hdr.zxid);
    if (gap !== null) throw new RecoveryError(`log entries missing: ${gap} (a deleted log segment, or a purged log whose snapshots are gone); refusing to build a tree that skips them`);
    target.apply(state, entry);
    if (txn.type === OpCode.createSession) sessions.set(hdr.clientId, txn.timeOut);
    else if (txn.type === OpCode.closeSession) sessions.delete(hdr.clientId);
    if (entry.digest !== undefined && !sameDigest(entry.digest.treeDigest, target.digest(state))) digestMismatches.push(hdr.zxid);
    lastZxid = hdr.zxid;
    replayed++;
    const s = state;
    replayMeter?.tick(() => replayProgress(s));
  }
  replayMeter?.finish(replayProgress(state));
  return {
    state,
    sessions: [...sessions].map(([id, timeoutMs]) => ({ id, timeoutMs })),
    lastZxid,
    snapshotZxid: snap?.zxid ?? null,
    replayed,
    dropped,
    digestMismatches,
  };
}

/**
 * Within an epoch zxids are consecutive (every txn a leader numbers is logged); a jump means
 * entries are missing. `prev` null: the first entry of a log replayed without a snapshot, which
 * must be its epoch's first txn. Returns a description of the gap, or null.
 */
export function zxidGap(prev: Zxid | null, next: Zxid): string | null {
  if (prev === null) return counterOf(next) === 1 ? null : `the log starts at ${zxidToHex(next)}, not at its epoch's first txn, and there is no snapshot before it`;
  if (epochOf(next) !== epochOf(prev) || next === prev + 1) return null;
  return `${zxidToHex(prev)} is followed by ${zxidToHex(next)}`;
}

/** Digests travel as Java longs (signed); compare them as 64-bit patterns. */
const sameDigest = (a: bigint, b: bigint) => BigInt.asUintN(64, a) === BigInt.asUintN(64, b);

/** ZooKeeper's autopurge: keep `keep` snapshots and the log needed to replay from the oldest. */
export async function purgeStorage(log: TxnLog, snapshots: SnapshotStore, keep: number): Promise<void> {
  const oldest = await snapshots.purge(keep);
  if (oldest !== null) await log.purgeBefore(oldest + 1);
}
