import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32, nodeDigest } from './digest.js';
import type { StatPersisted } from '@zkts/protocol';

/** The digest as DigestCalculator defines it, written the slow obvious way (BigInt fields). */
function referenceDigest(path: string, data: Uint8Array | null, s: StatPersisted): number {
  const b = new DataView(new ArrayBuffer(60));
  b.setBigInt64(0, BigInt(s.czxid));
  b.setBigInt64(8, BigInt(s.mzxid));
  b.setBigInt64(16, BigInt(s.pzxid));
  b.setBigInt64(24, BigInt(s.ctime));
  b.setBigInt64(32, BigInt(s.mtime));
  b.setInt32(40, s.version);
  b.setInt32(44, s.cversion);
  b.setInt32(48, s.aversion);
  b.setBigInt64(52, BigInt.asIntN(64, s.ephemeralOwner));
  const chunks = [new TextEncoder().encode(path === '/' ? '' : path)];
  if (data) chunks.push(data);
  chunks.push(new Uint8Array(b.buffer));
  return crc32(...chunks);
}

const long = fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 });
const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

/** CRC-32 a byte at a time, bit by bit: the definition the table-driven one must match. */
function bitwiseCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('has the standard check value and matches the bitwise definition for any bytes and split', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), (bytes, at) => {
        const cut = bytes.length === 0 ? 0 : at % bytes.length;
        expect(crc32(bytes.subarray(0, cut), bytes.subarray(cut))).toBe(bitwiseCrc32(bytes));
      }),
    );
  });
});

describe('node digest', () => {
  it('equals the plain encoding of path, data and stat for any values', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).map((s) => `/${s.replace(/\//g, '')}`),
        fc.option(fc.uint8Array({ maxLength: 64 })),
        long, long, long, long, long, int, int, int, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (path, data, czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, owner) => {
          const stat = { czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner: owner };
          expect(nodeDigest(path, data, stat)).toBe(referenceDigest(path, data, stat));
        },
      ),
    );
  });
  it('digests non-ASCII paths by their UTF-8 bytes (the ASCII fast path falls back)', () => {
    const stat = { czxid: 1, mzxid: 1, pzxid: 1, ctime: 5, mtime: 5, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n };
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }).map((s) => `/${s.replace(/\//g, '')}`), (path) => {
        expect(nodeDigest(path, null, stat)).toBe(referenceDigest(path, null, stat));
      }),
    );
    for (const path of ['/é', '/a/日本', '/x\u0080y', '/😀']) expect(nodeDigest(path, null, stat)).toBe(referenceDigest(path, null, stat));
  });
  it('is 0 under /zookeeper/ and digests the root as ""', () => {
    const stat = { czxid: 1, mzxid: 1, pzxid: 1, ctime: 5, mtime: 5, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n };
    expect(nodeDigest('/zookeeper/quota', null, stat)).toBe(0);
    expect(nodeDigest('/', null, stat)).toBe(referenceDigest('', null, stat));
  });
});
