// zkts.storage=file end to end: acknowledged writes survive a restart on the same dataDir (tree,
// stats, digest, zxid counter), recovered sessions expire or are resumed, snapshots are taken
// every snapCount txns, used at restart and purged to autopurge.snapRetainCount.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { CreateMode, ErrorCode, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { sessionIdHex } from '@zkts/session';
import type { ServerConfig } from './config/index.js';
import { startTestServer, type TestServer } from './test-support/server.js';

const running = new Set<TestServer>();
afterEach(async () => {
  for (const s of running) await s.stop();
  running.clear();
});

function fileStorage(dir: string, more: Partial<ServerConfig> = {}): Partial<ServerConfig> {
  return { zktsStorage: 'file', dataDir: dir, dataLogDir: dir, snapCount: 100_000, ...more };
}

async function start(overrides: Partial<ServerConfig>): Promise<TestServer> {
  const s = await startTestServer(overrides);
  running.add(s);
  return s;
}

async function stop(s: TestServer): Promise<void> {
  running.delete(s);
  await s.stop();
}

const body = (path: string, data = 'x', flags: number = CreateMode.persistent) => ({ path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags });
/** Every node with its data as hex (a snapshot decodes data as Buffer, the live tree may hold Uint8Array). */
const nodesOf = (s: TestServer) => [...s.server.tree.snapshotNodes()].map((n) => ({ ...n, data: n.data === null ? null : Buffer.from(n.data).toString('hex') }));
const tmp = () => mkdtempSync(join(tmpdir(), 'zkts-durable-'));

describe('file storage across a restart', () => {
  test('acknowledged writes come back: every node, data and Stat, the digest, and the zxid counter continues', async () => {
    const dir = tmp();
    // No snapshot at the stop: the restart replays the whole log.
    const a = await start(fileStorage(dir, { zktsSnapshotOnShutdown: false }));
    const c = await a.connect();
    for (const p of ['/app', '/app/one', '/app/two', '/gone']) expect((await c.request(OpCode.create, body(p, `data of ${p}`))).header.err).toBe(0);
    expect((await c.request(OpCode.create, body('/app/seq-', 's', CreateMode.persistentSequential))).header.err).toBe(0);
    expect((await c.request(OpCode.setData, { path: '/app/one', data: Buffer.from('v2'), version: -1 })).header.err).toBe(0);
    expect((await c.request(OpCode.delete, { path: '/gone', version: -1 })).header.err).toBe(0);
    const nodes = nodesOf(a);
    const digest = a.server.tree.digest();
    const zxid = a.server.lastZxid;
    await stop(a);

    const b = await start(fileStorage(dir));
    expect(nodesOf(b)).toEqual(nodes);
    expect(b.server.tree.digest()).toBe(digest);
    expect(b.server.lastZxid).toBe(zxid);
    const d = await b.connect();
    // The new session's createSession txn takes zxid + 1; the create after it zxid + 2.
    const r = await d.request(OpCode.create, body('/after'));
    expect(r.header.err).toBe(0);
    expect(r.header.zxid).toBe(zxid + 2);
    expect(b.logger.lines.some((l) => /recovered \d+ nodes and \d+ sessions from no snapshot and \d+ log entries/.test(l))).toBe(true);
  });

  test('a clean stop snapshots the final state, so the next start replays no log entry', async () => {
    const dir = tmp();
    const a = await start(fileStorage(dir, { zktsSnapshotOnShutdown: true }));
    const c = await a.connect();
    for (const p of ['/s', '/s/one', '/s/two']) expect((await c.request(OpCode.create, body(p, `data of ${p}`))).header.err).toBe(0);
    const nodes = nodesOf(a);
    const digest = a.server.tree.digest();
    const zxid = a.server.lastZxid;
    await stop(a);
    expect(readdirSync(join(dir, 'version-2'))).toContain(`snapshot.${zxid.toString(16)}`);

    const b = await start(fileStorage(dir));
    expect(nodesOf(b)).toEqual(nodes);
    expect(b.server.tree.digest()).toBe(digest);
    expect(b.logger.lines.some((l) => l.includes(`from snapshot 0x${zxid.toString(16)} and 0 log entries`))).toBe(true);
    // Nothing applied since: the second clean stop writes no other snapshot.
    await stop(b);
    expect(readdirSync(join(dir, 'version-2')).filter((f) => f.startsWith('snapshot.'))).toEqual([`snapshot.${zxid.toString(16)}`]);
  });

  test('an ephemeral of a session that does not reconnect is deleted once its timeout passes after the restart', async () => {
    const dir = tmp();
    const cfg = fileStorage(dir, { tickTimeMs: 200 });
    const a = await start(cfg);
    const c = await a.connect({ timeoutMs: 400 });
    expect((await c.request(OpCode.create, body('/eph', 'e', CreateMode.ephemeral))).header.err).toBe(0);
    const session = c.session.sessionId;
    await stop(a);

    const b = await start(cfg);
    expect(b.server.tree.getNode('/eph')).toBeDefined();
    await b.logger.waitFor(new RegExp(`expiring session ${sessionIdHex(session)}, timeout of 400ms exceeded`), 5000);
    const d = await b.connect();
    expect((await d.request(OpCode.exists, { path: '/eph', watch: false })).header.err).toBe(ErrorCode.noNode);
  });

  test('a client reconnecting with its session id and password within the timeout keeps its session and ephemeral', async () => {
    const dir = tmp();
    const cfg = fileStorage(dir, { tickTimeMs: 100 });
    const a = await start(cfg);
    const c = await a.connect({ timeoutMs: 2000 });
    expect((await c.request(OpCode.create, body('/mine', 'e', CreateMode.ephemeral))).header.err).toBe(0);
    await stop(a);

    const b = await start(cfg);
    const again = await b.connect({ sessionId: c.session.sessionId, passwd: c.session.passwd, timeoutMs: 2000 });
    expect(again.session.sessionId).toBe(c.session.sessionId);
    const r = await again.request(OpCode.exists, { path: '/mine', watch: false });
    expect(r.header.err).toBe(0);
    expect((r.body as { stat: { ephemeralOwner: bigint } }).stat.ephemeralOwner).toBe(c.session.sessionId);
    expect(b.logger.lines.some((l) => l.includes(`expiring session ${sessionIdHex(c.session.sessionId)}`))).toBe(false);
  });
});

