// A thin adapter over benchmark.js (unmaintained since 2017), so the suites depend only on this
// file: define a case, run it (async cases through benchmark.js's deferred mode), compare a
// baseline with candidates, print a table with ratios. Replacing benchmark.js means rewriting
// runCase() alone.
import Benchmark from 'benchmark';

// Always call fn by reference: benchmark.js would otherwise try to decompile and re-compile it
// (Function#toString), which loses the closure a case is written with.
Benchmark.support.decompilation = false;

export interface BenchCase {
  readonly name: string;
  /** One operation; a returned promise is awaited (deferred) before the next one starts. */
  readonly fn: () => unknown;
  /** Runs once before the case is measured (not per cycle), e.g. opening a log. */
  readonly setup?: () => unknown;
  /** Runs once after the case (also when it failed), e.g. closing the log and removing its files. */
  readonly teardown?: () => unknown;
  /** fn never returns a promise: measured in benchmark.js's plain loop instead of deferred mode. */
  readonly sync?: boolean;
  /** Units one operation stands for (entries per append+flush): unitsPerSec = opsPerSec * this. */
  readonly unitsPerOp?: number;
}

export interface BenchOptions {
  /** Seconds a case may be sampled (benchmark.js maxTime); the case also stops at minSamples. */
  readonly maxTimeS?: number;
  /** Fewest samples (benchmark.js minSamples). */
  readonly minSamples?: number;
  /** Seconds one sample should last at least (benchmark.js minTime; 0 = its own default). */
  readonly minTimeS?: number;
}

export const BENCH_MAX_TIME_S_DEFAULT = 5;
export const BENCH_MIN_SAMPLES_DEFAULT = 5;

export interface BenchResult {
  readonly name: string;
  readonly opsPerSec: number;
  /** opsPerSec * unitsPerOp. */
  readonly unitsPerSec: number;
  /** Relative margin of error in percent (99 % confidence, benchmark.js's rme). */
  readonly rme: number;
  readonly samples: number;
  readonly meanMs: number;
  /** Set when the case threw or rejected; the numbers are then NaN. */
  readonly error?: string | undefined;
}

function checkOptions(o: BenchOptions): Required<BenchOptions> {
  const maxTimeS = o.maxTimeS ?? BENCH_MAX_TIME_S_DEFAULT;
  const minSamples = o.minSamples ?? BENCH_MIN_SAMPLES_DEFAULT;
  const minTimeS = o.minTimeS ?? 0;
  if (!(maxTimeS > 0)) throw new RangeError(`maxTimeS=${maxTimeS}: must be > 0`);
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new RangeError(`minSamples=${minSamples}: must be an integer >= 1`);
  if (!(minTimeS >= 0)) throw new RangeError(`minTimeS=${minTimeS}: must be >= 0`);
  return { maxTimeS, minSamples, minTimeS };
}

const failed = (c: BenchCase, error: string): BenchResult => ({ name: c.name, opsPerSec: NaN, unitsPerSec: NaN, rme: NaN, samples: 0, meanMs: NaN, error });

/** Measures one case: setup, benchmark.js sampling, teardown. Never throws for a failing case. */
export async function runCase(c: BenchCase, options: BenchOptions = {}): Promise<BenchResult> {
  const o = checkOptions(options);
  const unitsPerOp = c.unitsPerOp ?? 1;
  if (!(unitsPerOp > 0)) throw new RangeError(`unitsPerOp=${unitsPerOp} of case ${c.name}: must be > 0`);
  try {
    await c.setup?.();
  } catch (e) {
    await Promise.resolve(c.teardown?.()).catch(() => undefined);
    return failed(c, `setup: ${(e as Error).message ?? e}`);
  }
  let caseError: unknown;
  try {
    const bench = await new Promise<Benchmark>((resolve) => {
      const syncFn = (): void => {
        if (caseError !== undefined) return;
        try {
          c.fn();
        } catch (e) {
          caseError = e;
        }
      };
      const b = new Benchmark(c.name, c.sync === true ? { maxTime: o.maxTimeS, minSamples: o.minSamples, ...(o.minTimeS > 0 ? { minTime: o.minTimeS } : {}), fn: syncFn } : {
        defer: true,
        maxTime: o.maxTimeS,
        minSamples: o.minSamples,
        ...(o.minTimeS > 0 ? { minTime: o.minTimeS } : {}),
        fn: (deferred: Benchmark.Deferred) => {
          if (caseError !== undefined) {
            b.abort(); // the result is discarded below
            return;
          }
          let r: unknown;
          try {
            r = c.fn();
          } catch (e) {
            caseError = e;
            deferred.resolve();
            return;
          }
          if (r instanceof Promise) {
            r.then(
              () => deferred.resolve(),
              (e: unknown) => {
                caseError = e;
                deferred.resolve();
              },
            );
          } else {
            deferred.resolve();
          }
        },
      });
      b.on('complete', () => resolve(b));
      b.on('error', () => resolve(b));
      b.on('abort', () => resolve(b));
      b.run({ async: true });
    });
    if (caseError !== undefined) return failed(c, (caseError as Error).message ?? String(caseError));
    if (bench.error) return failed(c, bench.error.message);
    return {
      name: c.name,
      opsPerSec: bench.hz,
      unitsPerSec: bench.hz * unitsPerOp,
      rme: bench.stats.rme,
      samples: bench.stats.sample.length,
      meanMs: bench.stats.mean * 1000,
    };
  } finally {
    await c.teardown?.();
  }
}

export interface Comparison {
  readonly baseline: BenchResult;
  readonly candidates: readonly BenchResult[];
}

/** Runs the baseline, then each candidate (one at a time: they share the disk and the cores). */
export async function compare(baseline: BenchCase, candidates: readonly BenchCase[], options: BenchOptions = {}): Promise<Comparison> {
  const b = await runCase(baseline, options);
  const out: BenchResult[] = [];
  for (const c of candidates) out.push(await runCase(c, options));
  return { baseline: b, candidates: out };
}

/** candidate / baseline, as "1.23x"; "-" when either is missing. */
export function ratio(candidate: number, baseline: number): string {
  return Number.isFinite(candidate) && Number.isFinite(baseline) && baseline > 0 ? `${(candidate / baseline).toFixed(2)}x` : '-';
}

export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/** A markdown table; every row as many cells as the header. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const r of rows) if (r.length !== header.length) throw new RangeError(`table row has ${r.length} cells, header ${header.length}`);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => `| ${r.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The comparison as a table: ops/s, units/s, ± rme, samples, ratio to the baseline. */
export function comparisonTable(cmp: Comparison, unitName = 'units'): string {
  const row = (r: BenchResult): string[] => [
    r.name,
    formatRate(r.opsPerSec),
    formatRate(r.unitsPerSec),
    Number.isFinite(r.rme) ? `±${r.rme.toFixed(1)} %` : '-',
    String(r.samples),
    ratio(r.opsPerSec, cmp.baseline.opsPerSec),
    r.error ?? '',
  ];
  return markdownTable(['case', 'ops/s', `${unitName}/s`, 'rme', 'samples', 'ratio', 'error'], [row(cmp.baseline), ...cmp.candidates.map(row)]);
}
