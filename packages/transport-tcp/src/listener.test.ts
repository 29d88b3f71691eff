import { afterEach, describe, expect, it } from 'vitest';
import { FrameError } from '@zkts/protocol';
import { TcpClientListener } from './listener.js';
import type { TcpClientListenerOptions } from './options.js';
import { RecordingHandler, frame, frames, lengthOnly, openClient, openRejected, write, type TestClient } from './test-support/harness.js';

const open: TcpClientListener[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function start(handler: RecordingHandler, options: Partial<TcpClientListenerOptions> = {}) {
  const listener = new TcpClientListener({ host: '127.0.0.1', port: 0, logger: handler.logger, ...options });
  open.push(listener);
  const address = await listener.listen(handler);
  return { listener, port: address.port, address };
}

async function client(port: number, options: { read?: boolean } = {}) {
  const c = await openClient(port, options);
  clients.push(c);
  return c;
}

describe('TcpClientListener: framing', () => {
  it('binds port 0 on 127.0.0.1 and reports the real port', async () => {
    const { address } = await start(new RecordingHandler());
    expect(address.host).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
  });

  it('hands every complete frame of a chunk over in one onFrames call, in order', async () => {
    const h = new RecordingHandler();
    const { port } = await start(h);
    const c = await client(port);
    await write(c.socket, frames('a', 'bb', '', 'ccc'));
    await h.until(() => h.texts(1).length === 4);
    expect(h.texts(1)).toEqual(['a', 'bb', '', 'ccc']);
    expect(h.of('frames', 1)).toHaveLength(1); // one small write arrives as one chunk on loopback
  });

  it('reassembles frames split across writes, header and body, in order', async () => {
    const h = new RecordingHandler();
    const { port } = await start(h);
    const c = await client(port);
    const bytes = frames('first', 'x'.repeat(70_000), 'third');
    // Write in odd-sized pieces, each reaching the kernel before the next.
    for (let at = 0, step = 3; at < bytes.length; at += step, step = step * 7 + 1) {
      await write(c.socket, bytes.subarray(at, Math.min(bytes.length, at + step)));
    }
    await h.until(() => h.texts(1).length === 3);
    expect(h.texts(1)).toEqual(['first', 'x'.repeat(70_000), 'third']);
  });

  it('accepts a frame of exactly maxFrameBytes', async () => {
    const h = new RecordingHandler();
    const { port } = await start(h, { maxFrameBytes: 1000 });
    const c = await client(port);
    await write(c.socket, frame('y'.repeat(1000)));
    await h.until(() => h.texts(1).length === 1);
    expect(h.of('protocolError')).toEqual([]);
  });

  it.each([
    ['oversize (maxFrameBytes + 1)', 1001],
    ['negative (-1)', -1],
    ['negative (int32 min)', -0x80000000],
  ])('a %s length: onProtocolError, that connection closes, the others carry on', async (_name, length) => {
    const h = new RecordingHandler();
    const { listener, port } = await start(h, { maxFrameBytes: 1000 });
    const bad = await client(port);
    const good = await client(port);
    await h.until(() => h.of('connection').length === 2);
    await write(bad.socket, Buffer.concat([lengthOnly(length), Buffer.alloc(16)]));
    await bad.closed;
    await h.until(() => h.of('close', 1).length === 1);
    const [err] = h.of('protocolError', 1);
    expect(err?.error).toBeInstanceOf(FrameError);
    expect((err?.error as FrameError).length).toBe(length);
    expect(h.of('close', 1)[0]?.reason).toMatch(/^protocol error/);
    expect(listener.stats().protocolErrors).toBe(1);
    expect(h.of('log').some((e) => e.level === 'warn' && /bad frame length/.test(e.message))).toBe(true);

    await write(good.socket, frame('still here'));
    await h.until(() => h.texts(2).length === 1);
    expect(h.texts(2)).toEqual(['still here']);
    expect(h.of('protocolError', 2)).toEqual([]);
    expect(listener.connectionCount).toBe(1);
  });

  it('a client that closes inside a frame is closed with a reason, not an error', async () => {
    const h = new RecordingHandler();
    const { port } = await start(h);
    const c = await client(port);
    await write(c.socket, frame('whole'));
    await write(c.socket, frame('half').subarray(0, 6));
    c.socket.end();
    await h.until(() => h.of('close', 1).length === 1);
    expect(h.texts(1)).toEqual(['whole']);
    expect(h.of('close', 1)[0]?.reason).toBe('client closed the connection inside a frame');
    expect(h.of('protocolError')).toEqual([]);
  });
});

describe('TcpClientListener: four-letter words', () => {
  const answer = (text: string) => ({
    onFourLetterWord(conn: { send(b: Uint8Array): void; close(): void }) {
      conn.send(Buffer.from(text));
      conn.close();
    },
  });

  it('recognises a word as the first four bytes, and the answer reaches the client', async () => {
    const h = new RecordingHandler(answer('imok'));
    const { port } = await start(h);
    const c = await client(port);
    await write(c.socket, 'ruok');
    await c.closed;
    expect(c.bytes().toString()).toBe('imok');
    expect(h.of('word')).toEqual([{ kind: 'word', id: 1, word: 'ruok', argument: undefined }]);
    expect(h.of('frames')).toEqual([]);
  });

  it('answers a client that half-closes right after the word (echo srvr | nc), even later', async () => {
    const h = new RecordingHandler({
      onFourLetterWord(conn) {
        setImmediate(() => { // an answer computed on a later turn still goes out
          conn.send(Buffer.from('Zookeeper version: zkts\n'));
          conn.close();
        });
      },
    });
    const { port } = await start(h);
    const c = await client(port);
    c.socket.end('srvr\n');
    await c.closed;
    expect(c.bytes().toString()).toBe('Zookeeper version: zkts\n');
    expect(h.of('word')[0]?.word).toBe('srvr');
  });

  it('a word is only a word at the start: later the same bytes are a frame length', async () => {
    const h = new RecordingHandler();
    const { port } = await start(h);
    const c = await client(port);
    await write(c.socket, frame('hello'));
    await h.until(() => h.texts(1).length === 1);
    await write(c.socket, 'ruok');
    await c.closed;
    expect(h.texts(1)).toEqual(['hello']);
    expect(h.of('word')).toEqual([]);
    expect((h.of('protocolError')[0]?.error as FrameError).length).toBe(0x72756f6b);
  });

  it('telnet close as the first bytes closes quietly', async () => {
    const h = new RecordingHandler();
    const { port } = await start(h);
    const c = await client(port);
    await write(c.socket, Buffer.from([0xff, 0xf4, 0xff, 0xfd]));
    await c.closed;
    await h.until(() => h.of('close').length === 1);
    expect(h.of('close')[0]?.reason).toBe('telnet close');
    expect(h.of('protocolError')).toEqual([]);
  });
});

describe('TcpClientListener: connection limits', () => {
  it('maxClientCnxns per IP: the N+1th is reset at once and logged; a freed slot is reusable', async () => {
    const h = new RecordingHandler();
    const { listener, port } = await start(h, { maxClientCnxns: 2 });
    const a = await client(port);
    await client(port);
    await h.until(() => h.of('connection').length === 2);
    const extra = await openRejected(port);
    expect(extra.received).toBe(0);
    expect(listener.stats().rejectedPerIp).toBe(1);
    expect(h.of('connection')).toHaveLength(2);
    expect(h.of('log').some((e) => e.level === 'warn' && e.message === 'Too many connections from 127.0.0.1 - max is 2')).toBe(true);

    a.socket.end();
    await h.until(() => h.of('close').length === 1);
    await client(port);
    await h.until(() => h.of('connection').length === 3);
    expect(listener.stats()).toMatchObject({ accepted: 3, rejectedPerIp: 1, open: 2, openIps: 1 });
  });

  it('maxClientCnxns 0 is unlimited; maxConnections caps the total', async () => {
    const h = new RecordingHandler();
    const { listener, port } = await start(h, { maxClientCnxns: 0, maxConnections: 3 });
    for (let i = 0; i < 3; i++) await client(port);
    await h.until(() => h.of('connection').length === 3);
    await openRejected(port);
    expect(listener.stats()).toMatchObject({ accepted: 3, rejectedOverall: 1, rejectedPerIp: 0, open: 3 });
  });

  it('1,000 connections opened and dropped leave nothing tracked', async () => {
    const h = new RecordingHandler();
    const { listener, port } = await start(h, { maxClientCnxns: 0 });
    const total = 1000;
    const batch = 100; // under the default listen backlog, so no SYN is retried
    for (let done = 0; done < total; done += batch) {
      const batchClients = await Promise.all(Array.from({ length: batch }, () => openClient(port)));
      for (const c of batchClients) c.socket.destroy();
      await Promise.all(batchClients.map((c) => c.closed));
    }
    await h.until(() => h.of('close').length === total);
    expect(h.of('connection')).toHaveLength(total);
    expect(listener.connectionCount).toBe(0);
    expect(listener.stats()).toMatchObject({ accepted: total, open: 0, openIps: 0 });
    expect(new Set(h.of('connection').map((e) => e.id)).size).toBe(total);
  }, 20_000);
});

describe('TcpClientListener: writing and closing', () => {
  it('close() flushes what send() queued before the connection ends', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    const h = new RecordingHandler({
      onFrames(conn) {
        conn.send(frame('one'));
        conn.send(frame(big)); // far beyond what the kernel takes at once
        expect(conn.bufferedBytes).toBeGreaterThan(0);
        conn.close('done');
        expect(conn.closed).toBe(true);
        conn.send(frame('after close is dropped'));
      },
    });
    const { port } = await start(h, { maxOutboundBytes: 64 * 1024 * 1024 });
    const c = await client(port);
    await write(c.socket, frame('go'));
    await c.closed;
    expect(c.bytes().equals(Buffer.concat([frame('one'), frame(big)]))).toBe(true);
    await h.until(() => h.of('close').length === 1);
    expect(h.of('close')[0]?.reason).toBe('done');
  });

  it('close() is idempotent: one onClose, the first reason wins', async () => {
    const h = new RecordingHandler({
      onFrames(conn) {
        conn.close('first');
        conn.close('second');
      },
    });
    const { port } = await start(h);
    const c = await client(port);
    await write(c.socket, frame('x'));
    await c.closed;
    await h.until(() => h.of('close').length === 1);
    expect(h.of('close')).toEqual([{ kind: 'close', id: 1, reason: 'first' }]);
  });

  it('a peer that never reads cannot hold a closing connection beyond closeLingerMs', async () => {
    const h = new RecordingHandler({
      onFrames(conn) {
        conn.send(frame(Buffer.alloc(32 * 1024 * 1024)));
        conn.close('bye');
      },
    });
    const { listener, port } = await start(h, { closeLingerMs: 50, maxOutboundBytes: 64 * 1024 * 1024 });
    const c = await client(port, { read: false });
    c.socket.pause();
    await write(c.socket, frame('x'));
    await h.until(() => h.of('close').length === 1);
    expect(listener.connectionCount).toBe(0);
    expect(c.bytes().length).toBe(0);
  });

  it('listener.close() closes every connection and the server socket', async () => {
    const h = new RecordingHandler();
    const { listener, port } = await start(h);
    const cs = await Promise.all(Array.from({ length: 5 }, () => client(port)));
    await h.until(() => h.of('connection').length === 5);
    let completed = false;
    listener.connections$.subscribe({ complete: () => (completed = true) });
    await listener.close();
    await Promise.all(cs.map((c) => c.closed));
    expect(h.of('close').map((e) => e.reason)).toEqual(Array(5).fill('server shutting down'));
    expect(listener.connectionCount).toBe(0);
    expect(completed).toBe(true);
    await expect(openClient(port)).rejects.toThrow(/ECONNREFUSED/);
    await expect(listener.close()).resolves.toBeUndefined(); // idempotent
    await expect(listener.listen(h)).rejects.toThrow(/already listening or closed/);
  });

  it('connections$ emits each accepted connection', async () => {
    const h = new RecordingHandler();
    const { listener, port } = await start(h);
    const seen: number[] = [];
    listener.connections$.subscribe((c) => seen.push(c.id));
    await client(port);
    await client(port);
    await h.until(() => h.of('connection').length === 2);
    expect(seen).toEqual([1, 2]);
    const conn = h.conns.get(1)!;
    expect(conn.remoteAddress).toBe('127.0.0.1');
    expect(conn.remotePort).toBeGreaterThan(0);
  });

  it('a handler that throws costs only its connection', async () => {
    const h = new RecordingHandler({
      onFrames(_conn, payloads) {
        if (new TextDecoder().decode(payloads[0]) === 'boom') throw new Error('bug');
      },
    });
    const { port } = await start(h);
    const bad = await client(port);
    const good = await client(port);
    await write(bad.socket, frame('boom'));
    await bad.closed;
    await write(good.socket, frame('fine'));
    await h.until(() => h.texts(2).length === 1);
    await h.until(() => h.of('close', 1).length === 1);
    expect(h.of('close', 1)[0]?.reason).toBe('handler error in onFrames: bug');
  });
});

