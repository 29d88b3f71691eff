// Order statistics for the election comparison.

/** The q-quantile (0..1) by nearest rank on a sorted copy; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (s: readonly number[]): number => quantile(s, 0.5);
export const p99 = (s: readonly number[]): number => quantile(s, 0.99);
