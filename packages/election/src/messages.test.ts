import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ELECTION_MESSAGE_BYTES_MAX, ELECTION_WIRE_VERSION, ElectionDecodeError, decodeElectionMessage, encodeElectionMessage, type ElectionMessage,
} from './messages.js';
import { PEER_STATES } from './vote.js';

const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const voteField = fc.oneof(fc.constant(-1), safe, fc.constant(2 ** 32 - 1), fc.constant(2 ** 32));
const vote = fc.record({ leader: voteField, zxid: voteField, peerEpoch: voteField });
const state = fc.constantFrom(...PEER_STATES);
const message: fc.Arbitrary<ElectionMessage> = fc.oneof(
  fc.record({ type: fc.constant('notification' as const), state, electionEpoch: safe, vote }),
  fc.record({ type: fc.constant('query' as const), round: safe }),
  fc.record({ type: fc.constant('answer' as const), round: safe, state, electionEpoch: safe, vote }),
);

function decodeError(bytes: Uint8Array): string {
  try {
    decodeElectionMessage(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ElectionDecodeError);
    return (e as Error).message;
  }
  throw new Error('decoded');
}

describe('election message codec', () => {
  it('round-trips every message', () => {
    fc.assert(fc.property(message, (msg) => {
      const bytes = encodeElectionMessage(msg);
      expect(bytes.length).toBeLessThanOrEqual(ELECTION_MESSAGE_BYTES_MAX);
      expect(bytes[0]).toBe(ELECTION_WIRE_VERSION);
      expect(decodeElectionMessage(bytes)).toEqual(msg);
    }), { numRuns: 500 });
  });

  it('decodes from a view into a larger buffer', () => {
    const bytes = encodeElectionMessage({ type: 'query', round: 7 });
    const big = new Uint8Array(bytes.length + 6);
    big.set(bytes, 3);
    expect(decodeElectionMessage(big.subarray(3, 3 + bytes.length))).toEqual({ type: 'query', round: 7 });
  });

  it('lays a notification out as version, type, state, electionEpoch, leader, zxid, peerEpoch', () => {
    const bytes = encodeElectionMessage({ type: 'notification', state: 'leading', electionEpoch: 3, vote: { leader: 2, zxid: 2 ** 32 + 5, peerEpoch: 1 } });
    expect(Array.from(bytes)).toEqual([
      1, 1, 2,
      0, 0, 0, 0, 0, 0, 0, 3,
      0, 0, 0, 0, 0, 0, 0, 2,
      0, 0, 0, 1, 0, 0, 0, 5,
      0, 0, 0, 0, 0, 0, 0, 1,
    ]);
  });

  it('turns any bytes into a message or an ElectionDecodeError, never another error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        const msg = decodeElectionMessage(bytes);
        expect(encodeElectionMessage(msg)).toEqual(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ElectionDecodeError);
      }
    }), { numRuns: 2000 });
  });

  it('rejects mutated valid messages cleanly', () => {
    fc.assert(fc.property(message, fc.nat(), fc.integer({ min: 0, max: 255 }), (msg, where, value) => {
      const bytes = encodeElectionMessage(msg);
      bytes[where % bytes.length] = value;
      try {
        decodeElectionMessage(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ElectionDecodeError);
      }
    }), { numRuns: 1000 });
  });

  it('names what is wrong', () => {
    const good = encodeElectionMessage({ type: 'answer', round: 1, state: 'looking', electionEpoch: 1, vote: { leader: 1, zxid: 0, peerEpoch: 0 } });
    expect(decodeError(good.subarray(0, 20))).toMatch(/truncated/);
    expect(decodeError(new Uint8Array([...good, 0]))).toMatch(/1 trailing bytes/);
    expect(decodeError(new Uint8Array([9, ...good.subarray(1)]))).toMatch(/unsupported version 9/);
    expect(decodeError(new Uint8Array([1, 77]))).toMatch(/unknown type code 77/);
    const badState = Uint8Array.from(good);
    badState[10] = 9;
    expect(decodeError(badState)).toMatch(/unknown state code 9/);
    expect(decodeError(new Uint8Array(ELECTION_MESSAGE_BYTES_MAX + 1))).toMatch(/exceeds ELECTION_MESSAGE_BYTES_MAX/);
    expect(decodeError(new Uint8Array([1, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]))).toMatch(/round = -2 below 0/);
    expect(decodeError(new Uint8Array([1, 2, 0x7f, 0, 0, 0, 0, 0, 0, 0]))).toMatch(/round out of range/);
    expect(decodeError(new Uint8Array([]))).toMatch(/truncated at version/);
  });

  it('refuses to encode fields that do not fit', () => {
    expect(() => encodeElectionMessage({ type: 'query', round: -2 })).toThrow(/round/);
    expect(() => encodeElectionMessage({ type: 'query', round: 2 ** 60 })).toThrow(/round/);
    expect(() => encodeElectionMessage({ type: 'notification', state: 'dozing' as never, electionEpoch: 1, vote: { leader: 1, zxid: 0, peerEpoch: 0 } })).toThrow(/state/);
    expect(() => encodeElectionMessage({ type: 'notification', state: 'looking', electionEpoch: 1, vote: { leader: 1.5, zxid: 0, peerEpoch: 0 } })).toThrow(/vote.leader/);
  });
});