describe('TcpClientListener: backpressure', () => {
  it('stops reading a client that does not read its replies beyond maxOutboundBytes, resumes on drain', async () => {
    const maxOutboundBytes = 64 * 1024;
    const reply = frame(Buffer.alloc(1024 * 1024, 1));
    const pumpTurnsMax = 256; // far above the few MiB of loopback socket buffers
    let turns = 0;
    const h = new RecordingHandler({
      onFrames(conn, payloads) {
        if (new TextDecoder().decode(payloads[0]) !== 'flood') return;
        // One reply per event-loop turn, until the transport says the client is not keeping up.
        const pump = () => {
          const tcp = conn as unknown as { backpressured: boolean };
          if (tcp.backpressured || conn.closed || ++turns > pumpTurnsMax) return;
          conn.send(reply);
          setImmediate(pump);
        };
        pump();
      },
    });
    const { listener, port } = await start(h, { maxOutboundBytes });
    const c = await client(port, { read: false });
    c.socket.pause(); // a client that never reads
    const paused = () => h.of('log').some((e) => e.message === 'client output over limit: reading paused');
    await write(c.socket, frame('flood'));
    await h.until(paused);
    expect(turns).toBeLessThanOrEqual(pumpTurnsMax);
    const conn = listener.connection(1)!;
    expect(conn.backpressured).toBe(true);
    expect(conn.readPaused).toBe(true);
    expect(conn.bufferedBytes).toBeGreaterThan(maxOutboundBytes);
    expect(listener.stats().backpressurePauses).toBe(1);

    // Sent while the server is not reading: delivered only after the client drains its replies.
    await write(c.socket, frame('later'));
    let drained = 0;
    c.socket.on('data', (d: Buffer) => (drained += d.length));
    c.socket.resume();
    await h.until(() => h.texts(1).includes('later'));
    const order = h.events
      .filter((e) => (e.kind === 'log' && /reading (paused|resumed)/.test(e.message)) || e.kind === 'frames')
      .map((e) => (e.kind === 'log' ? e.message : `frames ${h.texts(1).length}`));
    expect(order.slice(-2)[0]).toBe('client output drained: reading resumed');
    expect(h.texts(1)).toEqual(['flood', 'later']);
    expect(conn.backpressured).toBe(false);
    expect(drained).toBeGreaterThan(maxOutboundBytes);
  });

  it('pause()/resume() hold back input on request', async () => {
    const h = new RecordingHandler({ onConnection: (conn) => conn.pause() });
    const { listener, port } = await start(h);
    const c = await client(port);
    await h.until(() => h.of('connection').length === 1);
    await write(c.socket, frame('held'));
    const conn = listener.connection(1)!;
    expect(conn.readPaused).toBe(true);
    conn.resume();
    await h.until(() => h.texts(1).length === 1);
    expect(h.texts(1)).toEqual(['held']);
  });
});

describe('TcpClientListener: options', () => {
  it.each([
    [{ port: -1 }, /port/],
    [{ port: 70000 }, /port/],
    [{ port: 0, maxFrameBytes: -1 }, /maxFrameBytes/],
    [{ port: 0, maxClientCnxns: 1.5 }, /maxClientCnxns/],
    [{ port: 0, maxConnections: -1 }, /maxConnections/],
    [{ port: 0, maxOutboundBytes: 0 }, /maxOutboundBytes/],
    [{ port: 0, closeLingerMs: -1 }, /closeLingerMs/],
    [{ port: 0, host: '' }, /host/],
  ])('rejects %o naming the option', (options, name) => {
    expect(() => new TcpClientListener(options as TcpClientListenerOptions)).toThrow(name);
  });

  it('a port in use fails listen()', async () => {
    const { port } = await start(new RecordingHandler());
    const second = new TcpClientListener({ port });
    await expect(second.listen(new RecordingHandler())).rejects.toThrow(/EADDRINUSE/);
    await second.close();
  });
});
