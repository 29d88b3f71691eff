import { describe, expect, it } from 'vitest';
import { counterOf, epochOf, EPOCH_MAX, makeZxid, zxidToHex } from './zxid.js';

describe('zxid', () => {
  it('puts the epoch in the high 32 bits and the counter in the low 32', () => {
    const z = makeZxid(3, 7);
    expect(z).toBe(3 * 2 ** 32 + 7);
    expect(epochOf(z)).toBe(3);
    expect(counterOf(z)).toBe(7);
    expect(zxidToHex(z)).toBe('0x300000007');
  });
  it('orders zxids by epoch first, then counter', () => {
    expect(makeZxid(2, 0)).toBeGreaterThan(makeZxid(1, 2 ** 32 - 1));
  });
  it('stays exact up to the largest allowed epoch and refuses a larger one', () => {
    const z = makeZxid(EPOCH_MAX, 2 ** 32 - 1);
    expect(Number.isSafeInteger(z)).toBe(true);
    expect(epochOf(z)).toBe(EPOCH_MAX);
    expect(() => makeZxid(EPOCH_MAX + 1, 0)).toThrow(RangeError);
    expect(() => makeZxid(0, 2 ** 32)).toThrow(RangeError);
  });
});
