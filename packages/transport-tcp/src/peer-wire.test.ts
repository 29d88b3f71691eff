import { describe, expect, it } from 'vitest';
import {
  HELLO_BYTES,
  HandshakeStatus,
  PEER_MAGIC,
  PEER_PROTOCOL_VERSION,
  PeerFrameDecoder,
  PeerFrameError,
  decodeHello,
  decodeReply,
  encodeHello,
  encodeReply,
} from './peer-wire.js';
import { resolveTcpPeerTransportOptions, PEER_MAX_FRAME_BYTES_DEFAULT } from './peer-options.js';

function frame(payload: number[] | Uint8Array): Uint8Array {
  const p = Uint8Array.from(payload);
  const out = new Uint8Array(4 + p.length);
  new DataView(out.buffer).setUint32(0, p.length);
  out.set(p, 4);
  return out;
}

describe('peer handshake records', () => {
  it('hello is a 24-byte frame: magic "zkpt", version, flags, sender and target as u64', () => {
    const bytes = encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 2 ** 40 + 5, target: 3 });
    expect(bytes.length).toBe(4 + HELLO_BYTES);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0)).toBe(HELLO_BYTES);
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe('zkpt');
    expect(view.getUint32(4)).toBe(PEER_MAGIC);
    expect(view.getUint16(8)).toBe(PEER_PROTOCOL_VERSION);
    expect(view.getUint32(12)).toBe(2 ** 8);
    expect(view.getUint32(16)).toBe(5);
    expect(decodeHello(bytes.subarray(4))).toEqual({ version: PEER_PROTOCOL_VERSION, sender: 2 ** 40 + 5, target: 3 });
  });

  it('reply round-trips, including the largest safe id', () => {
    const reply = { version: PEER_PROTOCOL_VERSION, status: HandshakeStatus.DialBack, acceptor: Number.MAX_SAFE_INTEGER };
    expect(decodeReply(encodeReply(reply).subarray(4))).toEqual(reply);
  });

  it('recognises another version by its first six bytes, whatever follows', () => {
    const other = new Uint8Array(8);
    new DataView(other.buffer).setUint32(0, PEER_MAGIC);
    new DataView(other.buffer).setUint16(4, 9);
    expect(decodeHello(other)).toEqual({ version: 9, sender: -1, target: -1 });
    expect(decodeReply(other)).toMatchObject({ version: 9, status: HandshakeStatus.VersionMismatch });
  });

  it('reports bad magic and truncation instead of throwing', () => {
    expect(decodeHello(new Uint8Array(24))).toBe('bad magic');
    expect(decodeHello(new Uint8Array(3))).toBe('truncated');
    expect(decodeHello(encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 1, target: 2 }).subarray(4, 20))).toBe('truncated');
    expect(decodeReply(new Uint8Array(16))).toBe('bad magic');
  });
});

describe('PeerFrameDecoder', () => {
  function all(d: PeerFrameDecoder, chunk: Uint8Array): number[][] {
    d.push(chunk);
    const out: number[][] = [];
    for (let f = d.next(); f !== null; f = d.next()) out.push([...f]);
    return out;
  }

  it('cuts frames however the bytes are split, including empty frames', () => {
    const stream = new Uint8Array([...frame([1, 2, 3]), ...frame([]), ...frame([9])]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new PeerFrameDecoder(100);
      const got = [...all(d, stream.subarray(0, cut)), ...all(d, stream.subarray(cut))];
      expect(got).toEqual([[1, 2, 3], [], [9]]);
    }
    const d = new PeerFrameDecoder(100);
    const got: number[][] = [];
    for (const b of stream) got.push(...all(d, Uint8Array.of(b)));
    expect(got).toEqual([[1, 2, 3], [], [9]]);
  });

  it('returns copies, not views into the chunk', () => {
    const chunk = new Uint8Array([...frame([1, 2]), ...frame([3])]);
    const d = new PeerFrameDecoder(10);
    d.push(chunk);
    const first = d.next()!;
    chunk.fill(0);
    expect([...first]).toEqual([1, 2]);
    expect(first.buffer).not.toBe(chunk.buffer);
  });

  it('applies the limit in force when each frame starts (the handshake limit, then the message limit)', () => {
    const chunk = new Uint8Array([...frame([1]), ...frame(new Uint8Array(50))]);
    const d = new PeerFrameDecoder(8);
    d.push(chunk);
    expect([...d.next()!]).toEqual([1]);
    d.maxFrameBytes = 64;
    expect(d.next()!.length).toBe(50);
    expect(d.next()).toBeNull();
  });

  it('throws PeerFrameError for oversize and negative lengths', () => {
    const d = new PeerFrameDecoder(8);
    d.push(frame(new Uint8Array(9)));
    expect(() => d.next()).toThrow(PeerFrameError);
    const n = new PeerFrameDecoder(8);
    n.push(Uint8Array.of(0xff, 0xff, 0xff, 0xfe));
    expect(() => n.next()).toThrow(/length -2 is outside 0..8/);
  });
});

describe('TcpPeerTransport options', () => {
  const base = { self: 1, peers: new Map([[2, { host: '127.0.0.1', port: 2888 }]]), listen: { port: 0 } };

  it('fills defaults and ignores an entry for self', () => {
    const r = resolveTcpPeerTransportOptions({ ...base, peers: new Map([...base.peers, [1, { host: 'h', port: 1 }]]) });
    expect(r.maxFrameBytes).toBe(PEER_MAX_FRAME_BYTES_DEFAULT);
    expect(r.listenHost).toBe('127.0.0.1');
    expect([...r.peers.keys()]).toEqual([2]);
  });

  it('names the option that is wrong', () => {
    expect(() => resolveTcpPeerTransportOptions({ ...base, self: -1 })).toThrow(/option self: -1/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, listen: { port: 70000 } })).toThrow(/listen.port: 70000/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, peers: new Map([[2, { host: '', port: 1 }]]) })).toThrow(/peers\[2\].host/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, peers: new Map([[2, { host: 'h', port: 0 }]]) })).toThrow(/peers\[2\].port: 0/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, reconnectBackoffMs: { initial: 100, max: 50 } })).toThrow(/reconnectBackoffMs.max: 50/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, maxFrameBytes: 2 ** 31 })).toThrow(/maxFrameBytes/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, maxFrameBytes: 1000, maxQueuedBytes: 999 })).toThrow(/maxQueuedBytes: 999/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, maxQueuedMessages: 0 })).toThrow(/maxQueuedMessages: 0/);
    expect(() => resolveTcpPeerTransportOptions({ ...base, handshakeTimeoutMs: 0 })).toThrow(/handshakeTimeoutMs: 0/);
  });
});
