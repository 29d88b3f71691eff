// A linearizability checker for znode registers: Wing & Gong's search with Lowe's just-in-time
// memoization (the cache of (linearized set, state) pairs already explored, as in Porcupine),
// partitioned per path (linearizability is local, so each path is checked on its own).
//
// Models:
// Operations: read, write, create (only when there is no node), cas [expected, new], sync.
// - 'register': strict linearizability of every path as a register (initially null = no node).
//   An operation may take effect only between its invoke and its ok.
// - 'zookeeper': what ZooKeeper promises. Writes (write, cas, sync) are linearizable; reads are
//   sequentially consistent per session: a read sees some state of the one total order of writes,
//   never older than what its session saw or wrote before, never newer than its own return, and
//   a read after a sync of its session is at least as new as the sync. Formally: a total order
//   exists that respects each process's order, real time between any operation and a later
//   write/sync, and the register semantics. Syncs are global barriers: they join every path.
//
// fail = did not happen (left out); info = unknown (may take effect any time after its invoke,
// or never); an invoke without a completion is info.

import type { EventType, HistoryEvent, RegisterValue } from './history.js';
import { REGISTER_FNS } from './history.js';

export type CheckModel = 'register' | 'zookeeper';
export const CHECK_MODELS: readonly CheckModel[] = ['register', 'zookeeper'];

/** Default search steps per path before the answer is 'unknown'. */
export const CHECK_STEPS_MAX_DEFAULT = 2_000_000;
/** Default memoized states per path before the answer is 'unknown' (a memory guard). */
export const CHECK_MEMO_ENTRIES_MAX_DEFAULT = 2_000_000;
/** Default wall-clock budget of a whole check, in ms. */
export const CHECK_TIME_MS_MAX_DEFAULT = 60_000;
/** Operations of the linearized prefix quoted in a failure report. */
export const REPORT_PREFIX_OPS = 6;

export interface CheckOptions {
  model?: CheckModel;
  stepsMaxPerPath?: number;
  memoEntriesMaxPerPath?: number;
  timeMsMax?: number;
  /** Clock for the time limit (ms); injected so tests can force 'unknown'. */
  now?: () => number;
}

export interface CheckOp {
  id: number;
  process: number;
  f: string;
  path: string;
  /** The invoke's value (write: string, cas: [expected, new]). */
  input: unknown;
  /** The ok's value (read: the data read). */
  output: unknown;
  status: 'ok' | 'info';
  /** 1-based event positions of the invoke and the completion (Infinity when none). */
  invokeLine: number;
  completeLine: number;
}

export interface PathFailure {
  /** The operation that could not be placed: its result contradicts every order tried. */
  op: CheckOp;
  /** Other operations that were next in line at the deepest point and could not go either. */
  alsoStuck: CheckOp[];
  /** The last operations of the longest linearizable prefix found. */
  prefix: CheckOp[];
  prefixLength: number;
  /** The register's value after that prefix. */
  stateBefore: RegisterValue;
}

export type Verdict = true | false | 'unknown';

export interface PathResult {
  path: string;
  valid: Verdict;
  ops: number;
  steps: number;
  failure?: PathFailure;
  /** Why the answer is 'unknown'. */
  gaveUp?: string;
}

export interface CheckResult {
  valid: Verdict;
  model: CheckModel;
  ops: number;
  paths: PathResult[];
  /** Invocations of operations the model does not know, by name (left out of the check). */
  skipped: Record<string, number>;
}

export class HistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

/**
 * Pairs invokes with completions; fails are dropped, open invokes become info. Operations that are
 * not register operations (next-id, enqueue, ...) are counted in `skipped` and left out, or
 * rejected when `skipped` is not given.
 */
