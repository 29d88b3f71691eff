// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package.
//   node dist/profile.js file.cpuprofile [topN] [fromMs,toMs]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Only samples taken between these offsets from the profile's start (ms). */
export interface ProfileWindow {
  fromMs: number;
  toMs: number;
}

export interface ProfileLine {
  name: string;
  percent: number;
}

function where(url: string): string {
  if (url === '') return '';
  const m = /\/(packages|apps)\/([^/]+)\/(?:dist|src)\/(.+)$/.exec(url);
  if (m) return `${m[2]}/${m[3]}`;
  if (url.startsWith('node:')) return url;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  return url.replace(/^file:\/\//, '');
}

function packageOf(url: string): string {
  if (url === '') return '(native / gc / idle)';
  const m = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (m) return `@zkts/${m[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  return url;
}

export function summarizeProfile(path: string, top = 20, window?: ProfileWindow): { functions: ProfileLine[]; packages: ProfileLine[]; totalSamples: number; idlePercent: number } {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  if (prof.samples && prof.samples.length > 0) {
    let t = 0;
    prof.samples.forEach((id, i) => {
      t += (prof.timeDeltas?.[i] ?? 0) / 1000;
      if (window && (t < window.fromMs || t > window.toMs)) return;
      hits.set(id, (hits.get(id) ?? 0) + 1);
    });
  }
  else for (const n of prof.nodes) hits.set(n.id, n.hitCount ?? 0);
  let total = 0;
  let idle = 0;
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const n of prof.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (h === 0) continue;
    total += h;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += h;
      continue;
    }
    const loc = where(url);
    const key = `${functionName || '(anonymous)'}${loc ? ` ${loc}:${lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + h);
    const pkg = functionName.startsWith('(') && url === '' ? functionName : packageOf(url);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + h);
  }
  const busy = total - idle || 1;
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, h]) => ({ name, percent: (100 * h) / busy }));
  return { functions: lines(byFn), packages: lines(byPkg), totalSamples: total, idlePercent: total ? (100 * idle) / total : 0 };
}

export function formatProfile(path: string, top = 20, window?: ProfileWindow): string {
  const s = summarizeProfile(path, top, window);
  const span = window ? ` (from ${window.fromMs} to ${window.toMs} ms)` : '';
  const out = [`CPU profile ${path}${span}: ${s.totalSamples} samples, ${s.idlePercent.toFixed(1)} % idle; shares of busy time:`, '', 'self time by package:'];
  for (const l of s.packages) out.push(`  ${l.percent.toFixed(1).padStart(5)} %  ${l.name}`);
  out.push('', `top ${top} functions by self time:`);
  for (const l of s.functions) out.push(`  ${l.percent.toFixed(1).padStart(5)} %  ${l.name}`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/profile.js file.cpuprofile [topN]\n');
    process.exit(2);
  }
  const w = process.argv[4]?.split(',').map(Number);
  process.stdout.write(formatProfile(file, Number(process.argv[3] ?? 25), w ? { fromMs: w[0]!, toMs: w[1]! } : undefined) + '\n');
}
