// ClientCore driven by hand: bytes and time in, frames and state changes out. No sockets.
import { describe, expect, it } from 'vitest';
import {
  ConnectRequest,
  ConnectResponse,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  RequestHeader,
  SetWatches,
  Xid,
  encodeFrame,
  encodeNotification,
  encodeReply,
} from '@zkts/protocol';
import { Chroot, parseConnectString } from './connect-string.js';
import { ClientCore, type ConnectionState } from './core.js';
import { ConnectionLossError, QueueFullError, SessionExpiredError } from './errors.js';
import { exponentialBackoff } from './retry.js';
import { WatchRegistry, type WatchedEvent } from './watches.js';

function harness(opts: { maxQueuedRequests?: number; chroot?: string; requestsWhileDisconnected?: 'wait' | 'fail'; queuedRequestTimeoutMs?: number } = {}) {
  let now = 0;
  const frames: Uint8Array[] = [];
  const states: ConnectionState[] = [];
  const drops: string[] = [];
  const decoder = new FrameDecoder();
  const core = new ClientCore(
    {
      sessionTimeoutMs: 3000,
      chroot: new Chroot(opts.chroot),
      maxQueuedRequests: opts.maxQueuedRequests ?? 100,
      canBeReadOnly: false,
      ...(opts.requestsWhileDisconnected ? { requestsWhileDisconnected: opts.requestsWhileDisconnected } : {}),
      ...(opts.queuedRequestTimeoutMs ? { queuedRequestTimeoutMs: opts.queuedRequestTimeoutMs } : {}),
    },
    {
      write: (b) => frames.push(...decoder.push(b)),
      dropConnection: (r) => drops.push(r),
      stateChanged: (s) => states.push(s),
      now: () => now,
    },
  );
  const respond = (res: ConnectResponse): void => {
    const w = new JuteWriter();
    encodeFrame(w, ConnectResponse, res);
    core.receive(w.toBuffer(), now);
  };
  const open = (timeOut = 3000): ConnectRequest => {
    core.beginAttempt(now, 1000);
    const req = ConnectRequest.decode(new JuteReader(new FrameDecoder().push(core.handshakeFrame(now))[0]!));
    respond({ protocolVersion: 0, timeOut, sessionId: 0x1234n, passwd: new Uint8Array(16).fill(7) });
    return req;
  };
  const reply = (xid: number, op: number, body?: unknown, err = 0, zxid = 10): void => {
    const w = new JuteWriter();
    encodeReply(w, { xid, zxid, err }, op, body);
    core.receive(w.toBuffer(), now);
  };
  const header = (f: Uint8Array) => RequestHeader.decode(new JuteReader(f));
  return { core, frames, states, drops, open, reply, respond, header, advance: (ms: number) => (now += ms) };
}

