// zkts-server log-dump <log file | dataLogDir> [--json]: every entry of the transaction log
// (zxid, time, session, cxid, type and the txn's fields, like ZooKeeper's TxnLogToolkit dump)
// and a summary; damage is reported with file and offset. Exit 0 clean, 1 damaged, 2 bad usage.
import { existsSync, statSync } from 'node:fs';
import { type ScannedLogFile, scanLogDir, scanLogFile } from '@zkts/storage-file';
import { CorruptionError, type LogEntry, zxidToHex } from '@zkts/txn-log';
import { UsageError, parseArgs } from './args.js';
import { detectStorage, fileLogDir, openLevel } from './backend.js';
import { corruptionDetail, entryJson, entryText } from './format.js';
import { EXIT_CLEAN, EXIT_DAMAGED, type ToolIo } from './io.js';
import { LOG_DUMP_USAGE } from './usage.js';

export { LOG_DUMP_USAGE };

/** What a dump found in one log file (or one database, for level/rocksdb). */
interface DumpedLog {
  readonly file: string;
  readonly size: number | null;
  readonly entries: ReadonlyArray<{ readonly offset: number | null; readonly bytes: number | null; readonly entry: LogEntry }>;
  readonly damage: { readonly file: string; readonly offset: number; readonly reason: string; readonly kind: string } | null;
}

const fromScan = (s: ScannedLogFile): DumpedLog => ({ file: s.file, size: s.size, entries: s.entries, damage: s.damage });

async function readLogs(path: string): Promise<DumpedLog[]> {
  if (!existsSync(path)) throw new UsageError(`log-dump: ${path} does not exist`);
  if (!statSync(path).isDirectory()) return [fromScan(await scanLogFile(path))];
  const kind = detectStorage(path);
  if (kind === 'level' || kind === 'rocksdb') return [await readLevelLog(kind, path)];
  const dir = await fileLogDir(path);
  if (dir === null) throw new UsageError(`log-dump: ${path} holds no log (no log.<zxid> files, version-2/, level-v1/ or rocksdb-v1/)`);
  return (await scanLogDir(dir)).map(fromScan);
}

/** The whole log of a level / rocksdb database through the TxnLog SPI (entries have no offsets). */
async function readLevelLog(engine: 'level' | 'rocksdb', dir: string): Promise<DumpedLog> {
  const storage = await openLevel('log-dump', engine, dir);
  const entries: DumpedLog['entries'][number][] = [];
  let damage: DumpedLog['damage'] = null;
  try {
    const cut = storage.dropped[0];
    if (cut) damage = { file: cut.file, offset: cut.offset, reason: `cut when the log was opened: ${cut.reason}`, kind: 'torn-tail' };
    try {
      for await (const entry of storage.txnLog.readFrom(0)) entries.push({ offset: null, bytes: null, entry });
    } catch (e) {
      if (!(e instanceof CorruptionError)) throw e;
      damage = { file: e.file, offset: e.offset, reason: corruptionDetail(e), kind: 'corrupt' };
    }
  } finally {
    await storage.close();
  }
  return { file: storage.locations.at(-1)!, size: null, entries, damage };
}

export async function logDump(argv: readonly string[], io: ToolIo): Promise<number> {
  const args = parseArgs('log-dump', argv, { positional: ['log file | dataLogDir'], flags: ['json'] });
  const logs = await readLogs(args.positional['log file | dataLogDir']!);
  const all = logs.flatMap((l) => l.entries);
  const damaged = logs.filter((l) => l.damage !== null);
  const summary = {
    files: logs.length,
    entries: all.length,
    firstZxid: all.length > 0 ? zxidToHex(all[0]!.entry.hdr.zxid) : null,
    lastZxid: all.length > 0 ? zxidToHex(all.at(-1)!.entry.hdr.zxid) : null,
    damaged: damaged.length,
  };
  if (args.flags.has('json')) {
    const files = logs.map((l) => ({
      file: l.file,
      size: l.size,
      entries: l.entries.map((e) => ({ offset: e.offset, bytes: e.bytes, ...entryJson(e.entry) })),
      damage: l.damage,
    }));
    io.out(JSON.stringify({ files, summary }, null, 2) + '\n');
  } else {
    for (const l of logs) {
      io.out(`log ${l.file}${l.size !== null ? ` (${l.size} bytes)` : ''}\n`);
      for (const e of l.entries) io.out(`${e.offset !== null ? `@${e.offset} ` : ''}${entryText(e.entry)}\n`);
      if (l.damage) io.out(`${damageText(l.damage)}\n`);
    }
    io.out(`summary: ${summary.files} file(s), ${summary.entries} entries` + (summary.firstZxid ? `, zxid ${summary.firstZxid}..${summary.lastZxid}` : '') + `, ${summary.damaged} damaged\n`);
  }
  for (const l of damaged) io.err(`log-dump: ${damageText(l.damage!)}\n`);
  return damaged.length > 0 ? EXIT_DAMAGED : EXIT_CLEAN;
}

export function damageText(d: { file: string; offset: number; reason: string; kind: string }): string {
  const consequence = d.kind === 'torn-tail' ? 'torn tail: startup cuts it and keeps the entries before it' : 'corrupt: startup refuses';
  return `${d.file}: damaged at offset ${d.offset}: ${d.reason} (${consequence})`;
}
