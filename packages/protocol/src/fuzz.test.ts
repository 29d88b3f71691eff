// Hostile input: random and truncated bytes into every decoder. DecodeError is the only
// acceptable failure, and a lying length field must never turn into a large allocation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpCode } from './constants.js';
import { decodeReply, decodeRequest, encodeRequest } from './dispatch.js';
import { FrameDecoder, FrameError } from './frame.js';
import { DecodeError, JuteReader, JuteWriter } from './jute.js';
import { decodeTxn, encodeTxn } from './txn.js';
import * as A from './test-support/arbitraries.js';
import { CASES } from './test-support/cases.js';

const RUNS = 300;
const randomBytes = fc.uint8Array({ maxLength: 96 });

/** Runs `decode` and fails the test on any throw other than DecodeError. */
function onlyDecodeErrors(decode: () => unknown): void {
  try {
    decode();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

function encoded(write: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter();
  write(w);
  return w.toBuffer();
}

describe('decoders on random bytes', () => {
  for (const [name, codec] of CASES) {
    it(name, () => {
      fc.assert(fc.property(randomBytes, (b) => onlyDecodeErrors(() => codec.decode(new JuteReader(b)))), { numRuns: RUNS });
    });
  }
  it('decodeRequest, decodeReply and decodeTxn', () => {
    const ops = fc.constantFrom(...Object.values(OpCode));
    fc.assert(
      fc.property(randomBytes, ops, (b, op) => {
        onlyDecodeErrors(() => decodeRequest(b));
        onlyDecodeErrors(() => decodeReply(b, () => op));
        onlyDecodeErrors(() => decodeTxn(op, new JuteReader(b)));
      }),
      { numRuns: 2000 },
    );
  });
  it('decodeRequest on a valid header followed by random bytes, for every opcode', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(OpCode)), A.int32, randomBytes, (type, xid, tail) => {
        const head = encoded((w) => {
          w.int(xid);
          w.int(type);
        });
        onlyDecodeErrors(() => decodeRequest(Buffer.concat([head, tail])));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decoders on truncated valid encodings', () => {
  for (const [name, codec, arb] of CASES) {
    it(name, () => {
      fc.assert(
        fc.property(arb, fc.nat(), (value, cutSeed) => {
          const full = encoded((w) => codec.encode(w, value));
          const cut = full.subarray(0, full.length === 0 ? 0 : cutSeed % full.length);
          onlyDecodeErrors(() => codec.decode(new JuteReader(cut)));
        }),
        { numRuns: RUNS },
      );
    });
  }
  it('typed txns', () => {
    fc.assert(
      fc.property(A.txn, fc.nat(), (txn, cutSeed) => {
        const full = encoded((w) => encodeTxn(w, txn));
        onlyDecodeErrors(() => decodeTxn(txn.type, new JuteReader(full.subarray(0, cutSeed % (full.length + 1)))));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('lying lengths', () => {
  it('a string, buffer or vector longer than the input is a DecodeError, not an allocation', () => {
    const huge = encoded((w) => w.int(0x7fffffff));
    const r = () => new JuteReader(huge);
    expect(() => r().string()).toThrow(DecodeError);
    expect(() => r().buffer()).toThrow(DecodeError);
    expect(() => r().vector((x) => x.int())).toThrow(DecodeError);
  });
  it('negative lengths other than -1 are refused; -1 is null', () => {
    expect(() => new JuteReader(encoded((w) => w.int(-2))).string()).toThrow(DecodeError);
    expect(new JuteReader(encoded((w) => w.int(-1))).string()).toBeNull();
    expect(new JuteReader(encoded((w) => w.int(-1))).vector((x) => x.int())).toBeNull();
  });
  it('a multi request that never ends is a DecodeError', () => {
    const frame = encoded((w) => encodeRequest(w, { xid: 1, type: OpCode.multi }, { ops: [] }));
    // Drop the frame length and the end header (9 bytes): the op list now runs off the end.
    expect(() => decodeRequest(frame.subarray(4, frame.length - 9))).toThrow(DecodeError);
  });
});

describe('FrameDecoder on random streams', () => {
  it('throws only FrameError, and only for lengths outside the limit', () => {
    const limit = 64;
    fc.assert(
      fc.property(fc.array(randomBytes, { maxLength: 6 }), (chunks) => {
        const d = new FrameDecoder(limit);
        try {
          for (const c of chunks) for (const f of d.push(c)) expect(f.length).toBeLessThanOrEqual(limit);
        } catch (e) {
          expect(e).toBeInstanceOf(FrameError);
          const length = (e as FrameError).length;
          expect(length < 0 || length > limit).toBe(true);
        }
        expect(d.buffered).toBeLessThan(4 + limit);
      }),
      { numRuns: 1000 },
    );
  });
});
