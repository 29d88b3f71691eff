// The storage tools (zkts-server log-dump | snapshot-dump | verify) run in-process through
// runServer on data directories written by the real backends, intact and damaged.
import 'reflect-metadata';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as root } from 'tsyringe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerFileStorage, scanLogFile, VERSION_DIR } from '@zkts/storage-file';
import { openLevelStorage } from '@zkts/storage-level';
import { type LogEntry, type SnapshotStore, type TxnLog, zxidToHex } from '@zkts/txn-log';
import { buildTree, workload } from '../../../packages/txn-log/src/test-support/contract.js';
import { runServer } from './cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkts-tools-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs `zkts-server <argv>` in-process; returns exit code, stdout and stderr. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const r = await runServer(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  if (!('exitCode' in r)) throw new Error('a tool started a server');
  return { code: r.exitCode, out, err };
}

const COUNT = 120;
const SNAP_AT = [40, 80];

/** Writes the workload through a backend: flushes every 10 entries, snapshots after SNAP_AT. */
async function populate(log: TxnLog, snapshots: SnapshotStore): Promise<{ entries: LogEntry[]; snapZxids: number[] }> {
  const entries = workload(COUNT);
  const snapZxids: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    log.append([entries[i]!]);
    if (i % 10 === 9) await log.flush();
    if (SNAP_AT.includes(i + 1)) {
      await log.flush();
      const { tree, sessions } = buildTree(entries.slice(0, i + 1));
      await snapshots.save(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions, digest: tree.digest() });
      snapZxids.push(tree.lastProcessedZxid);
    }
  }
  await log.close();
  return { entries, snapZxids };
}

async function populateFiles() {
  const s = await registerFileStorage(root.createChildContainer(), { dataDir: dir, preAllocSizeKb: 4, snapCount: 40, random: () => 0.5 });
  const r = await populate(s.txnLog, s.snapshots);
  const v2 = join(dir, VERSION_DIR);
  const logs = (await readdir(v2)).filter((n) => n.startsWith('log.')).sort((a, b) => parseInt(a.slice(4), 16) - parseInt(b.slice(4), 16)).map((n) => join(v2, n));
  return { ...r, v2, logs, snapPath: (z: number) => join(v2, `snapshot.${z.toString(16)}`) };
}

const digestHex = (d: bigint) => `0x${BigInt.asUintN(64, d).toString(16)}`;

