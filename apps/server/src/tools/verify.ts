// zkts-server verify <dataDir> [--data-log-dir D] [--storage file|level|rocksdb] [--json]:
// checks every snapshot (checksum, header zxid, digest of the tree it rebuilds) and every log
// entry (checksum, zxid order, gaps inside an epoch), replays the newest valid snapshot plus the
// log as startup would, and prints the final tree's node count, last zxid and digest.
// Exit 0 when everything is intact, 1 when anything is damaged (each problem names file and
// offset on stderr), 2 on bad arguments. The file backend is only read; level / rocksdb are
// opened through the SPI (which cuts a damaged newest log entry, as startup would).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { dataTreeTarget, VERSION_DIR, listLogFiles, scanLogDir } from '@zkts/storage-file';
import {
  CorruptionError,
  RecoveryError,
  type LogEntry,
  type Snapshot,
  type SnapshotInfo,
  type SnapshotLoadOptions,
  type SnapshotStore,
  type TxnLog,
  type Zxid,
  decodeSnapshot,
  recover,
  snapshotFileName,
  zxidFromFileName,
  zxidGap,
  zxidToHex,
} from '@zkts/txn-log';
import { UsageError, parseArgs } from './args.js';
import { STORAGE_KINDS, type StorageKind, detectStorage, openLevel, requireDir } from './backend.js';
import { corruptionDetail } from './format.js';
import { EXIT_CLEAN, EXIT_DAMAGED, type ToolIo } from './io.js';
import { VERIFY_USAGE } from './usage.js';

export { VERIFY_USAGE };

export interface Problem {
  readonly file: string;
  /** Byte offset in the file (0 for a whole snapshot or a database key). */
  readonly offset: number;
  readonly reason: string;
  /** What the server's startup does about it. */
  readonly consequence: string;
}

/** A log entry and where it is stored. */
interface PlacedEntry {
  readonly entry: LogEntry;
  readonly file: string;
  readonly offset: number;
}

interface LogFileReport {
  readonly file: string;
  readonly entries: number;
  readonly firstZxid: string | null;
  readonly lastZxid: string | null;
  readonly ok: boolean;
}

/** What a backend hands the generic checks. */
interface Sources {
  readonly snapshots: Pick<SnapshotStore, 'list' | 'load'>;
  /** Where each snapshot lives, for problems. */
  readonly snapshotFile: (info: SnapshotInfo) => string;
  /** The log entries startup would replay: in order, up to the first damage startup refuses. */
  readonly entries: readonly PlacedEntry[];
  readonly logs: readonly LogFileReport[];
  readonly problems: Problem[];
  close(): Promise<void>;
}

const REFUSES = 'startup refuses to start';
const CUTS = 'startup cuts it and keeps the entries before it';

