// A log-linear latency histogram in the spirit of HdrHistogram: values in microseconds, exact
// below 256 µs, then 128 sub-buckets per power of two (relative error under 0.8 %), up to
// about 35 minutes. Recording is an index computation and an increment; histograms merge by
// adding counts, so a child process can ship its counts as a plain array.

const LINEAR = 256; // values below this are their own bucket
const SUB = 128; // sub-buckets per power of two above LINEAR
const MAX_SHIFT = 24; // 2^31 µs
export const HISTOGRAM_BUCKETS = LINEAR + MAX_SHIFT * SUB;

function bucketOf(us: number): number {
  let v = us < 0 ? 0 : Math.floor(us);
  if (v < LINEAR) return v;
  if (v > 0x7fffffff) v = 0x7fffffff;
  const msb = 31 - Math.clz32(v); // >= 8
  const shift = msb - 7; // >= 1
  return LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** The middle of a bucket's value range, in µs. */
function valueOf(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const shift = Math.floor((bucket - LINEAR) / SUB) + 1;
  const top = ((bucket - LINEAR) % SUB) + SUB;
  const low = top * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

export class Histogram {
  readonly counts: Float64Array;
  total = 0;
  max = 0;
  sum = 0;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Float64Array(HISTOGRAM_BUCKETS);
    if (counts !== undefined) this.add(counts);
  }

  /** Records one latency in microseconds. */
  record(us: number): void {
    this.counts[bucketOf(us)]!++;
    this.total++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }

  /** Adds another histogram's counts (max and sum are those of the counts, approximately). */
  add(counts: ArrayLike<number>): void {
    for (let i = 0; i < counts.length && i < HISTOGRAM_BUCKETS; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      this.counts[i]! += c;
      this.total += c;
      const v = valueOf(i);
      this.sum += c * v;
      if (v > this.max) this.max = v;
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.max = 0;
    this.sum = 0;
  }

  /** The value at quantile q (0..1), in µs; 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.max);
    }
    return this.max;
  }

  mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** Counts as a sparse [bucket, count] list, for JSON. */
  toSparse(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) if (this.counts[i]! > 0) out.push([i, this.counts[i]!]);
    return out;
  }

  static fromSparse(pairs: ReadonlyArray<readonly [number, number]>): Histogram {
    const h = new Histogram();
    const dense = new Float64Array(HISTOGRAM_BUCKETS);
    for (const [i, c] of pairs) dense[i] = c;
    h.add(dense);
    return h;
  }
}
