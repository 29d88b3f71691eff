import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, ZAB_MESSAGE_BYTES_MAX, ZAB_WIRE_VERSION, decodeZabMessage, encodeZabMessage, makeZxid, type ZabMessage } from './index.js';

const b = (...xs: number[]) => new Uint8Array(xs);
const z = makeZxid(3, 7);

const samples: ZabMessage[] = [
  { type: 'followerInfo', attempt: 1, acceptedEpoch: 2, lastZxid: z },
  { type: 'observerInfo', attempt: 9, acceptedEpoch: 0, lastZxid: 0 },
  { type: 'leaderInfo', attempt: 4, epoch: 5 },
  { type: 'ackEpoch', currentEpoch: 2, lastZxid: z, epochAlreadyAccepted: true, truncFloorZxid: makeZxid(1, 1) },
  { type: 'diff', zxid: z },
  { type: 'trunc', zxid: z },
  { type: 'snap', zxid: z, data: b(1, 2, 3) },
  { type: 'proposal', zxid: z, prevZxid: z - 1, data: b(4, 5) },
  { type: 'commit', zxid: z },
  { type: 'inform', zxid: z, prevZxid: z - 1, data: b() },
  { type: 'newLeader', epoch: 4, lastZxid: z },
  { type: 'ack', zxid: makeZxid(4, 0) },
  { type: 'upToDate' },
  { type: 'ping', lastZxid: z, committedZxid: z - 2 },
  { type: 'ping', lastZxid: 0, committedZxid: 0, payload: b(9, 9) },
  { type: 'request', data: b(7) },
  { type: 'sync', id: 2 ** 40 },
  { type: 'syncDone', id: 0 },
  { type: 'notLeader', attempt: 3 },
];

const uint53 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const epoch = fc.integer({ min: 0, max: 2 ** 21 - 1 });
const data = fc.uint8Array({ maxLength: 64 });
const arbMessage: fc.Arbitrary<ZabMessage> = fc.oneof(
  fc.record({ type: fc.constant('followerInfo' as const), attempt: uint53, acceptedEpoch: epoch, lastZxid: uint53 }),
  fc.record({ type: fc.constant('ackEpoch' as const), currentEpoch: epoch, lastZxid: uint53, epochAlreadyAccepted: fc.boolean(), truncFloorZxid: uint53 }),
  fc.record({ type: fc.constant('proposal' as const), zxid: uint53, prevZxid: uint53, data }),
  fc.record({ type: fc.constant('snap' as const), zxid: uint53, data }),
  fc.record({ type: fc.constant('newLeader' as const), epoch, lastZxid: uint53 }),
  fc.record({ type: fc.constant('ping' as const), lastZxid: uint53, committedZxid: uint53, payload: data }),
  fc.record({ type: fc.constant('request' as const), data }),
  fc.record({ type: fc.constant('syncDone' as const), id: uint53 }),
);

describe('zab message codec', () => {
  it.each(samples.map((m) => [m.type, m] as const))('round-trips %s', (_type, msg) => {
    const bytes = encodeZabMessage(msg);
    expect(bytes[0]).toBe(ZAB_WIRE_VERSION);
    expect(decodeZabMessage(bytes)).toEqual(msg);
  });

  it('round-trips arbitrary messages', () => {
    fc.assert(fc.property(arbMessage, (msg) => {
      expect(decodeZabMessage(encodeZabMessage(msg))).toEqual(msg);
    }), { numRuns: 500 });
  });

  it('rejects every truncation of a valid message with DecodeError', () => {
    for (const msg of samples) {
      const bytes = encodeZabMessage(msg);
      for (let n = 0; n < bytes.length; n++) expect(() => decodeZabMessage(bytes.subarray(0, n)), `${msg.type} cut at ${n}`).toThrow(DecodeError);
    }
  });

  it('rejects trailing bytes, unknown versions and types, bad booleans and out-of-range numbers', () => {
    const ack = encodeZabMessage({ type: 'ack', zxid: 1 });
    expect(() => decodeZabMessage(new Uint8Array([...ack, 0]))).toThrow(/trailing/);
    expect(() => decodeZabMessage(new Uint8Array([2, ...ack.subarray(1)]))).toThrow(/unsupported version 2/);
    expect(() => decodeZabMessage(b(ZAB_WIRE_VERSION, 99))).toThrow(/unknown message type 99/);
    const ackEpoch = encodeZabMessage(samples[3]!);
    const badBool = new Uint8Array(ackEpoch);
    badBool[2 + 16] = 2;
    expect(() => decodeZabMessage(badBool)).toThrow(/epochAlreadyAccepted is not a boolean/);
    const bigHigh = new Uint8Array(ack);
    bigHigh.set([0xff, 0xff, 0xff, 0xff], 2);
    expect(() => decodeZabMessage(bigHigh)).toThrow(/zxid out of range/);
    const longData = encodeZabMessage({ type: 'request', data: b(1, 2) });
    longData.set([0, 0, 0, 9], 2);
    expect(() => decodeZabMessage(longData)).toThrow(/runs past the end/);
  });

  it('enforces the size limit on decode and refuses a SNAP without state on encode', () => {
    const msg = encodeZabMessage({ type: 'request', data: new Uint8Array(100) });
    expect(() => decodeZabMessage(msg, { bytesMax: 50 })).toThrow(/exceed the limit of 50/);
    expect(decodeZabMessage(msg, { bytesMax: msg.length })).toMatchObject({ type: 'request' });
    expect(ZAB_MESSAGE_BYTES_MAX).toBeGreaterThan(1024 * 1024);
    expect(() => encodeZabMessage({ type: 'snap', zxid: 1 })).toThrow(/must attach the serialized state/);
    expect(() => encodeZabMessage({ type: 'ack', zxid: -1 })).toThrow(RangeError);
  });

  it('decodes random bytes to a message or a DecodeError, never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (bytes, validHeader) => {
      if (validHeader && bytes.length >= 2) {
        bytes[0] = ZAB_WIRE_VERSION;
        bytes[1] = 1 + (bytes[1]! % 17);
      }
      try {
        const msg = decodeZabMessage(bytes);
        expect(decodeZabMessage(encodeZabMessage(msg))).toEqual(msg);
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
      }
    }), { numRuns: 3000 });
  });

  it('returns byte fields as views into the input, not copies', () => {
    const bytes = encodeZabMessage({ type: 'proposal', zxid: 2, prevZxid: 1, data: b(1, 2, 3) });
    const msg = decodeZabMessage(bytes) as { data: Uint8Array };
    expect(msg.data.buffer).toBe(bytes.buffer);
  });
});
