// Non-durable SnapshotStore. Snapshots are kept encoded with txn-log's snapshot codec, so the
// checksum path is the same as on disk and corrupt() can flip a byte for fault injection.
import {
  type LoadedSnapshot,
  type Snapshot,
  type SnapshotInfo,
  type SnapshotInput,
  type SnapshotStore,
  type Zxid,
  assertRetainCount,
  decodeSnapshot,
  encodeSnapshotBuffer,
  latestValidSnapshot,
  snapshotFileName,
} from '@zkts/txn-log';

export class MemorySnapshotStore implements SnapshotStore {
  private readonly snaps = new Map<Zxid, Uint8Array>();

  async save(zxid: Zxid, snapshot: SnapshotInput): Promise<void> {
    this.snaps.set(zxid, encodeSnapshotBuffer(zxid, snapshot));
  }

  async list(): Promise<readonly SnapshotInfo[]> {
    return [...this.snaps.keys()].sort((a, b) => b - a).map((zxid) => ({ zxid, name: snapshotFileName(zxid) }));
  }

  async load(zxid: Zxid): Promise<Snapshot> {
    const bytes = this.snaps.get(zxid);
    if (bytes === undefined) throw new RangeError(`no snapshot at zxid 0x${zxid.toString(16)}`);
    return decodeSnapshot(bytes, snapshotFileName(zxid));
  }

  latestValid(): Promise<LoadedSnapshot | null> {
    return latestValidSnapshot(this);
  }

  async purge(keep: number): Promise<Zxid | null> {
    assertRetainCount(keep);
    const zxids = [...this.snaps.keys()].sort((a, b) => b - a);
    for (const z of zxids.slice(keep)) this.snaps.delete(z);
    return zxids.slice(0, keep).at(-1) ?? null;
  }

  /** Fault injection: flips the bits of one stored byte (offset from the start of the encoding). */
  corrupt(zxid: Zxid, offset: number): void {
    const bytes = this.snaps.get(zxid);
    if (bytes === undefined || offset < 0 || offset >= bytes.length) throw new RangeError(`no byte ${offset} in snapshot 0x${zxid.toString(16)}`);
    bytes[offset] = bytes[offset]! ^ 0xff;
  }

  /** Encoded size of a stored snapshot. */
  sizeOf(zxid: Zxid): number {
    return this.snaps.get(zxid)?.length ?? 0;
  }

  /** Fault injection: removes a snapshot as if its file were lost. */
  remove(zxid: Zxid): void {
    this.snaps.delete(zxid);
  }
}
