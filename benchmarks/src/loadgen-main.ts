// The load generator as a process, so it never shares an event loop with the server it loads.
//   node dist/loadgen-main.js '{"port":2181,"connections":8,...}'   JSON options in, JSON result out
//   node dist/loadgen-main.js --port 2181 [--host h] [--workload get|set|create|mixed|exists|children]
//        [--read-percent N] [--connections N] [--in-flight N] [--value-size B] [--keys N]
//        [--warmup S] [--duration S] [--populate] [--full-decode]          human summary
import { populate, runLoad, WORKLOADS, mixFromReadPercent, type LoadOptions } from './loadgen.js';

function flags(argv: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) m.set(a.slice(2), 'true');
    else {
      m.set(a.slice(2), next);
      i++;
    }
  }
  return m;
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0]?.startsWith('{')) {
    const opts = JSON.parse(argv[0]) as LoadOptions & { populate?: boolean };
    if (opts.populate) await populate(opts.host ?? '127.0.0.1', opts.port, opts);
    const result = await runLoad(opts);
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const f = flags(argv);
  const num = (k: string, d: number): number => (f.has(k) ? Number(f.get(k)) : d);
  const workload = f.get('workload') ?? 'get';
  const mix = f.has('read-percent') ? mixFromReadPercent(num('read-percent', 100)) : WORKLOADS[workload];
  if (mix === undefined) throw new Error(`unknown workload ${workload} (${Object.keys(WORKLOADS).join(', ')})`);
  if (!f.has('port')) throw new Error('--port is required');
  const opts: LoadOptions = {
    host: f.get('host') ?? '127.0.0.1',
    port: num('port', 2181),
    connections: num('connections', 8),
    inFlight: num('in-flight', 64),
    valueSize: num('value-size', 100),
    keys: num('keys', 1000),
    mix,
    warmupMs: num('warmup', 2) * 1000,
    durationMs: num('duration', 5) * 1000,
    decode: f.has('full-decode') ? 'full' : 'header',
  };
  if (f.has('populate')) await populate(opts.host!, opts.port, opts);
  const r = await runLoad(opts);
  const l = r.latencyMs;
  process.stdout.write(
    `${workload} ${opts.connections}x${opts.inFlight}: ${r.opsPerSec.toFixed(0)} ops/s over ${(r.measuredMs / 1000).toFixed(1)} s, ` +
      `p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms, p999 ${l.p999.toFixed(3)} ms, max ${l.max.toFixed(3)} ms, ` +
      `errors ${JSON.stringify(r.errors)}\n`,
  );
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`loadgen: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
