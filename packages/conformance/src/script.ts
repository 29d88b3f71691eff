// A conformance script: steps run by one of several sessions, each answered with ZooKeeper's
// error code and result fields. The same script runs through the Java client against a real
// server and through the in-process model, and the two transcripts are compared.
import { CreateMode, type ACL } from '@zkts/protocol';

export type MultiStep =
  | { op: 'create'; path: string; data: string | null; acl?: readonly ACL[]; mode?: CreateMode; ttl?: number }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'setData'; path: string; data: string | null; version?: number }
  | { op: 'check'; path: string; version: number }
  | { op: 'getData'; path: string }
  | { op: 'getChildren'; path: string };

export type StepBody =
  | { op: 'open'; timeoutMs: number }
  | { op: 'close' }
  | { op: 'create'; path: string; data: string | null; acl?: readonly ACL[]; mode?: CreateMode; ttl?: number }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'exists' | 'getData' | 'getChildren'; path: string; watch?: boolean }
  | { op: 'setData'; path: string; data: string | null; version?: number }
  | { op: 'getACL'; path: string }
  | { op: 'setACL'; path: string; acl: readonly ACL[]; version?: number }
  | { op: 'sync'; path: string }
  | { op: 'getEphemerals'; prefix: string }
  | { op: 'getAllChildrenNumber'; path: string }
  | { op: 'addAuth'; scheme: string; auth: string }
  | { op: 'addWatch'; path: string; recursive: boolean }
  | { op: 'removeWatches'; path: string; type: 1 | 2 | 3 }
  | { op: 'multi' | 'multiRead'; ops: readonly MultiStep[] }
  | { op: 'flush' };

/** A step of session `s` (sessions are small integers, opened by an `open` step). */
export type Step = StepBody & { s: number };

/** What a target answered to one step: an error code (or 'CLIENT' when the client refused it) and fields. */
export interface Outcome {
  seq: number;
  err: number | 'CLIENT';
  fields: string[];
}

export interface Transcript {
  outcomes: Outcome[];
  /** Watch events per session in delivery order, as "@<flush seq> <type> <path>". */
  events: Map<number, string[]>;
  /** Connection states other than SyncConnected, per session. */
  states: Map<number, number[]>;
}

export const OPEN: readonly ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

const b64 = (d: string | null): string => (d === null ? '-' : Buffer.from(d, 'utf8').toString('base64'));
const aclText = (acl: readonly ACL[] | undefined): string =>
  (acl ?? OPEN).map((a) => `${a.perms},${a.id.scheme},${a.id.id}`).join(';') || '-';

function multiLine(m: MultiStep): string {
  switch (m.op) {
    case 'create':
      return ['create', m.path, b64(m.data), aclText(m.acl), m.mode ?? CreateMode.persistent, m.ttl ?? 0].join('\t');
    case 'delete':
      return ['delete', m.path, m.version ?? -1].join('\t');
    case 'setData':
      return ['setData', m.path, b64(m.data), m.version ?? -1].join('\t');
    case 'check':
      return ['check', m.path, m.version].join('\t');
    case 'getData':
    case 'getChildren':
      return [m.op, m.path].join('\t');
  }
}

/** The line format read by java/ScriptDriver.java. */
export function toDriverLines(steps: readonly Step[]): string {
  const lines: string[] = [];
  steps.forEach((st, seq) => {
    const head = `${seq}\t${st.s}\t${st.op}`;
    switch (st.op) {
      case 'open':
        lines.push(`${head}\t${st.timeoutMs}`);
        break;
      case 'close':
      case 'flush':
        lines.push(head);
        break;
      case 'create':
        lines.push([head, st.path, b64(st.data), aclText(st.acl), st.mode ?? CreateMode.persistent, st.ttl ?? 0].join('\t'));
        break;
      case 'delete':
        lines.push([head, st.path, st.version ?? -1].join('\t'));
        break;
      case 'exists':
      case 'getData':
      case 'getChildren':
        lines.push([head, st.path, st.watch ? 1 : 0].join('\t'));
        break;
      case 'setData':
        lines.push([head, st.path, b64(st.data), st.version ?? -1].join('\t'));
        break;
      case 'getACL':
        lines.push([head, st.path].join('\t'));
        break;
      case 'setACL':
        lines.push([head, st.path, aclText(st.acl), st.version ?? -1].join('\t'));
        break;
      case 'sync':
      case 'getAllChildrenNumber':
        lines.push([head, st.path].join('\t'));
        break;
      case 'getEphemerals':
        lines.push([head, st.prefix].join('\t'));
        break;
      case 'addAuth':
        lines.push([head, st.scheme, st.auth].join('\t'));
        break;
      case 'addWatch':
        lines.push([head, st.path, st.recursive ? 1 : 0].join('\t'));
        break;
      case 'removeWatches':
        lines.push([head, st.path, st.type].join('\t'));
        break;
      case 'multi':
      case 'multiRead':
        lines.push([head, st.ops.length].join('\t'));
        for (const m of st.ops) lines.push(multiLine(m));
        break;
    }
  });
  return lines.join('\n') + '\n';
}

/** Parses ScriptDriver's output (also the format the model target emits). */
export function parseTranscript(text: string): Transcript {
  const outcomes: Outcome[] = [];
  const events = new Map<number, string[]>();
  const states = new Map<number, number[]>();
  // Events are printed at a flush, before the flush's own result line: tag them with its seq.
  let pending: Array<[number, string]> = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    if (f[0] === 'R') {
      const err = f[2] === 'CLIENT' ? 'CLIENT' : Number(f[2]);
      outcomes.push({ seq: Number(f[1]), err, fields: f.slice(3) });
      for (const [s, ev] of pending) {
        if (!events.has(s)) events.set(s, []);
        events.get(s)!.push(`@${f[1]} ${ev}`);
      }
      pending = [];
    } else if (f[0] === 'E') {
      pending.push([Number(f[1]), `${f[2]} ${f[3]}`]);
    } else if (f[0] === 'S') {
      const s = Number(f[1]);
      if (!states.has(s)) states.set(s, []);
      states.get(s)!.push(Number(f[2]));
    }
  }
  return { outcomes, events, states };
}