describe('log-dump', () => {
  it('prints every entry like TxnLogToolkit (time, session, cxid, zxid, type, fields) and a summary', async () => {
    const { entries, logs } = await populateFiles();
    const r = await run('log-dump', dir);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n').filter((l) => /^@\d+ /.test(l));
    expect(lines).toHaveLength(COUNT);
    const first = entries[0]!.hdr;
    expect(lines[0]).toBe(`@16 ${new Date(first.time).toISOString()} session 0x100 cxid 0x1 zxid ${zxidToHex(first.zxid)} createSession timeOut=30000`);
    expect(lines[2]).toMatch(/ create path=\/app data=#726f6f74 acl=\[world:anyone:31\] ephemeral=false parentCVersion=1$/);
    expect(r.out).toMatch(/ multi txns=\{create path=\/app\/m\d+ data=null .*; setData path=\/app data=#[0-9a-f]+ version=\d+\}/);
    expect(r.out).toMatch(/ error err=-101/);
    for (const f of logs) expect(r.out).toContain(`log ${f} (`);
    expect(r.out).toContain(`summary: ${logs.length} file(s), ${COUNT} entries, zxid ${zxidToHex(first.zxid)}..${zxidToHex(entries.at(-1)!.hdr.zxid)}, 0 damaged\n`);
  });

  it('--json: files with entries (offset, bytes, zxid, time, session, cxid, type, txn) and a summary', async () => {
    const { entries, logs } = await populateFiles();
    const r = await run('log-dump', logs[0]!, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { files: Array<{ file: string; entries: Array<Record<string, unknown>>; damage: unknown }>; summary: Record<string, unknown> };
    expect(doc.files).toHaveLength(1);
    expect(doc.files[0]!.file).toBe(logs[0]);
    expect(doc.files[0]!.damage).toBeNull();
    expect(doc.files[0]!.entries[0]).toEqual({ offset: 16, bytes: expect.any(Number), zxid: zxidToHex(entries[0]!.hdr.zxid), time: entries[0]!.hdr.time, session: '0x100', cxid: 1, type: 'createSession', txn: { timeOut: 30_000 } });
    expect(doc.files[0]!.entries[2]).toMatchObject({ type: 'create', txn: { path: '/app', data: Buffer.from('root').toString('hex'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], ephemeral: false } });
    const n = doc.files[0]!.entries.length;
    expect(doc.summary).toEqual({ files: 1, entries: n, firstZxid: zxidToHex(entries[0]!.hdr.zxid), lastZxid: zxidToHex(entries[n - 1]!.hdr.zxid), damaged: 0 });
  });

  it('a checksum failure: the entries before it, then the file and offset; exit 1', async () => {
    const { logs } = await populateFiles();
    const victim = logs[0]!;
    const scan = await scanLogFile(victim);
    const hit = scan.entries[3]!;
    const bytes = await readFile(victim);
    bytes[hit.offset + 20] = bytes[hit.offset + 20]! ^ 0x01;
    await writeFile(victim, bytes);
    const r = await run('log-dump', victim);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => /^@\d+ /.test(l))).toHaveLength(3);
    expect(r.err).toContain(`${victim}: damaged at offset ${hit.offset}: checksum`);
    expect(r.err).toContain('corrupt: startup refuses');
    const json = JSON.parse((await run('log-dump', victim, '--json')).out) as { files: Array<{ damage: Record<string, unknown> }> };
    expect(json.files[0]!.damage).toMatchObject({ file: victim, offset: hit.offset, kind: 'corrupt' });
  });
});

describe('snapshot-dump', () => {
  it('prints the header, every node with its stat fields, the sessions and the last zxid', async () => {
    const { entries, snapZxids, snapPath } = await populateFiles();
    const { tree } = buildTree(entries.slice(0, SNAP_AT[1]));
    const file = snapPath(snapZxids[1]!);
    const records = [...tree.snapshotNodes()].length; // the nodes stored (DataTree.nodeCount adds ZooKeeper's "/" alias)
    const r = await run('snapshot-dump', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^snapshot ${file} \\(\\d+ bytes\\): zxid ${zxidToHex(snapZxids[1]!)}, digest ${digestHex(tree.digest())}, ${records} nodes, 2 sessions\n`));
    expect(r.out).toContain(`ZNode Details (count=${records}):`);
    const app = tree.getNode('/app')!;
    expect(r.out).toContain(`----\n/app\n  cZxid = ${zxidToHex(app.stat.czxid)}\n`);
    expect(r.out).toContain(`  dataVersion = ${app.stat.version}\n`);
    expect(r.out).not.toContain('  data = ');
    expect(r.out).toMatch(/Session Details \(sid, timeout, ephemeralCount\): 2\n0x100, 30000, 0\n0x200, 10000, [1-9]\d*\n/);
    expect(r.out).toContain(`Last zxid: ${zxidToHex(snapZxids[1]!)}\n`);
    expect((await run('snapshot-dump', file, '--data')).out).toMatch(/\n\/app\n(.*\n){11}  data = "m\d+"\n/);
  });

  it('--json [--data]: header, sessions with ephemeral counts, nodes with stat and data length', async () => {
    const { entries, snapZxids, snapPath } = await populateFiles();
    const { tree } = buildTree(entries.slice(0, SNAP_AT[0]));
    const doc = JSON.parse((await run('snapshot-dump', snapPath(snapZxids[0]!), '--json', '--data')).out) as Record<string, unknown> & { nodes: Array<Record<string, unknown>> };
    const records = [...tree.snapshotNodes()].length;
    expect(doc).toMatchObject({ zxid: zxidToHex(snapZxids[0]!), digest: digestHex(tree.digest()), nodeCount: records, sessionCount: 2 });
    expect(doc.sessions).toEqual([
      { id: '0x100', timeoutMs: 30_000, ephemeralCount: 0 },
      { id: '0x200', timeoutMs: 10_000, ephemeralCount: expect.any(Number) },
    ]);
    expect(doc.nodes).toHaveLength(records);
    const app = doc.nodes.find((n) => n.path === '/app')!;
    const node = tree.getNode('/app')!;
    expect(app).toMatchObject({ dataLength: node.data?.length ?? 0, data: Buffer.from(node.data ?? []).toString('hex'), stat: { czxid: node.stat.czxid, mzxid: node.stat.mzxid, version: node.stat.version, ephemeralOwner: '0x0' } });
    const withoutData = JSON.parse((await run('snapshot-dump', snapPath(snapZxids[0]!), '--json')).out) as { nodes: Array<Record<string, unknown>> };
    expect(withoutData.nodes[0]).not.toHaveProperty('data');
  });

  it('a damaged snapshot: file and offset on stderr, exit 1', async () => {
    const { snapZxids, snapPath } = await populateFiles();
    const file = snapPath(snapZxids[1]!);
    const bytes = await readFile(file);
    bytes[60] = bytes[60]! ^ 0x02;
    await writeFile(file, bytes);
    const r = await run('snapshot-dump', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^snapshot-dump: ${file}: damaged at offset ${bytes.length - 8}: checksum`));
  });
});

describe('verify (file storage)', () => {
  it('an intact data directory: every snapshot and segment ok, the final tree, exit 0', async () => {
    const { entries, logs, snapZxids } = await populateFiles();
    const { tree, sessions } = buildTree(entries);
    const r = await run('verify', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`verify ${dir} (file storage)`);
    for (const z of snapZxids) expect(r.out).toMatch(new RegExp(`snapshot .*snapshot\\.${z.toString(16)}: zxid ${zxidToHex(z)}, \\d+ nodes, 2 sessions, digest 0x[0-9a-f]+: ok`));
    for (const f of logs) expect(r.out).toContain(`log ${f}: `);
    expect(r.out).toContain(`replayed ${COUNT - SNAP_AT[1]!} log entries after snapshot ${zxidToHex(snapZxids[1]!)}`);
    expect(r.out).toContain(`final tree: ${tree.nodeCount} nodes, ${sessions.length} sessions, last zxid ${zxidToHex(entries.at(-1)!.hdr.zxid)}, digest ${digestHex(tree.digest())}\nclean\n`);
    const json = JSON.parse((await run('verify', dir, '--json', '--storage', 'file')).out) as Record<string, unknown>;
    expect(json).toMatchObject({ storage: 'file', clean: true, problems: [], result: { nodes: tree.nodeCount, lastZxid: zxidToHex(entries.at(-1)!.hdr.zxid), digest: digestHex(tree.digest()) } });
  });

  it('a damaged newest snapshot: named with its offset, exit 1, the tree still rebuilt from the older one', async () => {
    const { entries, snapZxids, snapPath } = await populateFiles();
    const file = snapPath(snapZxids[1]!);
    const bytes = await readFile(file);
    bytes[100] = bytes[100]! ^ 0x40;
    await writeFile(file, bytes);
    const r = await run('verify', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`verify: ${file}: damaged at offset ${bytes.length - 8}: checksum`);
    expect(r.out).toContain(`replayed ${COUNT - SNAP_AT[0]!} log entries after snapshot ${zxidToHex(snapZxids[0]!)}`);
    expect(r.out).toContain(`digest ${digestHex(buildTree(entries).tree.digest())}\n1 problem(s)`);
  });

  it('a flipped byte in the middle of the log: file and offset, the tree up to the damage, exit 1', async () => {
    const { entries, logs } = await populateFiles();
    const victim = logs.at(-1)!;
    const scan = await scanLogFile(victim);
    const hit = scan.entries[1]!;
    const bytes = await readFile(victim);
    bytes[hit.offset + 30] = bytes[hit.offset + 30]! ^ 0x08;
    await writeFile(victim, bytes);
    const r = await run('verify', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`verify: ${victim}: damaged at offset ${hit.offset}: checksum`);
    expect(r.err).toContain('startup refuses to start');
    const upTo = entries.findIndex((e) => e.hdr.zxid === hit.entry.hdr.zxid);
    expect(r.out).toContain(`last zxid ${zxidToHex(entries[upTo - 1]!.hdr.zxid)}`);
    expect(await readFile(victim)).toEqual(bytes); // verify repairs nothing
  });

  it('a deleted segment: the gap is named, exit 1', async () => {
    const { logs } = await populateFiles();
    expect(logs.length).toBeGreaterThan(2);
    await rm(logs[1]!);
    const r = await run('verify', dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`verify: ${logs[2]!}: damaged at offset 16: log entries missing: 0x[0-9a-f]+ is followed by 0x[0-9a-f]+`));
  });
});

