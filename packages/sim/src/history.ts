// Client operation histories in Jepsen's shape: one event per line, in real-time order, each an
// invoke followed later by the same process's ok / fail / info. ok = it happened (with its result),
// fail = it certainly did not happen, info = unknown (a timeout, a lost connection).
// Exports: Jepsen-style JSON lines (what `zkts-harness check` reads), EDN for Knossos (with
// jepsen.independent [key value] tuples, one key per path), and Porcupine-style operations.

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export const EVENT_TYPES: readonly EventType[] = ['invoke', 'ok', 'fail', 'info'];

/**
 * Register operations the linearizability checker understands. create writes only when there
 * is no node (ZooKeeper's create: NodeExists otherwise).
 */
export type RegisterFn = 'read' | 'write' | 'create' | 'cas' | 'sync';
export const REGISTER_FNS: readonly RegisterFn[] = ['read', 'write', 'create', 'cas', 'sync'];

/** A register value: the node's data as a string, or null when there is no node. */
export type RegisterValue = string | null;

export interface HistoryEvent {
  process: number;
  type: EventType;
  f: string;
  path: string;
  /** read: null on invoke, the data read on ok; write: the string; cas: [expected, new]. */
  value: unknown;
  /** Virtual time in ms (optional; order is the line order). */
  time?: number;
  /** Why a fail / info happened (an error code name). */
  error?: string;
}

/** Most events one history holds (a run's memory guard). */
export const HISTORY_EVENTS_MAX = 5_000_000;

export interface PendingOp {
  readonly process: number;
  readonly f: string;
  readonly path: string;
  readonly index: number;
}

/** Records a history; enforces one outstanding operation per process. */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly open = new Map<number, PendingOp>();

  constructor(private readonly clock: () => number = () => 0) {}

  invoke(process: number, f: string, path: string, value: unknown = null): PendingOp {
    if (this.open.has(process)) throw new Error(`history: process ${process} already has an operation in flight`);
    const op: PendingOp = { process, f, path, index: this.events.length };
    this.push({ process, type: 'invoke', f, path, value });
    this.open.set(process, op);
    return op;
  }

  ok(op: PendingOp, value: unknown = null): void {
    this.complete(op, 'ok', value);
  }
  fail(op: PendingOp, error: string, value: unknown = null): void {
    this.complete(op, 'fail', value, error);
  }
  info(op: PendingOp, error: string, value: unknown = null): void {
    this.complete(op, 'info', value, error);
  }

  /** Operations still in flight (they become info when the run ends). */
  pending(): PendingOp[] {
    return [...this.open.values()];
  }

  /** Ends every open operation as info (outcome unknown), e.g. at the end of a run. */
  closeAll(reason = 'run-ended'): void {
    for (const op of [...this.open.values()].sort((a, b) => a.process - b.process)) this.info(op, reason);
  }

  private complete(op: PendingOp, type: EventType, value: unknown, error?: string): void {
    if (this.open.get(op.process) !== op) throw new Error(`history: process ${op.process} has no such operation in flight`);
    this.open.delete(op.process);
    const e: HistoryEvent = { process: op.process, type, f: op.f, path: op.path, value };
    if (error !== undefined) e.error = error;
    this.push(e);
  }

  private push(e: HistoryEvent): void {
    if (this.events.length >= HISTORY_EVENTS_MAX) throw new RangeError(`history: more than HISTORY_EVENTS_MAX (${HISTORY_EVENTS_MAX}) events`);
    e.time = this.clock();
    this.events.push(e);
  }
}

export class HistoryParseError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'HistoryParseError';
  }
}

/** One JSON object per line, in real-time order. */
export function toJsonLines(events: readonly HistoryEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}

/** Parses Jepsen-style JSON lines; a bad line is a HistoryParseError naming the line and field. */
export function parseJsonLines(text: string): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const lineNo = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      throw new HistoryParseError(lineNo, `not JSON (${(err as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new HistoryParseError(lineNo, 'not a JSON object');
    const o = obj as Record<string, unknown>;
    if (typeof o.process !== 'number' || !Number.isInteger(o.process)) throw new HistoryParseError(lineNo, `"process" must be an integer`);
    if (typeof o.type !== 'string' || !EVENT_TYPES.includes(o.type as EventType)) {
      throw new HistoryParseError(lineNo, `"type" must be one of ${EVENT_TYPES.join('|')}`);
    }
    if (typeof o.f !== 'string') throw new HistoryParseError(lineNo, `"f" must be a string`);
    const path = o.path === undefined ? '/' : o.path;
    if (typeof path !== 'string') throw new HistoryParseError(lineNo, `"path" must be a string`);
    const e: HistoryEvent = { process: o.process, type: o.type as EventType, f: o.f, path, value: o.value ?? null };
    if (typeof o.time === 'number') e.time = o.time;
    if (typeof o.error === 'string') e.error = o.error;
    out.push(e);
  }
  return out;
}

function ednValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(ednValue).join(' ')}]`;
  return JSON.stringify(JSON.stringify(v));
}

/** EDN for Knossos: a vector of op maps, each value a jepsen.independent [path value] tuple. */
export function toEdn(events: readonly HistoryEvent[]): string {
  const lines = events.map((e) => {
    const error = e.error === undefined ? '' : ` :error ${ednValue(e.error)}`;
    return ` {:process ${e.process}, :type :${e.type}, :f :${e.f}, :value [${ednValue(e.path)} ${ednValue(e.value)}]${e.time === undefined ? '' : `, :time ${Math.round(e.time * 1e6)}`}${error}}`;
  });
  return `[\n${lines.join('\n')}\n]\n`;
}

export interface PorcupineOperation {
  clientId: number;
  input: { op: string; path: string; value: unknown };
  call: number;
  output: { status: 'ok' | 'info'; value: unknown };
  return: number;
}

/**
 * Porcupine's Operation shape (ClientId, Input, Call, Output, Return) as JSON. Call and Return are
 * event positions; an info operation returns at the end of the history (it may take effect
 * any time after its call); failed operations are left out (they did not happen).
 */
export function toPorcupineJson(events: readonly HistoryEvent[]): string {
  const ops: PorcupineOperation[] = [];
  const open = new Map<number, { e: HistoryEvent; at: number }>();
  events.forEach((e, at) => {
    if (e.type === 'invoke') {
      open.set(e.process, { e, at });
      return;
    }
    const inv = open.get(e.process);
    if (!inv) return;
    open.delete(e.process);
    if (e.type === 'fail') return;
    ops.push({
      clientId: e.process,
      input: { op: e.f, path: e.path, value: inv.e.value },
      call: inv.at,
      output: { status: e.type === 'ok' ? 'ok' : 'info', value: e.type === 'ok' ? e.value : null },
      return: e.type === 'ok' ? at : events.length,
    });
  });
  for (const { e, at } of open.values()) {
    ops.push({ clientId: e.process, input: { op: e.f, path: e.path, value: e.value }, call: at, output: { status: 'info', value: null }, return: events.length });
  }
  return JSON.stringify(ops, null, 1) + '\n';
}
