// A small SVG strip-and-box chart: one row per series, each sample a dot, the median a bar and
// the p99 a tick. No dependencies; the output is deterministic for the same input.
import { median, p99 } from './stats.js';

export interface Series {
  label: string;
  color: string;
  samples: readonly number[];
}

const ROW_H = 26;
const LEFT = 230;
const RIGHT = 40;
const WIDTH = 900;
const TOP = 50;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function stripChart(title: string, unit: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.samples);
  const max = Math.max(1, ...all) * 1.05;
  const plotW = WIDTH - LEFT - RIGHT;
  const x = (v: number): number => LEFT + (v / max) * plotW;
  const height = TOP + series.length * ROW_H + 50;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const v = (max / ticks) * i;
    const px = x(v).toFixed(1);
    out.push(`<line x1="${px}" y1="${TOP - 8}" x2="${px}" y2="${TOP + series.length * ROW_H}" stroke="#ddd"/>`);
    out.push(`<text x="${px}" y="${TOP + series.length * ROW_H + 16}" text-anchor="middle">${Math.round(v)}</text>`);
  }
  out.push(`<text x="${LEFT + plotW / 2}" y="${TOP + series.length * ROW_H + 36}" text-anchor="middle">${esc(unit)} (dots: trials, bar: median, tick: p99)</text>`);
  series.forEach((s, i) => {
    const cy = TOP + i * ROW_H + ROW_H / 2;
    out.push(`<text x="${LEFT - 8}" y="${cy + 4}" text-anchor="end">${esc(s.label)} (n=${s.samples.length})</text>`);
    for (const v of s.samples) out.push(`<circle cx="${x(v).toFixed(1)}" cy="${cy}" r="2.5" fill="${s.color}" fill-opacity="0.45"/>`);
    if (s.samples.length) {
      const m = x(median(s.samples)).toFixed(1);
      const p = x(p99(s.samples)).toFixed(1);
      out.push(`<line x1="${m}" y1="${cy - 9}" x2="${m}" y2="${cy + 9}" stroke="black" stroke-width="3"/>`);
      out.push(`<line x1="${p}" y1="${cy - 6}" x2="${p}" y2="${cy + 6}" stroke="#c00" stroke-width="2"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