describe.each(['level', 'rocksdb'] as const)('tools through the SPI: %s', (engine) => {
  it('verify --storage and log-dump read the database; a file verify of it is refused', async () => {
    const s = await openLevelStorage({ engine, dataDir: dir });
    const { entries } = await populate(s.txnLog, s.snapshots);
    const { tree } = buildTree(entries);
    const r = await run('verify', dir, '--storage', engine);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`(${engine} storage)`);
    expect(r.out).toContain(`final tree: ${tree.nodeCount} nodes, 2 sessions, last zxid ${zxidToHex(entries.at(-1)!.hdr.zxid)}, digest ${digestHex(tree.digest())}\nclean\n`);
    expect((await run('verify', dir)).out).toContain(`(${engine} storage)`); // detected
    const dump = await run('log-dump', dir, '--json');
    expect(dump.code).toBe(0);
    const doc = JSON.parse(dump.out) as { summary: Record<string, unknown>; files: Array<{ entries: Array<Record<string, unknown>> }> };
    expect(doc.summary).toMatchObject({ entries: COUNT, damaged: 0 });
    expect(doc.files[0]!.entries[0]).toMatchObject({ offset: null, type: 'createSession', session: '0x100' });
    const asFile = await run('verify', dir, '--storage', 'file');
    expect(asFile.code).toBe(2);
    expect(asFile.err).toContain('--storage file');
  });
});

