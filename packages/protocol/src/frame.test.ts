import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameError, JUTE_MAXBUFFER_DEFAULT } from './frame.js';
import { JuteWriter } from './jute.js';

function framesOf(payloads: Uint8Array[]): Buffer {
  const w = new JuteWriter();
  for (const p of payloads) {
    w.beginFrame();
    for (const b of p) w.byte((b << 24) >> 24);
    w.endFrame();
  }
  return w.toBuffer();
}
const plain = (frames: Uint8Array[]) => frames.map((f) => Array.from(f));

describe('FrameDecoder', () => {
  it('uses ZooKeeper default jute.maxbuffer', () => {
    expect(JUTE_MAXBUFFER_DEFAULT).toBe(1048575);
    expect(new FrameDecoder().maxFrameBytes).toBe(JUTE_MAXBUFFER_DEFAULT);
  });

  it('yields the same frames however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (payloads, cuts) => {
          const stream = framesOf(payloads);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const d = new FrameDecoder(64);
          const out: Uint8Array[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            out.push(...d.push(stream.subarray(from, to)));
            from = to;
          }
          expect(plain(out)).toEqual(plain(payloads));
          expect(d.buffered).toBe(0);
        },
      ),
    );
  });

  it('returns frames wholly inside a chunk as views of it', () => {
    const stream = framesOf([Uint8Array.of(1, 2), Uint8Array.of(3)]);
    const [a, b] = new FrameDecoder(16).push(stream);
    expect(a!.buffer).toBe(stream.buffer);
    expect(b!.buffer).toBe(stream.buffer);
  });

  it('holds back a partial frame and counts it as buffered', () => {
    const d = new FrameDecoder(16);
    expect(d.push(Uint8Array.of(0, 0))).toEqual([]);
    expect(d.buffered).toBe(2);
    expect(d.push(Uint8Array.of(0, 3, 7))).toEqual([]);
    expect(d.buffered).toBe(1);
    expect(plain(d.push(Uint8Array.of(8, 9)))).toEqual([[7, 8, 9]]);
  });

  it('accepts a frame of exactly the limit and refuses one byte more, and stays failed', () => {
    expect(new FrameDecoder(3).push(Uint8Array.of(0, 0, 0, 3, 1, 2, 3))).toHaveLength(1);
    const d = new FrameDecoder(3);
    const error = (() => {
      try {
        d.push(Uint8Array.of(0, 0, 0, 4));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).length).toBe(4);
    expect(() => d.push(Uint8Array.of(0, 0, 0, 0))).toThrow(FrameError);
  });

  it('refuses a negative length, split across chunks too', () => {
    const d = new FrameDecoder(16);
    d.push(Uint8Array.of(0xff, 0xff));
    expect(() => d.push(Uint8Array.of(0xff, 0xfe))).toThrow(FrameError);
  });
});