describe('snapshots', () => {
  test('a snapshot is saved after snapCount txns and the restart recovers from it', async () => {
    const dir = tmp();
    const cfg = fileStorage(dir, { snapCount: 10 });
    const a = await start(cfg);
    const c = await a.connect();
    for (let i = 0; i < 12; i++) expect((await c.request(OpCode.create, body(`/n${i}`))).header.err).toBe(0);
    await a.logger.waitFor(/snapshot 0x[0-9a-f]+ saved/);
    const nodes = nodesOf(a);
    await stop(a);
    // Up to two snapshots fit in 13 txns (one every snapCount/2..snapCount): recovery uses the newest.
    const saved = a.logger.lines.filter((l) => /snapshot 0x[0-9a-f]+ saved/.test(l)).at(-1)!;
    const snapZxid = /snapshot (0x[0-9a-f]+) saved/.exec(saved)![1]!;
    expect(readdirSync(join(dir, 'version-2')).some((f) => f.startsWith('snapshot.'))).toBe(true);

    const b = await start(cfg);
    expect(b.logger.lines.some((l) => l.includes(`from snapshot ${snapZxid} and`))).toBe(true);
    expect(nodesOf(b)).toEqual(nodes);
  });

  test('autopurge keeps autopurge.snapRetainCount (3) snapshots', async () => {
    const dir = tmp();
    const a = await start(fileStorage(dir, { snapCount: 4, autopurgeSnapRetainCount: 3 }));
    const c = await a.connect();
    for (let i = 0; i < 40; i++) expect((await c.request(OpCode.create, body(`/p${i}`))).header.err).toBe(0);
    await stop(a);
    const saved = a.logger.lines.filter((l) => /snapshot 0x[0-9a-f]+ saved/.test(l)).length;
    expect(saved).toBeGreaterThan(3);
    expect(readdirSync(join(dir, 'version-2')).filter((f) => /^snapshot\.[0-9a-f]+$/.test(f))).toHaveLength(3);
  });
});