describe('bad arguments: exit 2, the message names the argument', () => {
  it.each([
    [['verify'], /verify: missing <dataDir>/],
    [['verify', '/nonexistent/zkts'], /verify: dataDir \/nonexistent\/zkts does not exist/],
    [['verify', '.', '--storage', 'tape'], /verify: --storage tape: must be one of file, level, rocksdb/],
    [['verify', '.', '--storage'], /verify: --storage needs a value/],
    [['verify', '.', '--data-log-dir', '/nonexistent/log'], /verify: --data-log-dir \/nonexistent\/log does not exist/],
    [['log-dump', '.', '--bogus'], /log-dump: unknown option --bogus/],
    [['log-dump'], /log-dump: missing <log file \| dataLogDir>/],
    [['log-dump', '/nonexistent/log.1'], /log-dump: \/nonexistent\/log\.1 does not exist/],
    [['snapshot-dump', 'a', 'b'], /snapshot-dump: unexpected argument b/],
    [['snapshot-dump', '/nonexistent/snapshot.1', '--json=yes'], /snapshot-dump: --json takes no value/],
  ])('%j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: zkts-server ');
  });

  it('an empty directory holds no storage', async () => {
    const r = await run('verify', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`verify: dataDir ${dir} holds no zkts storage`);
    const d = await run('log-dump', dir);
    expect(d.code).toBe(2);
    expect(d.err).toContain(`log-dump: ${dir} holds no log`);
  });
});

describe('unreadable storage', () => {
  it('a level database held open by a server: exit 3 with the reason, not a crash', async () => {
    const s = await openLevelStorage({ engine: 'level', dataDir: dir });
    try {
      const r = await run('verify', dir, '--storage', 'level');
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/^zkts-server verify: cannot read: /);
    } finally {
      await s.close();
    }
  });
});
