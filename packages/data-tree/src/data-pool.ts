// Node values copied into shared slabs: one ArrayBuffer per value costs far more than the value
// (a backing store and its bookkeeping per znode). Copying also means the tree never keeps an
// incoming frame alive through a subarray of it.
import type { Data } from './txn.js';

/** Bytes per slab: a live value keeps its whole slab, so this bounds the worst-case waste. */
export const DATA_SLAB_BYTES = 16 * 1024;
/** Values above this get their own buffer (a big value would waste much of a slab's tail). */
export const POOLED_VALUE_MAX = 2 * 1024;

const EMPTY = new Uint8Array(0);

export class DataPool {
  private slab = new Uint8Array(0);
  private used = 0;

  constructor(
    readonly slabBytes = DATA_SLAB_BYTES,
    readonly pooledValueMax = POOLED_VALUE_MAX,
  ) {
    if (!Number.isInteger(slabBytes) || slabBytes < 1) throw new RangeError(`DataPool slabBytes must be a positive integer, got ${slabBytes}`);
    if (!Number.isInteger(pooledValueMax) || pooledValueMax < 0 || pooledValueMax > slabBytes) {
      throw new RangeError(`DataPool pooledValueMax must be an integer in [0, slabBytes=${slabBytes}], got ${pooledValueMax}`);
    }
  }

  /** A private copy of data (null stays null; empty values share one zero-length array). */
  copy(data: Data): Data {
    if (data === null) return null;
    const n = data.length;
    if (n === 0) return EMPTY;
    // A real copy: Buffer#slice would be a view that keeps the request frame alive.
    if (n > this.pooledValueMax) return Uint8Array.prototype.slice.call(data);
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(this.slabBytes);
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    out.set(data);
    this.used += n;
    return out;
  }
}
