// TcpClientConnection over a scripted socket: exact chunk boundaries, which real sockets cannot
// promise, so every split of the first bytes, a word's argument and frames can be pinned down.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TcpClientConnection } from './connection.js';
import { resolveTcpClientListenerOptions } from './options.js';
import { RecordingHandler, frame, frames } from './test-support/harness.js';

/** The slice of net.Socket the connection uses; writes are kept, never flushed. */
class ScriptedSocket extends EventEmitter {
  remoteAddress = '10.0.0.1';
  remotePort = 4242;
  written: Uint8Array[] = [];
  paused = false;
  ended = false;
  setNoDelay() { return this; }
  setKeepAlive() { return this; }
  cork() {}
  uncork() {}
  get writableLength() { return 0; }
  write(bytes: Uint8Array) { this.written.push(bytes); return true; }
  end() { this.ended = true; return this; }
  destroyed = false;
  destroy() { this.destroyed = true; this.emit('close'); return this; }
  pause() { this.paused = true; return this; }
  resume() { this.paused = false; return this; }
  isPaused() { return this.paused; }
  /** Delivers the stream cut at `cuts` (ascending offsets), one 'data' per piece. */
  feed(bytes: Uint8Array, cuts: number[] = []) {
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut > at) this.emit('data', Buffer.from(bytes.subarray(at, cut)));
      at = Math.max(at, cut);
    }
  }
}

function setup(maxFrameBytes = 1 << 20) {
  const socket = new ScriptedSocket();
  const handler = new RecordingHandler();
  const options = resolveTcpClientListenerOptions({ port: 0, maxFrameBytes, logger: handler.logger });
  const conn = new TcpClientConnection(7, socket as unknown as Socket, handler, options,
    { protocolErrors: 0, backpressurePauses: 0 }, () => {});
  return { socket, handler, conn };
}

describe('TcpClientConnection on exact chunk boundaries', () => {
  it('every cut of a frame stream yields the same payloads in order, one call per chunk', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payloads, rawCuts) => {
          const { socket, handler } = setup();
          const bytes = frames(...payloads);
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          socket.feed(bytes, cuts);
          const got = handler.of('frames').flatMap((e) => e.payloads.map((p) => Buffer.from(p).toString('hex')));
          expect(got).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
          expect(handler.of('frames').length).toBeLessThanOrEqual(cuts.length + 1);
          expect(handler.of('word')).toEqual([]);
        },
      ),
    );
  });

  it('a word split over the first chunks is still a word; what follows is dropped', () => {
    for (const cuts of [[1], [2], [3], [1, 2, 3]]) {
      const { socket, handler } = setup();
      socket.feed(Buffer.from('mntr\n'), cuts);
      expect(handler.of('word')).toEqual([{ kind: 'word', id: 7, word: 'mntr', argument: undefined }]);
      expect(handler.of('frames')).toEqual([]);
      expect(socket.paused).toBe(false); // keeps reading so nothing is left unread
    }
  });

  it('stmk waits for its 8-byte trace mask, however it is cut', () => {
    const mask = Buffer.from([0, 0, 0, 0, 0, 0, 0x01, 0x72]);
    for (const cuts of [[], [4], [2, 6], [5, 9, 11]]) {
      const { socket, handler } = setup();
      socket.feed(Buffer.concat([Buffer.from('stmk'), mask]), cuts);
      const [word] = handler.of('word');
      expect(word?.word).toBe('stmk');
      expect(Buffer.from(word!.argument!).equals(mask)).toBe(true);
    }
  });

  it('stmk cut short by the peer is no word; the connection closes (ZooKeeper: read error)', () => {
    const { socket, handler, conn } = setup();
    socket.feed(Buffer.from('stmk1234'));
    socket.emit('end');
    expect(handler.of('word')).toEqual([]);
    expect(conn.closed).toBe(true);
  });

  it('a complete word survives the peer half-closing: the handler decides when to close', () => {
    const { socket, handler, conn } = setup();
    socket.feed(Buffer.from('ruok'));
    socket.emit('end');
    expect(handler.of('word')).toHaveLength(1);
    expect(conn.closed).toBe(false);
    expect(socket.ended).toBe(false);
  });

  it('frames that complete in one chunk arrive together, the partial one with the next chunk', () => {
    const { socket, handler } = setup();
    const bytes = frames('a', 'b', 'partial');
    socket.feed(bytes, [frame('a').length + frame('b').length + 5]);
    expect(handler.of('frames').map((e) => e.payloads.map((p) => Buffer.from(p).toString()))).toEqual([['a', 'b'], ['partial']]);
  });

  it('a bad length after good frames in a later chunk keeps the earlier ones, then closes', () => {
    const { socket, handler, conn } = setup(100);
    socket.feed(Buffer.concat([frame('ok'), Buffer.from([0, 0, 0, 101])]), [frame('ok').length]);
    expect(handler.texts(7)).toEqual(['ok']);
    expect(handler.of('protocolError')).toHaveLength(1);
    expect(conn.closed).toBe(true);
    expect(socket.ended).toBe(true);
    socket.feed(frame('ignored'));
    expect(handler.texts(7)).toEqual(['ok']);
  });

  it('the peer ending a frame connection closes it, reporting the reason once', () => {
    const { socket, handler, conn } = setup();
    socket.feed(frame('x'));
    socket.emit('end');
    expect(conn.closed).toBe(true);
    socket.emit('close');
    expect(handler.of('close')).toEqual([{ kind: 'close', id: 7, reason: 'client closed the connection' }]);
  });
});