export function toOperations(events: readonly HistoryEvent[], skipped?: Map<string, number>): CheckOp[] {
  const ops: CheckOp[] = [];
  const open = new Map<number, { e: HistoryEvent; line: number }>();
  events.forEach((e, i) => {
    const line = i + 1;
    if (!REGISTER_FNS.includes(e.f as never)) {
      if (!skipped) throw new HistoryError(`line ${line}: unsupported operation "${e.f}" (expected ${REGISTER_FNS.join('|')})`);
      if (e.type === 'invoke') skipped.set(e.f, (skipped.get(e.f) ?? 0) + 1);
      return;
    }
    if (e.type === 'invoke') {
      const prev = open.get(e.process);
      if (prev) throw new HistoryError(`line ${line}: process ${e.process} invokes again while its operation from line ${prev.line} is in flight`);
      open.set(e.process, { e, line });
      return;
    }
    const inv = open.get(e.process);
    if (!inv) throw new HistoryError(`line ${line}: ${e.type} for process ${e.process} without an invoke`);
    if (inv.e.f !== e.f || inv.e.path !== e.path) {
      throw new HistoryError(`line ${line}: completion ${e.f} ${e.path} does not match the invoke ${inv.e.f} ${inv.e.path} on line ${inv.line}`);
    }
    open.delete(e.process);
    if (e.type === 'fail') return;
    ops.push(makeOp(ops.length, inv.e, inv.line, e.type, e.value, e.type === 'ok' ? line : Infinity));
  });
  for (const { e, line } of open.values()) ops.push(makeOp(ops.length, e, line, 'info', null, Infinity));
  for (const op of ops) validateValues(op);
  return ops;
}

function makeOp(id: number, inv: HistoryEvent, line: number, type: EventType, value: unknown, completeLine: number): CheckOp {
  return {
    id, process: inv.process, f: inv.f, path: inv.path, input: inv.value,
    output: type === 'ok' ? value : null, status: type === 'ok' ? 'ok' : 'info', invokeLine: line, completeLine,
  };
}

function isValue(v: unknown): v is RegisterValue {
  return v === null || typeof v === 'string';
}

function validateValues(op: CheckOp): void {
  const where = `line ${op.invokeLine} (${op.f} ${op.path})`;
  if (op.f === 'write' && !isValue(op.input)) throw new HistoryError(`${where}: a write's value must be a string or null`);
  if (op.f === 'create' && typeof op.input !== 'string') throw new HistoryError(`${where}: a create's value must be a string`);
  if (op.f === 'cas' && !(Array.isArray(op.input) && op.input.length === 2 && isValue(op.input[0]) && isValue(op.input[1]))) {
    throw new HistoryError(`${where}: a cas's value must be [expected, new]`);
  }
  if (op.f === 'read' && op.status === 'ok' && !isValue(op.output)) throw new HistoryError(`line ${op.completeLine}: a read's value must be a string or null`);
}

/** The register's transition: the new state, or undefined when op cannot happen in state. */
function step(state: RegisterValue, op: CheckOp): RegisterValue | undefined {
  switch (op.f) {
    case 'read':
      return op.output === state ? state : undefined;
    case 'write':
      return op.input as RegisterValue;
    case 'create':
      if (state === null) return op.input as RegisterValue;
      return op.status === 'info' ? state : undefined; // an unknown create that found a node did nothing
    case 'cas': {
      const [expected, next] = op.input as [RegisterValue, RegisterValue];
      if (state === expected) return next;
      return op.status === 'info' ? state : undefined; // an unknown cas that failed changed nothing
    }
    default:
      return state; // sync
  }
}

export function describeOp(op: CheckOp): string {
  const end = op.completeLine === Infinity ? 'no completion' : String(op.completeLine);
  let what: string;
  if (op.f === 'read') what = op.status === 'ok' ? `read ${op.path} -> ${JSON.stringify(op.output)}` : `read ${op.path}`;
  else if (op.f === 'sync') what = `sync ${op.path}`;
  else what = `${op.f} ${op.path} ${JSON.stringify(op.input)}`;
  return `${what} (process ${op.process}, ${op.status}, line ${op.invokeLine}..${end})`;
}