/** storage-file's layout, read without any repair. */
async function fileSources(dataDir: string, dataLogDir: string): Promise<Sources> {
  const snapDir = join(dataDir, VERSION_DIR);
  const logDir = join(dataLogDir, VERSION_DIR);
  const problems: Problem[] = [];
  const entries: PlacedEntry[] = [];
  const logs: LogFileReport[] = [];
  let stopped = false;
  for (const seg of await scanLogDir(logDir)) {
    logs.push({
      file: seg.file,
      entries: seg.entries.length,
      firstZxid: seg.entries.length > 0 ? zxidToHex(seg.entries[0]!.entry.hdr.zxid) : null,
      lastZxid: seg.entries.length > 0 ? zxidToHex(seg.entries.at(-1)!.entry.hdr.zxid) : null,
      ok: seg.damage === null,
    });
    if (!stopped) for (const e of seg.entries) entries.push({ entry: e.entry, file: seg.file, offset: e.offset });
    if (seg.damage) {
      problems.push({ file: seg.file, offset: seg.damage.offset, reason: seg.damage.reason, consequence: seg.damage.kind === 'torn-tail' ? CUTS : REFUSES });
      if (seg.damage.kind === 'corrupt') stopped = true;
    }
  }
  const snapshots: Pick<SnapshotStore, 'list' | 'load'> = {
    list: async () => {
      const names = await listNames(snapDir);
      return names
        .map((name) => ({ name, zxid: zxidFromFileName(name, 'snapshot') }))
        .filter((i): i is SnapshotInfo => i.zxid !== null)
        .sort((a, b) => b.zxid - a.zxid);
    },
    load: async (zxid: Zxid, options?: SnapshotLoadOptions): Promise<Snapshot> => {
      const path = join(snapDir, snapshotFileName(zxid));
      return decodeSnapshot(await readFile(path), path, options);
    },
  };
  return { snapshots, snapshotFile: (info) => join(snapDir, info.name), entries, logs, problems, close: async () => undefined };
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** level / rocksdb through the SPI: the log via readFrom, snapshots via list/load. */
async function levelSources(engine: 'level' | 'rocksdb', dataDir: string, dataLogDir: string): Promise<Sources> {
  const storage = await openLevel('verify', engine, dataDir, dataLogDir);
  const problems: Problem[] = storage.dropped.map((d) => ({ file: d.file, offset: d.offset, reason: `cut when the log was opened: ${d.reason}`, consequence: CUTS }));
  const entries: PlacedEntry[] = [];
  const logFile = storage.locations.at(-1)!;
  let ok = true;
  try {
    for await (const entry of storage.txnLog.readFrom(0)) entries.push({ entry, file: logFile, offset: 0 });
  } catch (e) {
    if (!(e instanceof CorruptionError)) throw e;
    problems.push({ file: e.file, offset: e.offset, reason: corruptionDetail(e), consequence: REFUSES });
    ok = false;
  }
  const logs: LogFileReport[] = [
    {
      file: logFile,
      entries: entries.length,
      firstZxid: entries.length > 0 ? zxidToHex(entries[0]!.entry.hdr.zxid) : null,
      lastZxid: entries.length > 0 ? zxidToHex(entries.at(-1)!.entry.hdr.zxid) : null,
      ok,
    },
  ];
  return { snapshots: storage.snapshots, snapshotFile: (info) => `${storage.locations[0]}:${info.name}`, entries, logs, problems, close: () => storage.close() };
}

/** The entries as a TxnLog that can only be read (recover needs nothing else). */
function readOnlyLog(entries: readonly PlacedEntry[]): TxnLog {
  const refuse = (): never => {
    throw new Error('verify: the log is read-only');
  };
  return {
    append: refuse,
    flush: refuse,
    truncateAfter: refuse,
    purgeBefore: refuse,
    close: async () => undefined,
    lastZxid: () => entries.at(-1)?.entry.hdr.zxid ?? 0,
    async *readFrom(zxid: Zxid) {
      for (const e of entries) if (e.entry.hdr.zxid >= zxid) yield e.entry;
    },
  };
}

const digestHex = (d: bigint | null): string | null => (d === null ? null : `0x${BigInt.asUintN(64, d).toString(16)}`);

export async function verify(argv: readonly string[], io: ToolIo): Promise<number> {
  const args = parseArgs('verify', argv, { positional: ['dataDir'], flags: ['json'], options: { 'data-log-dir': undefined, storage: STORAGE_KINDS } });
  const dataDir = args.positional.dataDir!;
  const dataLogDir = args.options['data-log-dir'] ?? dataDir;
  requireDir('verify', 'dataDir', dataDir);
  requireDir('verify', '--data-log-dir', dataLogDir);
  const detected = detectStorage(dataDir);
  const kind = (args.options.storage as StorageKind | undefined) ?? detected;
  if (kind === null) throw new UsageError(`verify: dataDir ${dataDir} holds no zkts storage (${VERSION_DIR}/, level-v1/ or rocksdb-v1/); name the right directory or --storage`);
  if (kind === 'file' && detected !== 'file' && (await listLogFiles(join(dataLogDir, VERSION_DIR)).catch(() => [])).length === 0) {
    throw new UsageError(`verify: --storage file: ${dataDir} holds no ${VERSION_DIR}/ directory`);
  }
  const sources = kind === 'file' ? await fileSources(dataDir, dataLogDir) : await levelSources(kind, dataDir, dataLogDir);
  try {
    return await check(sources, { dataDir, dataLogDir, kind, json: args.flags.has('json') }, io);
  } finally {
    await sources.close();
  }
}

async function check(sources: Sources, opts: { dataDir: string; dataLogDir: string; kind: StorageKind; json: boolean }, io: ToolIo): Promise<number> {
  const problems = sources.problems;
  const target = dataTreeTarget();
  // Every snapshot: checksum, header zxid against its name, digest of the rebuilt tree.
  const snapshots: Array<Record<string, unknown>> = [];
  for (const info of await sources.snapshots.list()) {
    const file = sources.snapshotFile(info);
    try {
      const snap = await sources.snapshots.load(info.zxid);
      const tree = target.restore(snap);
      const actual = target.digest(tree);
      let ok = true;
      if (snap.zxid !== info.zxid) {
        problems.push({ file, offset: 8, reason: `header zxid ${zxidToHex(snap.zxid)} differs from the name's ${zxidToHex(info.zxid)}`, consequence: 'recovery would start from the wrong zxid' });
        ok = false;
      }
      if (snap.digest !== null && BigInt.asUintN(64, snap.digest) !== BigInt.asUintN(64, actual)) {
        problems.push({ file, offset: 0, reason: `digest ${digestHex(snap.digest)} != rebuilt tree's ${digestHex(actual)}`, consequence: 'startup skips it and uses an older snapshot' });
        ok = false;
      }
      snapshots.push({ file, zxid: zxidToHex(info.zxid), nodes: tree.nodeCount, sessions: snap.sessions.length, digest: digestHex(snap.digest), ok });
    } catch (e) {
      if (!(e instanceof CorruptionError)) throw e;
      problems.push({ file: e.file, offset: e.offset, reason: corruptionDetail(e), consequence: 'startup skips it and uses an older snapshot (or the whole log)' });
      snapshots.push({ file, zxid: zxidToHex(info.zxid), ok: false });
    }
  }
  // Order and gaps across the whole log (inside one file the scan checked order already).
  for (let i = 1; i < sources.entries.length; i++) {
    const prev = sources.entries[i - 1]!.entry.hdr.zxid;
    const cur = sources.entries[i]!;
    const z = cur.entry.hdr.zxid;
    if (z <= prev) problems.push({ file: cur.file, offset: cur.offset, reason: `entry ${zxidToHex(z)} does not advance past ${zxidToHex(prev)}`, consequence: REFUSES });
    else {
      const gap = zxidGap(prev, z);
      if (gap !== null) problems.push({ file: cur.file, offset: cur.offset, reason: `log entries missing: ${gap}`, consequence: REFUSES });
    }
  }
  // Replay as startup would.
  let result: Record<string, unknown> | null = null;
  try {
    const r = await recover(readOnlyLog(sources.entries), sources.snapshots as SnapshotStore, target);
    for (const z of r.digestMismatches) {
      const at = sources.entries.find((e) => e.entry.hdr.zxid === z)!;
      problems.push({ file: at.file, offset: at.offset, reason: `logged digest after ${zxidToHex(z)} differs from the replayed tree's`, consequence: 'startup warns and goes on' });
    }
    result = {
      nodes: r.state.nodeCount,
      sessions: r.sessions.length,
      lastZxid: zxidToHex(r.lastZxid),
      digest: digestHex(r.state.digest()),
      snapshotZxid: r.snapshotZxid === null ? null : zxidToHex(r.snapshotZxid),
      replayed: r.replayed,
    };
  } catch (e) {
    if (!(e instanceof RecoveryError)) throw e;
    // A gap already reported above is the same fact; report the replay failure only when new.
    if (!problems.some((p) => p.reason.startsWith('log entries missing'))) problems.push({ file: join(opts.dataLogDir, VERSION_DIR), offset: 0, reason: e.message, consequence: REFUSES });
  }
  const clean = problems.length === 0;
  if (opts.json) {
    io.out(JSON.stringify({ dataDir: opts.dataDir, dataLogDir: opts.dataLogDir, storage: opts.kind, snapshots, logs: sources.logs, result, problems, clean }, null, 2) + '\n');
  } else {
    io.out(`verify ${opts.dataDir} (${opts.kind} storage${opts.dataLogDir !== opts.dataDir ? `, dataLogDir ${opts.dataLogDir}` : ''})\n`);
    for (const s of snapshots) {
      io.out(`snapshot ${s.file}: zxid ${s.zxid}` + (s.nodes !== undefined ? `, ${s.nodes} nodes, ${s.sessions} sessions, digest ${s.digest ?? 'none'}` : '') + `: ${s.ok ? 'ok' : 'DAMAGED'}\n`);
    }
    for (const l of sources.logs) io.out(`log ${l.file}: ${l.entries} entries${l.firstZxid ? `, zxid ${l.firstZxid}..${l.lastZxid}` : ''}: ${l.ok ? 'ok' : 'DAMAGED'}\n`);
    if (result) {
      io.out(`replayed ${result.replayed} log entries after ${result.snapshotZxid === null ? 'no snapshot' : `snapshot ${result.snapshotZxid}`}\n`);
      io.out(`final tree: ${result.nodes} nodes, ${result.sessions} sessions, last zxid ${result.lastZxid}, digest ${result.digest}\n`);
    } else io.out('final tree: none (recovery refuses)\n');
    io.out(clean ? 'clean\n' : `${problems.length} problem(s)\n`);
  }
  for (const p of problems) io.err(`verify: ${p.file}: damaged at offset ${p.offset}: ${p.reason} (${p.consequence})\n`);
  return clean ? EXIT_CLEAN : EXIT_DAMAGED;
}
