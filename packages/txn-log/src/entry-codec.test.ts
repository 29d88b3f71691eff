import { describe, expect, it } from 'vitest';
import { OpCode } from '@zkts/protocol';
import { ENTRY_PREFIX_BYTES, checkEntryAt, encodeEntries, readEntryAt, validEntryAfter } from './entry-codec.js';
import { crc32, crc32Of4 } from './checksum.js';
import fc from 'fast-check';
import type { LogEntry } from './spi.js';

const entry = (zxid: number, digest = false): LogEntry => ({
  hdr: { clientId: 5n, cxid: zxid, zxid, time: 1000 + zxid, type: OpCode.setData },
  txn: { type: OpCode.setData, path: `/n${zxid}`, data: new Uint8Array([1, 2, 3]), version: zxid },
  ...(digest ? { digest: { version: 2, treeDigest: 77n } } : {}),
});

function readAll(buf: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 0; ; ) {
    const r = readEntryAt(buf, o);
    if (r.kind !== 'entry') return out;
    out.push(r.entry.hdr.zxid);
    o = r.next;
  }
}

describe('entry codec', () => {
  it('frames entries with length and checksum and reads them back', () => {
    const buf = encodeEntries([entry(1), entry(2, true), entry(3)]);
    expect(readAll(buf)).toEqual([1, 2, 3]);
    const first = readEntryAt(buf, 0);
    expect(first.kind === 'entry' && buf.readUInt32BE(0)).toBe(first.kind === 'entry' ? first.next - ENTRY_PREFIX_BYTES : -1);
    const second = readEntryAt(buf, first.kind === 'entry' ? first.next : 0);
    expect(second.kind === 'entry' && second.entry.digest).toEqual({ version: 2, treeDigest: 77n });
  });

  it('zero bytes read as the end of the entries', () => {
    const buf = Buffer.concat([encodeEntries([entry(1)]), Buffer.alloc(64)]);
    expect(readAll(buf)).toEqual([1]);
  });

  it('every single flipped bit in an entry is caught by the checksum or the length check', () => {
    const one = encodeEntries([entry(9)]);
    for (let byte = 0; byte < one.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = Buffer.from(one);
        b[byte] = b[byte]! ^ (1 << bit);
        expect(readEntryAt(b, 0).kind).not.toBe('entry');
      }
    }
  });

  it('tells a torn tail from damage in the middle', () => {
    const buf = encodeEntries([entry(1), entry(2), entry(3)]);
    const second = (readEntryAt(buf, 0) as { next: number }).next;
    const mid = Buffer.from(buf);
    mid[second + 10] = mid[second + 10]! ^ 1;
    expect(readEntryAt(mid, second).kind).toBe('bad');
    expect(validEntryAfter(mid, second)).toBe(true);
    const torn = buf.subarray(0, buf.length - 5);
    const third = (readEntryAt(torn, second) as { next: number }).next;
    expect(readEntryAt(torn, third).kind).toBe('bad');
    expect(validEntryAfter(torn, third)).toBe(false);
  });

  it('checkEntryAt finds the same entries, zxids and ends as readEntryAt without decoding', () => {
    const big = 0x7_0000_0001; // epoch 7: a zxid above 2^32
    const at = (zxid: number, digest = false): LogEntry => {
      const e = entry(zxid & 0xffff, digest);
      return { ...e, hdr: { ...e.hdr, zxid } };
    };
    const buf = Buffer.concat([encodeEntries([at(1), at(big, true), at(big + 1)]), Buffer.alloc(32)]);
    const seen: number[] = [];
    for (let o = 0; ; ) {
      const c = checkEntryAt(buf, o);
      const r = readEntryAt(buf, o);
      if (c.kind !== 'entry') {
        expect(c.kind).toBe('end');
        expect(r.kind).toBe('end');
        break;
      }
      expect(r.kind === 'entry' && [r.entry.hdr.zxid, r.next]).toEqual([c.zxid, c.next]);
      seen.push(c.zxid);
      o = c.next;
    }
    expect(seen).toEqual([1, big, big + 1]);
    const one = encodeEntries([entry(9)]);
    for (let byte = 0; byte < one.length; byte++) {
      const b = Buffer.from(one);
      b[byte] = b[byte]! ^ 0x10;
      expect(checkEntryAt(b, 0).kind).not.toBe('entry');
    }
  });

  it('a checksummed body that does not decode passes checkEntryAt and is refused by readEntryAt', () => {
    const good = encodeEntries([entry(4)]);
    const b = Buffer.from(good);
    // Break the body after the header (the txn record's length), then checksum it again.
    b.writeInt32BE(0x7fffffff, ENTRY_PREFIX_BYTES + 28);
    b.writeUInt32BE(crc32(b.subarray(ENTRY_PREFIX_BYTES), crc32(b.subarray(0, 4))), 4);
    expect(checkEntryAt(b, 0)).toMatchObject({ kind: 'entry', zxid: 4 });
    const r = readEntryAt(b, 0);
    expect(r.kind === 'bad' && r.reason).toMatch(/does not decode/);
  });
});

describe('crc32Of4', () => {
  it('equals zlib crc32 of the same four bytes at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 16 }), fc.nat(), (bytes, at) => {
        const o = at % (bytes.length - 3);
        expect(crc32Of4(bytes, o)).toBe(crc32(bytes.subarray(o, o + 4)));
      }),
    );
  });
});