export function checkHistory(events: readonly HistoryEvent[], options: CheckOptions = {}): CheckResult {
  const model = options.model ?? 'zookeeper';
  if (!CHECK_MODELS.includes(model)) throw new RangeError(`model: "${model}" is not one of ${CHECK_MODELS.join('|')}`);
  const skipped = new Map<string, number>();
  const ops = toOperations(events, skipped);
  const byPath = new Map<string, CheckOp[]>();
  const syncs = ops.filter((o) => o.f === 'sync' && o.status === 'ok');
  for (const op of ops) {
    if (op.f === 'sync') continue;
    if (op.f === 'read' && op.status === 'info') continue; // an unknown read constrains nothing
    let list = byPath.get(op.path);
    if (!list) byPath.set(op.path, (list = []));
    list.push(op);
  }
  const now = options.now ?? (() => Date.now());
  const deadline = now() + (options.timeMsMax ?? CHECK_TIME_MS_MAX_DEFAULT);
  const paths: PathResult[] = [];
  for (const path of [...byPath.keys()].sort()) {
    const list = byPath.get(path)!;
    const withSyncs = model === 'zookeeper' && syncs.length ? [...list, ...syncs].sort((a, b) => a.invokeLine - b.invokeLine) : list;
    paths.push(checkPath(path, withSyncs, model, options, now, deadline));
  }
  let valid: Verdict = true;
  for (const p of paths) {
    if (p.valid === false) valid = false;
    else if (p.valid === 'unknown' && valid === true) valid = 'unknown';
  }
  return { valid, model, ops: ops.length, paths, skipped: Object.fromEntries([...skipped].sort()) };
}

