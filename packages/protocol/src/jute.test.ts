import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, JuteReader, JuteWriter } from './jute.js';

const hex = (w: JuteWriter) => w.toBuffer().toString('hex');

describe('JuteWriter', () => {
  it('writes big-endian ints, longs and 1-byte booleans', () => {
    const w = new JuteWriter();
    w.int(-2);
    w.long(-1);
    w.long(0x1_0000_0002);
    w.long(-(2n ** 63n));
    w.bool(true);
    w.bool(false);
    w.byte(-1);
    expect(hex(w)).toBe('fffffffe' + 'ffffffffffffffff' + '0000000100000002' + '8000000000000000' + '01' + '00' + 'ff');
  });
  it('writes null strings, buffers and vectors as length -1, and strings as UTF-8', () => {
    const w = new JuteWriter();
    w.string(null);
    w.buffer(null);
    w.vector(null, (x, v: number) => x.int(v));
    w.string('é€');
    expect(hex(w)).toBe('ffffffff'.repeat(3) + '00000005' + 'c3a9e282ac');
  });
  it('refuses longs that are not safe integers and ints out of range', () => {
    const w = new JuteWriter();
    expect(() => w.long(2 ** 53)).toThrow(RangeError);
    expect(() => w.long(1.5)).toThrow(RangeError);
    expect(() => w.int(2 ** 31)).toThrow(RangeError);
  });
  it('grows from a tiny buffer without losing bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 20 }), (parts) => {
        const w = new JuteWriter(1);
        for (const p of parts) w.string(p);
        const r = new JuteReader(w.toBuffer());
        expect(parts.map(() => r.string())).toEqual(parts);
        expect(r.remaining).toBe(0);
      }),
    );
  });
  it('frames: many frames back to back, each with its own length', () => {
    const w = new JuteWriter();
    w.beginFrame();
    w.int(7);
    w.endFrame();
    w.beginFrame();
    w.endFrame();
    w.beginFrame();
    w.string('ab');
    w.endFrame();
    expect(hex(w)).toBe('00000004' + '00000007' + '00000000' + '00000006' + '00000002' + '6162');
  });
  it('refuses toBuffer inside an open frame and endFrame without beginFrame', () => {
    const w = new JuteWriter();
    expect(() => w.endFrame()).toThrow();
    w.beginFrame();
    expect(() => w.toBuffer()).toThrow();
  });
  it('reset after toBuffer never overwrites the bytes handed out', () => {
    const w = new JuteWriter();
    w.int(1);
    const first = w.toBuffer();
    w.reset();
    w.int(2);
    expect(first.toString('hex')).toBe('00000001');
    expect(hex(w)).toBe('00000002');
  });
});

describe('JuteReader', () => {
  it('reads longs exactly within 2^53 and refuses beyond, but longBig reads all 64 bits', () => {
    const w = new JuteWriter();
    w.long(Number.MAX_SAFE_INTEGER);
    w.long(Number.MIN_SAFE_INTEGER);
    w.long(2n ** 53n);
    const r = new JuteReader(w.toBuffer());
    expect(r.long()).toBe(Number.MAX_SAFE_INTEGER);
    expect(r.long()).toBe(Number.MIN_SAFE_INTEGER);
    expect(() => r.long()).toThrow(DecodeError);
    expect(r.longBig()).toBe(2n ** 53n);
  });
  it('round-trips any 64-bit long as bigint and any safe integer as number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.maxSafeInteger(), (big, small) => {
        const w = new JuteWriter();
        w.long(big);
        w.long(small);
        const r = new JuteReader(w.toBuffer());
        expect(r.longBig()).toBe(big);
        expect(r.long()).toBe(small);
      }),
    );
  });
  it('returns buffers as views of the input, not copies', () => {
    const input = Buffer.from('00000003616263', 'hex');
    const view = new JuteReader(input).buffer()!;
    input[4] = 0x7a;
    expect(Buffer.from(view).toString()).toBe('zbc');
  });
  it('honours offset and end', () => {
    const input = Buffer.from('ffffffff00000001ffffffff', 'hex');
    const r = new JuteReader(input, 4, 8);
    expect(r.int()).toBe(1);
    expect(r.remaining).toBe(0);
    expect(() => r.bool()).toThrow(DecodeError);
    expect(() => new JuteReader(input, 8, 4)).toThrow(DecodeError);
  });
  it('reads a non-zero boolean byte as true', () => {
    expect(new JuteReader(Uint8Array.of(2)).bool()).toBe(true);
  });
  it('accepts a plain Uint8Array at an offset of its ArrayBuffer', () => {
    const backing = new Uint8Array([9, 9, 0, 0, 0, 5]);
    expect(new JuteReader(backing.subarray(2)).int()).toBe(5);
  });
});
