import { describe, expect, it } from 'vitest';
import { DecodeError, OpCode } from '@zkts/protocol';
import { decodeEntry, decodeForwarded, decodeTouches, encodeEntry, encodeForwarded, encodeTouches, PING_TOUCHES_MAX } from './payloads.js';

describe('ensemble payloads', () => {
  it('a forwarded request round-trips with its session, timeout, auth ids and bytes', () => {
    const req = { sessionId: -0x7ffe_0000_0000_0001n, payload: new Uint8Array([1, 2, 3]), authIds: [{ scheme: 'digest', id: 'u:x' }, { scheme: 'ip', id: '127.0.0.1' }], timeoutMs: 30_000 };
    const back = decodeForwarded(encodeForwarded(req));
    expect({ ...back, payload: [...back.payload] }).toEqual({ ...req, payload: [1, 2, 3] });
    const bare = decodeForwarded(encodeForwarded({ sessionId: 5n, payload: new Uint8Array(0), authIds: [] }));
    expect({ ...bare, payload: [...bare.payload] }).toEqual({ sessionId: 5n, payload: [], authIds: [], timeoutMs: undefined });
  });

  it('session touches round-trip; a bad version or count is a DecodeError', () => {
    const touches = [{ sessionId: 1n, timeoutMs: 4000 }, { sessionId: 0x0100_0000_0000_0002n, timeoutMs: 6000 }];
    expect(decodeTouches(encodeTouches(touches))).toEqual(touches);
    const bytes = encodeTouches(touches);
    bytes[0] = 9;
    expect(() => decodeTouches(bytes)).toThrow(DecodeError);
    expect(() => decodeTouches(new Uint8Array([1, 0x7f, 0xff, 0xff, 0xff]))).toThrow(DecodeError);
    expect(() => encodeTouches(Array.from({ length: PING_TOUCHES_MAX + 1 }, () => touches[0]!))).toThrow(RangeError);
  });

  it('a log entry round-trips; a flipped bit is caught by its checksum', () => {
    const entry = { hdr: { clientId: 7n, cxid: 3, zxid: 0x1_0000_0005, time: 1234, type: OpCode.create }, txn: { type: OpCode.create, path: '/a', data: new Uint8Array([9]), acl: [], ephemeral: false, parentCVersion: 1 } };
    const bytes = encodeEntry(entry as never);
    expect(decodeEntry(bytes).hdr).toEqual(entry.hdr);
    bytes[bytes.length - 3] ^= 1;
    expect(() => decodeEntry(bytes)).toThrow(DecodeError);
  });
});
