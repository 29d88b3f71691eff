// zkts-server snapshot-dump <snapshot file> [--json] [--data]: the header (zxid, digest, counts),
// the sessions (id, timeout, ephemeral count) and every node's path, stat fields and data length
// (the data too with --data), like ZooKeeper's SnapshotFormatter.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CorruptionError, type Snapshot, decodeSnapshot, zxidToHex } from '@zkts/txn-log';
import { UsageError, parseArgs } from './args.js';
import { aclText, corruptionDetail, dataText, sessionHex, toJson } from './format.js';
import { EXIT_CLEAN, EXIT_DAMAGED, type ToolIo } from './io.js';
import { SNAPSHOT_DUMP_USAGE } from './usage.js';

export { SNAPSHOT_DUMP_USAGE };

export async function snapshotDump(argv: readonly string[], io: ToolIo): Promise<number> {
  const args = parseArgs('snapshot-dump', argv, { positional: ['snapshot file'], flags: ['json', 'data'] });
  const file = args.positional['snapshot file']!;
  if (!existsSync(file)) throw new UsageError(`snapshot-dump: ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new UsageError(`snapshot-dump: ${file} is a directory; name one snapshot.<zxid> file`);
  const bytes = await readFile(file);
  let snap: Snapshot;
  try {
    snap = decodeSnapshot(bytes, file);
  } catch (e) {
    if (!(e instanceof CorruptionError)) throw e;
    io.err(`snapshot-dump: ${file}: damaged at offset ${e.offset}: ${corruptionDetail(e)}\n`);
    return EXIT_DAMAGED;
  }
  const withData = args.flags.has('data');
  const ephemerals = new Map<bigint, number>();
  for (const n of snap.nodes) if (n.stat.ephemeralOwner !== 0n) ephemerals.set(n.stat.ephemeralOwner, (ephemerals.get(n.stat.ephemeralOwner) ?? 0) + 1);
  const sessions = snap.sessions.map((s) => ({ id: sessionHex(s.id), timeoutMs: s.timeoutMs, ephemeralCount: ephemerals.get(s.id) ?? 0 }));
  const digest = snap.digest === null ? null : `0x${snap.digest.toString(16)}`;
  if (args.flags.has('json')) {
    const nodes = snap.nodes.map((n) => ({
      path: n.path,
      stat: toJson(n.stat),
      dataLength: n.data?.length ?? 0,
      acl: toJson(n.acl),
      ...(withData ? { data: n.data === null ? null : Buffer.from(n.data).toString('hex') } : {}),
    }));
    io.out(JSON.stringify({ file, bytes: bytes.length, zxid: zxidToHex(snap.zxid), digest, nodeCount: snap.nodes.length, sessionCount: snap.sessions.length, sessions, nodes }, null, 2) + '\n');
    return EXIT_CLEAN;
  }
  io.out(`snapshot ${file} (${bytes.length} bytes): zxid ${zxidToHex(snap.zxid)}, digest ${digest ?? 'none'}, ${snap.nodes.length} nodes, ${snap.sessions.length} sessions\n`);
  io.out(`ZNode Details (count=${snap.nodes.length}):\n`);
  for (const n of snap.nodes) {
    const s = n.stat;
    io.out('----\n');
    io.out(`${n.path}\n`);
    io.out(`  cZxid = ${zxidToHex(s.czxid)}\n  ctime = ${new Date(s.ctime).toISOString()}\n  mZxid = ${zxidToHex(s.mzxid)}\n  mtime = ${new Date(s.mtime).toISOString()}\n`);
    io.out(`  pZxid = ${zxidToHex(s.pzxid)}\n  cversion = ${s.cversion}\n  dataVersion = ${s.version}\n  aclVersion = ${s.aversion}\n`);
    io.out(`  ephemeralOwner = ${sessionHex(s.ephemeralOwner)}\n  dataLength = ${n.data?.length ?? 0}\n  acl = ${aclText(n.acl)}\n`);
    if (withData) io.out(`  data = ${dataText(n.data)}\n`);
  }
  io.out('----\n');
  io.out(`Session Details (sid, timeout, ephemeralCount): ${snap.sessions.length}\n`);
  for (const s of sessions) io.out(`${s.id}, ${s.timeoutMs}, ${s.ephemeralCount}\n`);
  io.out('----\n');
  io.out(`Last zxid: ${zxidToHex(snap.zxid)}\n`);
  return EXIT_CLEAN;
}
