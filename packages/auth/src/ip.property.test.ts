import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipMatches } from './ip.js';

// Model: an IPv4 address as a 32-bit number; in range iff the top `bits` bits agree.
const v4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const top = (n: number, bits: number) => (bits === 0 ? 0 : (n >>> (32 - bits)) >>> 0);

describe('ip matching, IPv4 CIDR against a numeric model', () => {
  it('agrees with prefix comparison for every address, range and prefix length', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, r, bits) => {
        expect(ipMatches(v4(a), `${v4(r)}/${bits}`)).toBe(top(a, bits) === top(r, bits));
      }),
    );
  });
});
