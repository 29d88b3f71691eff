// The e2e load generator (loadgen.ts's runLoad) spread over the members of an ensemble: the
// connections are dealt round-robin to the targets (each connection talks to one server, as a
// ZooKeeper client does), one runLoad per target runs concurrently in this one process, and the
// results are merged (ops/s summed, latencies from the merged histogram).
//   node dist/ensemble/spread-load.js '{"targets":[{"host":"127.0.0.1","port":2181},...],"connections":8,...}'
import { pathToFileURL } from 'node:url';
import { HISTOGRAM_BUCKETS, Histogram } from '../histogram.js';
import { runLoad, type LoadOptions, type LoadResult, type OpName } from '../loadgen.js';

export interface Target {
  host: string;
  port: number;
}

export interface SpreadLoadOptions extends Omit<LoadOptions, 'host' | 'port' | 'connections'> {
  targets: Target[];
  connections: number;
}

/** How many connections each target gets when `connections` are dealt round-robin to `targets` targets. */
export function dealConnections(connections: number, targets: number): number[] {
  if (!Number.isInteger(connections) || connections < 1) throw new RangeError(`connections: expected a positive integer, got ${connections}`);
  if (!Number.isInteger(targets) || targets < 1) throw new RangeError(`targets: expected a positive integer, got ${targets}`);
  return Array.from({ length: targets }, (_, i) => Math.floor(connections / targets) + (i < connections % targets ? 1 : 0));
}

/** Adds up per-target results: throughput sums, latencies come from the merged histogram. */
export function mergeResults(parts: readonly LoadResult[], inFlight: number): LoadResult {
  const dense = new Float64Array(HISTOGRAM_BUCKETS);
  for (const p of parts) for (const [i, c] of p.histogram) dense[i]! += c;
  const h = new Histogram(dense);
  const errors: Record<string, number> = {};
  const byOp: Partial<Record<OpName, number>> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.byOp)) byOp[k as OpName] = (byOp[k as OpName] ?? 0) + v;
  }
  return {
    opsPerSec: parts.reduce((a, p) => a + p.opsPerSec, 0),
    completed: parts.reduce((a, p) => a + p.completed, 0),
    measuredMs: Math.max(...parts.map((p) => p.measuredMs)),
    latencyMs: { p50: h.quantile(0.5) / 1000, p99: h.quantile(0.99) / 1000, p999: h.quantile(0.999) / 1000, max: h.max / 1000, mean: h.mean() / 1000 },
    errors,
    byOp,
    histogram: h.toSparse(),
    connections: parts.reduce((a, p) => a + p.connections, 0),
    inFlight,
  };
}

export async function runSpreadLoad(opts: SpreadLoadOptions): Promise<LoadResult> {
  const shares = dealConnections(opts.connections, opts.targets.length);
  const { targets, connections: _all, ...rest } = opts;
  const parts = await Promise.all(
    targets.flatMap((t, i) => (shares[i]! > 0 ? [runLoad({ ...rest, host: t.host, port: t.port, connections: shares[i]!, seed: (opts.seed ?? 12345) + i * 104_729 })] : [])),
  );
  return mergeResults(parts, opts.inFlight);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSpreadLoad(JSON.parse(process.argv[2] ?? '{}') as SpreadLoadOptions).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