describe('ClientCore', () => {
  it('handshakes, sends queued requests once connected, resolves replies in order', async () => {
    const h = harness();
    const p = h.core.submit(OpCode.exists, { path: '/a', watch: false }, { path: '/a' });
    expect(h.frames).toHaveLength(0);
    const req = h.open();
    expect(req).toMatchObject({ lastZxidSeen: 0, timeOut: 3000, sessionId: 0n });
    expect(h.states).toEqual(['connected']);
    expect(h.frames.map((f) => h.header(f))).toEqual([{ xid: 1, type: OpCode.exists }]);
    h.reply(1, OpCode.exists, undefined, -101, 42);
    await expect(p).rejects.toMatchObject({ name: 'NoNodeError', path: '/a' });
    expect(h.core.lastZxid).toBe(42);
  });

  it('pings after a third of the timeout idle, drops the connection after two thirds silent', () => {
    const h = harness();
    h.open(3000);
    h.advance(999);
    h.core.tick(999);
    expect(h.frames).toHaveLength(0);
    h.advance(1);
    h.core.tick(1000);
    expect(h.header(h.frames[0]!)).toEqual({ xid: Xid.ping, type: OpCode.ping });
    h.advance(999);
    h.core.tick(1999);
    expect(h.drops).toEqual([]);
    h.advance(1);
    h.core.tick(2000);
    expect(h.drops[0]).toMatch(/no reply from server for 2000 ms/);
  });

  it('reconnects with the same session, lastZxidSeen and setWatches; requests in flight fail with ConnectionLoss', async () => {
    const h = harness({ chroot: '/app' });
    h.open();
    h.core.watches.add('data', '/x', { next() {}, complete() {}, error() {} });
    const inFlight = h.core.submit(OpCode.getData, { path: '/app/x', watch: true });
    h.reply(1, OpCode.getData, { data: null, stat: { czxid: 1, mzxid: 1, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1 } }, 0, 77);
    await inFlight;
    const lost = h.core.submit(OpCode.sync, { path: '/app' });
    h.core.connectionLost();
    await expect(lost).rejects.toBeInstanceOf(ConnectionLossError);
    expect(h.states).toEqual(['connected', 'disconnected']);
    h.frames.length = 0;
    const req = h.open();
    expect(req).toMatchObject({ lastZxidSeen: 77, sessionId: 0x1234n });
    expect([...req.passwd]).toEqual(Array(16).fill(7));
    expect(h.header(h.frames[0]!)).toEqual({ xid: Xid.setWatches, type: OpCode.setWatches });
    const r = new JuteReader(h.frames[0]!);
    RequestHeader.decode(r);
    expect(SetWatches.decode(r)).toEqual({ relativeZxid: 77, dataWatches: ['/app/x'], existWatches: [], childWatches: [] });
    expect(h.states).toEqual(['connected', 'disconnected', 'reconnected']);
  });

  it('a zero timeout in the ConnectResponse means expired: everything fails, watches error', async () => {
    const h = harness();
    const queued = h.core.submit(OpCode.sync, { path: '/' });
    const errors: unknown[] = [];
    h.core.watches.add('child', '/', { next() {}, complete() {}, error: (e) => errors.push(e) });
    h.core.beginAttempt(0, 1000);
    h.respond({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16) });
    await expect(queued).rejects.toBeInstanceOf(SessionExpiredError);
    expect(errors[0]).toBeInstanceOf(SessionExpiredError);
    expect(h.states).toEqual(['expired']);
    await expect(h.core.submit(OpCode.sync, { path: '/' })).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('bounds the queue, times out a handshake, drops on an out-of-order xid, strips the chroot from events', async () => {
    const h = harness({ maxQueuedRequests: 1, chroot: '/app' });
    void h.core.submit(OpCode.sync, { path: '/' }).catch(() => undefined);
    await expect(h.core.submit(OpCode.sync, { path: '/' })).rejects.toBeInstanceOf(QueueFullError);
    h.core.beginAttempt(0, 1000);
    h.advance(1000);
    h.core.tick(1000);
    expect(h.drops).toEqual(['connect timeout']);
    h.open();
    const seen: WatchedEvent[] = [];
    h.core.watches.add('persistentRecursive', '/', { next: (e) => seen.push(e), complete() {}, error() {} });
    const w = new JuteWriter();
    encodeNotification(w, { type: 1, state: 3, path: '/app/a/b' });
    h.core.receive(w.toBuffer(), 0);
    expect(seen).toEqual([{ type: 'nodeCreated', path: '/a/b' }]);
    h.reply(99, OpCode.sync, { path: '/' });
    expect(h.drops[1]).toMatch(/xid out of order: got 99, expected 1/);
  });
});

describe('connect strings, chroot, registry, retry', () => {
  it('parses servers and a chroot', () => {
    expect(parseConnectString('a:1,b,[::1]:3/app/x')).toEqual({
      servers: [{ host: 'a', port: 1 }, { host: 'b', port: 2181 }, { host: '::1', port: 3 }],
      chroot: '/app/x',
    });
    expect(parseConnectString('h:1/').chroot).toBeUndefined();
    expect(() => parseConnectString('h:x')).toThrow(/bad server/);
    expect(() => parseConnectString('/app')).toThrow(/names no server/);
    expect(() => parseConnectString('h:1/app/')).toThrow(/must not end with/);
    const c = new Chroot('/app');
    expect([c.toServer('/'), c.toServer('/a'), c.toClient('/app'), c.toClient('/app/a'), c.toClient('/apple')]).toEqual(['/app', '/app/a', '/', '/a', '/apple']);
  });

  it('dispatches like ZooKeeper: one-shot watches fire once, recursive ones skip child events', () => {
    const reg = new WatchRegistry();
    const log: string[] = [];
    const sink = (name: string) => ({ next: (e: WatchedEvent) => log.push(`${name}:${e.type}:${e.path}`), complete: () => log.push(`${name}:done`), error() {} });
    reg.add('data', '/a', sink('d'));
    reg.add('child', '/a', sink('c'));
    reg.add('persistentRecursive', '/', sink('r'));
    reg.dispatch(4, '/a');
    reg.dispatch(2, '/a');
    reg.dispatch(2, '/a');
    expect(log).toEqual(['c:nodeChildrenChanged:/a', 'c:done', 'd:nodeDeleted:/a', 'd:done', 'r:nodeDeleted:/a', 'r:nodeDeleted:/a']);
    expect(reg.snapshot()).toEqual({ data: [], exist: [], child: [], persistent: [], persistentRecursive: ['/'] });
  });

  it('exponential backoff is capped', () => {
    const p = exponentialBackoff({ maxRetries: 5, baseDelayMs: 100, maxDelayMs: 350 });
    expect([0, 1, 2, 3].map((a) => p.delayMs(a))).toEqual([100, 200, 350, 350]);
  });

  it("requests queued while disconnected: 'wait' keeps them across failed attempts until queuedRequestTimeoutMs", async () => {
    const h = harness({ queuedRequestTimeoutMs: 500 });
    const early = h.core.submit(OpCode.exists, { path: '/a', watch: false }, { path: '/a' });
    let settled = false;
    early.catch(() => undefined).finally(() => (settled = true));
    h.core.beginAttempt(0, 1000);
    h.core.connectionLost();
    h.core.attemptFailed('127.0.0.1:1', 'ECONNREFUSED');
    h.advance(499);
    h.core.tick(499);
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(h.core.outstanding).toBe(1);
    h.advance(1);
    h.core.tick(500);
    const err = await early.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionLossError);
    expect((err as Error).message).toBe('KeeperErrorCode = ConnectionLoss for /a (no connection within 500 ms (queuedRequestTimeoutMs))');
    expect(h.core.outstanding).toBe(0);
  });

  it("requests queued while disconnected: 'fail' fails them when an attempt fails; later ones go out on the next connection", async () => {
    const h = harness({ requestsWhileDisconnected: 'fail' });
    const early = h.core.submit(OpCode.exists, { path: '/a', watch: false }, { path: '/a' });
    h.core.beginAttempt(0, 1000);
    h.core.connectionLost();
    h.core.attemptFailed('127.0.0.1:1', 'ECONNREFUSED');
    const err = await early.catch((e: unknown) => e);
    expect((err as Error).message).toBe('KeeperErrorCode = ConnectionLoss for /a (connection attempt to 127.0.0.1:1 failed: ECONNREFUSED)');
    const later = h.core.submit(OpCode.exists, { path: '/b', watch: false }, { path: '/b' });
    h.open();
    const sent = h.frames.map(h.header).filter((x) => x.type === OpCode.exists);
    expect(sent).toHaveLength(1);
    h.reply(sent[0]!.xid, OpCode.exists, { stat: undefined }, -101);
    await expect(later).rejects.toMatchObject({ codeName: 'NONODE' });
  });

  it('WatchRegistry.remove: the removal event per kind (one object per type), then complete; contains/remove by type', () => {
    const reg = new WatchRegistry();
    const got: Record<string, Array<WatchedEvent | 'done'>> = {};
    const sink = (name: string) => {
      got[name] = [];
      return { next: (e: WatchedEvent) => got[name]!.push(e), complete: () => got[name]!.push('done'), error: () => undefined };
    };
    reg.add('data', '/p', sink('data'));
    reg.add('exist', '/p', sink('exist'));
    reg.add('child', '/p', sink('child'));
    reg.add('persistent', '/p', sink('persistent'));
    reg.add('persistentRecursive', '/p', sink('recursive'));
    expect(reg.remove('/p', 'children')).toBe(true);
    expect(got.child).toEqual([{ type: 'childWatchRemoved', path: '/p' }, 'done']);
    expect(reg.contains('/p', 'children')).toBe(false);
    expect(reg.remove('/p', 'data')).toBe(true);
    expect(got.data).toEqual([{ type: 'dataWatchRemoved', path: '/p' }, 'done']);
    expect(got.data![0]).toBe(got.exist![0]);
    expect(got.persistent).toEqual([]);
    expect(reg.remove('/p', 'any')).toBe(true);
    expect(got.persistent).toEqual([{ type: 'persistentWatchRemoved', path: '/p' }, 'done']);
    expect(got.recursive![0]).toBe(got.persistent![0]);
    expect(reg.remove('/p', 'any')).toBe(false);
    expect(reg.size).toBe(0);
  });
});
