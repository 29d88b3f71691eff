// The snapshot SPI and the snapshot codec (zkts format, not ZooKeeper's FileSnap):
//
//   header   "ZKSN" | u32 version (1) | i64 zxid                                   16 bytes
//   body     jute: int sessionCount, {long id, int timeoutMs}*,
//            then per node: bool true, string path, buffer data, vector<ACL> acl,
//              StatPersisted (jute: czxid, mzxid, ctime, mtime, version, cversion,
//              aversion, ephemeralOwner, pzxid),
//            then bool false, bool hasDigest, [long digest (read back as unsigned 64-bit)]
//   trailer  u32 crc32 over header + body | "ZKSE"                                  8 bytes
//
// Nodes come parents first (DataTree.snapshotNodes order), stats as stored by the tree.
import { type ACL, DecodeError, JuteReader, JuteWriter, StatPersisted, readAcl, readText, writeAcl } from '@zkts/protocol';
import { crc32 } from './checksum.js';
import { CorruptionError } from './errors.js';
import { SNAPSHOT_PROGRESS_NODES, type SnapshotLoadOptions } from './progress.js';
import type { Dropped } from './spi.js';
import type { Zxid } from './zxid.js';

/** The stat a tree stores for a node: protocol's StatPersisted (jute record). */
export type StoredStat = StatPersisted;

/** One node of a snapshot (data-tree's SnapshotNode, structurally). */
export interface SnapshotNodeRecord {
  path: string;
  data: Uint8Array | null;
  acl: readonly ACL[];
  stat: StoredStat;
}

export interface SessionRecord {
  readonly id: bigint;
  readonly timeoutMs: number;
}

/** What a caller hands to save(): nodes may be a lazy iterable (tree.snapshotNodes()). */
export interface SnapshotInput {
  readonly nodes: Iterable<SnapshotNodeRecord>;
  readonly sessions: readonly SessionRecord[];
  /** The tree digest at `zxid`; recovery checks the rebuilt tree against it. */
  readonly digest?: bigint | null | undefined;
  /**
   * The whole snapshot already encoded (encodeSnapshotNow): encodeSnapshot hands out these chunks
   * instead of walking `nodes`, so every store writes them unchanged.
   */
  readonly encoded?: { readonly zxid: Zxid; readonly chunks: readonly Buffer[] } | undefined;
}

export interface Snapshot {
  readonly zxid: Zxid;
  readonly nodes: readonly SnapshotNodeRecord[];
  readonly sessions: readonly SessionRecord[];
  readonly digest: bigint | null;
}

export interface SnapshotInfo {
  readonly zxid: Zxid;
  /** File or key name (snapshot.<zxid hex> for the file backend). */
  readonly name: string;
}

export interface LoadedSnapshot extends Snapshot {
  readonly name: string;
  /** Newer snapshots passed over because they failed their checksum. */
  readonly skipped: readonly Dropped[];
}

export interface SnapshotStore {
  /** Durably stores a snapshot of the state at `zxid` (all or nothing). */
  save(zxid: Zxid, snapshot: SnapshotInput): Promise<void>;
  /** Every stored snapshot, newest first, valid or not. */
  list(): Promise<readonly SnapshotInfo[]>;
  /**
   * Reads and checks one snapshot; a CorruptionError when it fails its checksum. A backend may
   * call `options.onProgress` while it decodes (optional: older backends ignore the options).
   */
  load(zxid: Zxid, options?: SnapshotLoadOptions): Promise<Snapshot>;
  /** The newest snapshot that passes its checksum, or null when there is none. */
  latestValid(): Promise<LoadedSnapshot | null>;
  /** Keeps the newest `keep` (>= SNAP_RETAIN_COUNT_MIN) snapshots; returns the oldest kept zxid. */
  purge(keep: number): Promise<Zxid | null>;
}
export const SnapshotStore: symbol & { readonly __type?: SnapshotStore } = Symbol('SnapshotStore');

/** ZooKeeper's autopurge.snapRetainCount minimum. */
export const SNAP_RETAIN_COUNT_MIN = 3;
export const SNAPSHOT_MAGIC = 'ZKSN';
export const SNAPSHOT_END_MAGIC = 'ZKSE';
export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_HEADER_BYTES = 16;
export const SNAPSHOT_TRAILER_BYTES = 8;
/** Bytes gathered before a chunk is handed to the writer. */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/** Room past a chunk's size for the node that crosses it (a bigger node makes its writer grow once). */
export const SNAPSHOT_CHUNK_SLACK_BYTES = 64 * 1024;

export function assertRetainCount(keep: number): void {
  if (!Number.isInteger(keep) || keep < SNAP_RETAIN_COUNT_MIN) throw new RangeError(`snapshot retain count ${keep} below ${SNAP_RETAIN_COUNT_MIN}`);
}