/** Checks one path's operations (sorted by invoke). */
export function checkPath(
  path: string, sorted: readonly CheckOp[], model: CheckModel, options: CheckOptions,
  now: () => number, deadline: number,
): PathResult {
  const n = sorted.length;
  const stepsMax = options.stepsMaxPerPath ?? CHECK_STEPS_MAX_DEFAULT;
  const memoMax = options.memoEntriesMaxPerPath ?? CHECK_MEMO_ENTRIES_MAX_DEFAULT;
  const call = sorted.map((o) => o.invokeLine);
  const ret = sorted.map((o) => o.completeLine);
  const relaxed = sorted.map((o) => model === 'zookeeper' && o.f === 'read');
  const proc = sorted.map((o) => o.process);
  const done = new Uint8Array(n);
  const bits = new Uint16Array(Math.ceil(n / 16) || 1);
  const seen = new Set<string>();
  let state: RegisterValue = null;
  let linearized = 0;
  let steps = 0;
  let deepest = -1;
  let deepestPrefix: number[] = [];
  let deepestState: RegisterValue = null;
  let deepestCandidates: number[] = [];

  const key = (s: RegisterValue): string => String.fromCharCode(...bits) + (s === null ? '\u0000' : '\u0001' + s);
  const setBit = (i: number, on: boolean): void => {
    if (on) bits[i >> 4]! |= 1 << (i & 15);
    else bits[i >> 4]! &= ~(1 << (i & 15));
  };

  /** Operations that may go next: every operation that must precede them is linearized. */
  const candidates = (): number[] => {
    let minRet = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && ret[i]! < minRet) minRet = ret[i]!;
    const out: number[] = [];
    const seenProcess = new Set<number>();
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      if (relaxed[i]) {
        // A relaxed read waits only for the earlier completed operations of its own process.
        if (!seenProcess.has(proc[i]!)) out.push(i);
      } else if (call[i]! < minRet) {
        out.push(i);
      }
      if (ret[i] !== Infinity) seenProcess.add(proc[i]!);
    }
    return out;
  };

  interface Frame { candidates: number[]; next: number; op: number; prevState: RegisterValue }
  const stack: Frame[] = [{ candidates: candidates(), next: 0, op: -1, prevState: null }];
  const result = (valid: Verdict, extra: Partial<PathResult> = {}): PathResult => ({ path, valid, ops: n, steps, ...extra });

  while (stack.length > 0) {
    if (linearized === n) return result(true);
    const frame = stack[stack.length - 1]!;
    if (linearized > deepest) {
      deepest = linearized;
      deepestPrefix = stack.slice(1).map((f) => f.op);
      deepestState = state;
      deepestCandidates = frame.candidates;
    }
    if (frame.next >= frame.candidates.length) {
      // Nothing more to try here: undo this frame's operation and backtrack.
      stack.pop();
      if (frame.op >= 0) {
        done[frame.op] = 0;
        setBit(frame.op, false);
        linearized--;
        state = frame.prevState;
      }
      continue;
    }
    const i = frame.candidates[frame.next++]!;
    steps++;
    if (steps > stepsMax) return result('unknown', { gaveUp: `more than ${stepsMax} search steps` });
    if ((steps & 1023) === 0 && now() > deadline) return result('unknown', { gaveUp: 'time limit reached' });
    const next = step(state, sorted[i]!);
    if (next === undefined) continue;
    done[i] = 1;
    setBit(i, true);
    const k = key(next);
    if (seen.has(k)) {
      done[i] = 0;
      setBit(i, false);
      continue;
    }
    if (seen.size >= memoMax) return result('unknown', { gaveUp: `more than ${memoMax} memoized states` });
    seen.add(k);
    linearized++;
    stack.push({ candidates: [], next: 0, op: i, prevState: state });
    state = next;
    stack[stack.length - 1]!.candidates = candidates();
  }

  // No order works: report the deepest point reached.
  const left = deepestCandidates.length ? deepestCandidates : [...Array(n).keys()].filter((i) => !deepestPrefix.includes(i));
  const inPrefix = new Set(deepestPrefix);
  let blocker = -1;
  for (let i = 0; i < n; i++) if (!inPrefix.has(i) && (blocker < 0 || ret[i]! < ret[blocker]!)) blocker = i;
  const stuck = left.filter((i) => i !== blocker);
  return result(false, {
    failure: {
      op: sorted[blocker]!,
      alsoStuck: stuck.slice(0, REPORT_PREFIX_OPS).map((i) => sorted[i]!),
      prefix: deepestPrefix.slice(-REPORT_PREFIX_OPS).map((i) => sorted[i]!),
      prefixLength: deepestPrefix.length,
      stateBefore: deepestState,
    },
  });
}

/** A human-readable report: verdict, and per failed path the offending operations. */
export function formatCheckResult(r: CheckResult): string {
  const lines: string[] = [];
  const verdict = r.valid === true ? 'valid' : r.valid === false ? 'NOT linearizable' : 'unknown';
  lines.push(`model ${r.model}: ${verdict} (${r.ops} operations, ${r.paths.length} paths)`);
  const skipped = Object.entries(r.skipped);
  if (skipped.length) lines.push(`  left out (not register operations): ${skipped.map(([f, n]) => `${n} ${f}`).join(', ')}`);
  for (const p of r.paths) {
    if (p.valid === 'unknown') lines.push(`  ${p.path}: unknown after ${p.steps} steps (${p.gaveUp})`);
    if (p.valid !== false || !p.failure) continue;
    const f = p.failure;
    lines.push(`  ${p.path}: cannot linearize ${describeOp(f.op)}`);
    lines.push(`    value after the longest linearizable prefix (${f.prefixLength} ops): ${JSON.stringify(f.stateBefore)}`);
    for (const op of f.prefix) lines.push(`    prefix ... ${describeOp(op)}`);
    for (const op of f.alsoStuck) lines.push(`    also next, also impossible: ${describeOp(op)}`);
  }
  return lines.join('\n');
}
