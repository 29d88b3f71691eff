// Compares two transcripts of the same script field by field. Zxids and session ids differ
// between servers by design, so each side's values are renamed in order of first appearance
// (Z1, Z2, ... and S1, S2, ...): equal transcripts must then agree exactly, which checks that
// the same steps share, or do not share, a zxid. Times are checked for consistency with their
// zxid (ctime is the time of czxid's transaction, mtime of mzxid's; times never decrease as
// zxids grow) and then replaced by that zxid's name.
import type { Step, Transcript } from './script.js';

const STAT_RE = /^-?\d+(,-?\d+){10}$/;

export interface Difference {
  seq: number;
  step: string;
  expected: string;
  actual: string;
}

class Canonicalizer {
  private readonly zxids = new Map<string, string>();
  private readonly sessions = new Map<string, string>();
  private readonly timeOfZxid = new Map<string, string>();
  readonly problems: string[] = [];

  private zxid(v: string): string {
    if (v === '0') return '0';
    let n = this.zxids.get(v);
    if (!n) this.zxids.set(v, (n = `Z${this.zxids.size + 1}`));
    return n;
  }

  private session(v: string): string {
    if (v === '0') return '0';
    let n = this.sessions.get(v);
    if (!n) this.sessions.set(v, (n = `S${this.sessions.size + 1}`));
    return n;
  }

  private time(zxid: string, time: string, where: string): string {
    const seen = this.timeOfZxid.get(zxid);
    if (seen === undefined) this.timeOfZxid.set(zxid, time);
    else if (seen !== time) this.problems.push(`${where}: zxid ${zxid} has times ${seen} and ${time}`);
    return `T(${this.zxid(zxid)})`;
  }

  stat(text: string, where: string): string {
    const f = text.split(',');
    const [czxid, mzxid, ctime, mtime, version, cversion, aversion, owner, dataLength, numChildren, pzxid] = f as [
      string, string, string, string, string, string, string, string, string, string, string,
    ];
    return [
      this.zxid(czxid),
      this.zxid(mzxid),
      this.time(czxid, ctime, where),
      this.time(mzxid, mtime, where),
      version,
      cversion,
      aversion,
      this.session(owner),
      dataLength,
      numChildren,
      this.zxid(pzxid),
    ].join(',');
  }

  field(text: string, where: string): string {
    if (STAT_RE.test(text)) return this.stat(text, where);
    // multi results embed a Stat after the last colon
    const i = text.lastIndexOf(':');
    if (i > 0 && STAT_RE.test(text.slice(i + 1))) return `${text.slice(0, i)}:${this.stat(text.slice(i + 1), where)}`;
    return text;
  }

  /** Times must not decrease as zxids grow. */
  checkMonotonicTimes(): void {
    const byZxid = [...this.timeOfZxid.entries()].map(([z, t]) => [Number(z), Number(t)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < byZxid.length; i++) {
      if (byZxid[i]![1] < byZxid[i - 1]![1]) this.problems.push(`time goes back: zxid ${byZxid[i]![0]} at ${byZxid[i]![1]} after ${byZxid[i - 1]![0]} at ${byZxid[i - 1]![1]}`);
    }
  }
}

function describeStep(step: Step | undefined): string {
  if (!step) return '?';
  const { s, op, ...rest } = step as Step & Record<string, unknown>;
  return `s${s} ${op} ${JSON.stringify(rest)}`;
}

/** Every difference between `expected` (the reference) and `actual`, plus consistency problems of either. */
export function compareTranscripts(steps: readonly Step[], expected: Transcript, actual: Transcript): { differences: Difference[]; problems: string[] } {
  const ce = new Canonicalizer();
  const ca = new Canonicalizer();
  const differences: Difference[] = [];
  const actualBySeq = new Map(actual.outcomes.map((o) => [o.seq, o]));
  for (const e of expected.outcomes) {
    const a = actualBySeq.get(e.seq);
    const where = `step ${e.seq}`;
    if (e.err === 'CLIENT') continue; // the Java client refused it before sending; nothing to compare
    const expectedText = [e.err, ...e.fields.map((f) => ce.field(f, where))].join(' | ');
    const actualText = a ? [a.err, ...a.fields.map((f) => ca.field(f, where))].join(' | ') : '(no outcome)';
    if (expectedText !== actualText) differences.push({ seq: e.seq, step: describeStep(steps[e.seq]), expected: expectedText, actual: actualText });
  }
  const sessions = new Set([...expected.events.keys(), ...actual.events.keys()]);
  for (const s of [...sessions].sort()) {
    const ee = (expected.events.get(s) ?? []).join('\n');
    const ae = (actual.events.get(s) ?? []).join('\n');
    if (ee !== ae) differences.push({ seq: -1, step: `watch events of session ${s}`, expected: ee, actual: ae });
  }
  ce.checkMonotonicTimes();
  ca.checkMonotonicTimes();
  return { differences, problems: [...ce.problems.map((p) => `reference: ${p}`), ...ca.problems.map((p) => `zkts: ${p}`)] };
}

export function formatDifferences(differences: readonly Difference[]): string {
  return differences.map((d) => `#${d.seq} ${d.step}\n  reference: ${d.expected}\n  zkts:      ${d.actual}`).join('\n');
}