/**
 * Encodes the snapshot at once and returns an input that carries the bytes: for a caller whose
 * tree changes while the store writes (pass tree.snapshotView(): nothing is copied per node, the
 * chunks are all that is held until the save ends). `input.nodes` is read before this returns.
 */
export function encodeSnapshotNow(zxid: Zxid, input: SnapshotInput, chunkBytes = SNAPSHOT_CHUNK_BYTES): SnapshotInput {
  const chunks = [...encodeSnapshot(zxid, input, chunkBytes)];
  return { nodes: [], sessions: input.sessions, digest: input.digest ?? null, encoded: { zxid, chunks } };
}

/** Encodes a snapshot as a series of chunks (each at most about SNAPSHOT_CHUNK_BYTES). */
export function* encodeSnapshot(zxid: Zxid, input: SnapshotInput, chunkBytes = SNAPSHOT_CHUNK_BYTES): Generator<Buffer> {
  if (input.encoded !== undefined) {
    if (input.encoded.zxid !== zxid) throw new RangeError(`snapshot encoded at zxid ${input.encoded.zxid} saved as ${zxid}`);
    yield* input.encoded.chunks;
    return;
  }
  let crc = 0;
  // Each chunk's writer starts big enough for the chunk plus the node that crosses its end, so
  // it never regrows (growing from 64 KiB left ~1 MiB of discarded buffers per chunk).
  const writerBytes = chunkBytes + SNAPSHOT_CHUNK_SLACK_BYTES;
  let w = new JuteWriter(writerBytes);
  const cut = (): Buffer => {
    const b = w.toBuffer();
    crc = crc32(b, crc);
    w = new JuteWriter(writerBytes);
    return b;
  };
  const header = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  header.write(SNAPSHOT_MAGIC, 0, 'latin1');
  header.writeUInt32BE(SNAPSHOT_VERSION, 4);
  header.writeBigInt64BE(BigInt(zxid), 8);
  crc = crc32(header, crc);
  yield header;
  w.int(input.sessions.length);
  for (const s of input.sessions) {
    w.long(s.id);
    w.int(s.timeoutMs);
  }
  for (const n of input.nodes) {
    w.bool(true);
    w.string(n.path);
    w.buffer(n.data);
    writeAcl(w, n.acl);
    StatPersisted.encode(w, n.stat);
    if (w.length >= chunkBytes) yield cut();
  }
  w.bool(false);
  const digest = input.digest ?? null;
  w.bool(digest !== null);
  if (digest !== null) w.long(digest);
  yield cut();
  const trailer = Buffer.alloc(SNAPSHOT_TRAILER_BYTES);
  trailer.writeUInt32BE(crc >>> 0, 0);
  trailer.write(SNAPSHOT_END_MAGIC, 4, 'latin1');
  yield trailer;
}

/** Encodes a snapshot into one buffer. */
export function encodeSnapshotBuffer(zxid: Zxid, input: SnapshotInput): Buffer {
  return Buffer.concat([...encodeSnapshot(zxid, input)]);
}

/**
 * Checks and decodes a whole snapshot; `name` is used in the CorruptionError. `options.onProgress`
 * hears every SNAPSHOT_PROGRESS_NODES nodes (nodes and bytes decoded so far).
 */
