import { describe, expect, it } from 'vitest';
import { DATA_SLAB_BYTES, DataPool, POOLED_VALUE_MAX } from './data-pool.js';

describe('DataPool', () => {
  it('copies small values into a shared slab, never aliasing the source', () => {
    const pool = new DataPool();
    const frame = new Uint8Array([9, 1, 2, 3, 9, 4, 5, 9]);
    const a = pool.copy(frame.subarray(1, 4))!;
    const b = pool.copy(frame.subarray(5, 7))!;
    expect([...a]).toEqual([1, 2, 3]);
    expect([...b]).toEqual([4, 5]);
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer).not.toBe(frame.buffer);
    expect(a.buffer.byteLength).toBe(DATA_SLAB_BYTES);
    frame.fill(0);
    expect([...a]).toEqual([1, 2, 3]);
  });

  it('keeps null, shares one empty array, gives big values their own exact buffer', () => {
    const pool = new DataPool();
    expect(pool.copy(null)).toBeNull();
    expect(pool.copy(new Uint8Array(0))!.length).toBe(0);
    const big = new Uint8Array(POOLED_VALUE_MAX + 1).fill(7);
    const copy = pool.copy(big)!;
    expect(copy.buffer.byteLength).toBe(POOLED_VALUE_MAX + 1);
    expect(copy).toEqual(big);
    expect(copy.buffer).not.toBe(big.buffer);
  });

  it('starts a new slab when a value does not fit the rest of the current one', () => {
    const pool = new DataPool(8, 4);
    const a = pool.copy(new Uint8Array([1, 2, 3, 4]))!;
    const b = pool.copy(new Uint8Array([5, 6, 7]))!;
    const c = pool.copy(new Uint8Array([8, 9]))!;
    expect(a.buffer).toBe(b.buffer);
    expect(c.buffer).not.toBe(a.buffer);
    expect([...a, ...b, ...c]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects limits that make no sense, naming the option', () => {
    expect(() => new DataPool(0)).toThrow(/slabBytes/);
    expect(() => new DataPool(8, 9)).toThrow(/pooledValueMax/);
    expect(() => new DataPool(8, -1)).toThrow(/pooledValueMax/);
  });
});