export function decodeSnapshot(bytes: Uint8Array, name: string, options: SnapshotLoadOptions = {}): Snapshot {
  const onProgress = options.onProgress;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (offset: number, detail: string) => new CorruptionError(name, offset, detail, buf.length);
  if (buf.length < SNAPSHOT_HEADER_BYTES + SNAPSHOT_TRAILER_BYTES) throw fail(0, `${buf.length} bytes, shorter than a snapshot`);
  if (buf.toString('latin1', 0, 4) !== SNAPSHOT_MAGIC) throw fail(0, 'bad magic');
  const version = buf.readUInt32BE(4);
  if (version !== SNAPSHOT_VERSION) throw fail(4, `unknown snapshot version ${version}`);
  const trailerAt = buf.length - SNAPSHOT_TRAILER_BYTES;
  if (buf.toString('latin1', trailerAt + 4, buf.length) !== SNAPSHOT_END_MAGIC) throw fail(trailerAt + 4, 'no end marker (truncated?)');
  const stored = buf.readUInt32BE(trailerAt);
  const actual = crc32(buf.subarray(0, trailerAt));
  if (stored !== actual) throw fail(trailerAt, `checksum 0x${actual.toString(16)} != stored 0x${stored.toString(16)}`);
  const zxid = Number(buf.readBigInt64BE(8));
  const r = new JuteReader(buf, SNAPSHOT_HEADER_BYTES, trailerAt);
  try {
    const sessions: SessionRecord[] = [];
    const sessionCount = r.int();
    if (sessionCount < 0 || sessionCount * 12 > r.remaining) throw new DecodeError(`session count ${sessionCount}`);
    for (let i = 0; i < sessionCount; i++) sessions.push({ id: r.longBig(), timeoutMs: r.int() });
    const nodes: SnapshotNodeRecord[] = [];
    // Nearly every node carries the ACL of the node before it: equal bytes reuse its decoded list.
    let prevAcl: readonly ACL[] = [];
    let prevAclStart = -1;
    let prevAclEnd = -1;
    while (r.bool()) {
      const path = readText(r);
      // A view into `bytes` (no copy per node): DataTree.fromNodes copies values into its own slabs.
      const data = r.buffer();
      const aclStart = r.offset;
      const aclEnd = aclSpanEnd(buf, aclStart, trailerAt);
      let acl: readonly ACL[];
      if (aclEnd - aclStart === prevAclEnd - prevAclStart && buf.compare(buf, prevAclStart, prevAclEnd, aclStart, aclEnd) === 0) {
        acl = prevAcl;
        r.skip(aclEnd - aclStart);
      } else {
        acl = readAcl(r);
        prevAcl = acl;
        prevAclStart = aclStart;
        prevAclEnd = r.offset;
      }
      const stat = readStoredStat(r, buf);
      nodes.push({ path, data, acl, stat });
      if (onProgress !== undefined && nodes.length % SNAPSHOT_PROGRESS_NODES === 0) onProgress({ nodes: nodes.length, bytes: r.offset, totalBytes: buf.length });
    }
    const digest = r.bool() ? BigInt.asUintN(64, r.longBig()) : null;
    if (r.remaining !== 0) throw new DecodeError(`${r.remaining} bytes after the body`);
    onProgress?.({ nodes: nodes.length, bytes: buf.length, totalBytes: buf.length });
    return { zxid, nodes, sessions, digest };
  } catch (e) {
    if (e instanceof DecodeError) throw fail(r.offset, `checksum ok but body does not decode: ${e.message}`);
    throw e;
  }
}

/**
 * Where the vector<ACL> at `at` ends (int count, then per ACL: int perms, string scheme, string
 * id), found from the length fields alone; -1 when they do not add up (readAcl then reports it).
 */
function aclSpanEnd(buf: Buffer, at: number, end: number): number {
  if (at + 4 > end) return -1;
  const count = buf.readInt32BE(at);
  if (count < 0 || count > (end - at) / 12) return -1;
  let pos = at + 4;
  for (let i = 0; i < count; i++) {
    pos += 4; // perms
    for (let s = 0; s < 2; s++) {
      if (pos + 4 > end) return -1;
      const n = buf.readInt32BE(pos);
      pos += 4 + Math.max(0, n);
      if (pos > end) return -1;
    }
  }
  return pos;
}

/** One 0n for every non-ephemeral node instead of a BigInt decoded per node. */
const NO_OWNER = 0n;

/** StatPersisted as jute lays it out, built in the field order the tree keeps (one shape). */
function readStoredStat(r: JuteReader, buf: Buffer): StoredStat {
  const czxid = r.long();
  const mzxid = r.long();
  const ctime = r.long();
  const mtime = r.long();
  const version = r.int();
  const cversion = r.int();
  const aversion = r.int();
  let ephemeralOwner: bigint;
  const o = r.offset;
  if (r.remaining >= 8 && buf.readInt32BE(o) === 0 && buf.readInt32BE(o + 4) === 0) {
    ephemeralOwner = NO_OWNER;
    r.skip(8);
  } else {
    ephemeralOwner = r.longBig();
  }
  const pzxid = r.long();
  return { czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner };
}

/** latestValid() over list() and load(): newest first, corrupt ones skipped and reported. */
export async function latestValidSnapshot(store: Pick<SnapshotStore, 'list' | 'load'>): Promise<LoadedSnapshot | null> {
  const skipped: Dropped[] = [];
  for (const info of await store.list()) {
    try {
      const snap = await store.load(info.zxid);
      return { ...snap, name: info.name, skipped };
    } catch (e) {
      if (!(e instanceof CorruptionError)) throw e;
      skipped.push({ file: e.file, offset: 0, bytes: e.size, reason: e.message });
    }
  }
  return null;
}

/** ZooKeeper's file names: snapshot.<zxid hex> and log.<zxid hex> (lower case, no 0x). */
export const snapshotFileName = (zxid: Zxid): string => `snapshot.${zxid.toString(16)}`;
export const logFileName = (zxid: Zxid): string => `log.${zxid.toString(16)}`;
/** The zxid in a `<prefix>.<hex>` name, or null when the name is not one. */
export function zxidFromFileName(name: string, prefix: 'snapshot' | 'log'): Zxid | null {
  const m = new RegExp(`^${prefix}\\.([0-9a-f]{1,14})$`).exec(name);
  return m ? parseInt(m[1]!, 16) : null;
}
