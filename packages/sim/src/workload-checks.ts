// Checkers for the workloads that are not registers, run on the history and the converged tree.
// (Registers and the counter are checked by the linearizability checker.)
import type { HistoryEvent } from './history.js';

export interface FinalTree {
  /** Children of a path (names) with their data, or null when the node does not exist. */
  children(path: string): { name: string; data: string }[] | null;
}

interface Op { process: number; f: string; path: string; input: unknown; type: 'ok' | 'fail' | 'info'; output: unknown; line: number }

function completed(events: readonly HistoryEvent[], fns: readonly string[]): Op[] {
  const open = new Map<number, { e: HistoryEvent; line: number }>();
  const out: Op[] = [];
  events.forEach((e, i) => {
    if (!fns.includes(e.f)) return;
    if (e.type === 'invoke') open.set(e.process, { e, line: i + 1 });
    else {
      const inv = open.get(e.process);
      if (!inv) return;
      open.delete(e.process);
      out.push({ process: e.process, f: e.f, path: e.path, input: inv.e.value, type: e.type, output: e.value, line: inv.line });
    }
  });
  for (const { e, line } of open.values()) out.push({ process: e.process, f: e.f, path: e.path, input: e.value, type: 'info', output: null, line });
  return out;
}

/** Unique ids: every acknowledged id is distinct and survives; every stored id was asked for. */
export function checkIds(events: readonly HistoryEvent[], tree: FinalTree): string[] {
  const problems: string[] = [];
  const ops = completed(events, ['next-id']);
  if (ops.length === 0) return problems;
  const byName = new Map<string, Op>();
  for (const op of ops) {
    if (op.type !== 'ok') continue;
    const name = String(op.output);
    const other = byName.get(name);
    if (other) problems.push(`ids: ${name} handed out twice (lines ${other.line} and ${op.line})`);
    byName.set(name, op);
  }
  const stored = new Map<string, string>((tree.children('/ids') ?? []).map((c) => [`/ids/${c.name}`, c.data] as const));
  const tokens = new Set(ops.map((o) => String(o.input)));
  for (const [name, op] of byName) {
    if (!stored.has(name)) problems.push(`ids: acknowledged ${name} (line ${op.line}) is missing from the final tree`);
    else if (stored.get(name) !== op.input) problems.push(`ids: ${name} holds ${JSON.stringify(stored.get(name))}, acknowledged with ${JSON.stringify(op.input)}`);
  }
  for (const [name, data] of stored) if (!tokens.has(data)) problems.push(`ids: ${name} holds ${JSON.stringify(data)}, which no client asked for`);
  return problems;
}

/**
 * Queue: nothing dequeued twice, nothing dequeued that was not enqueued, and every acknowledged
 * enqueue either dequeued or still queued (up to the number of dequeues with unknown outcome).
 */
export function checkQueue(events: readonly HistoryEvent[], tree: FinalTree): string[] {
  const problems: string[] = [];
  const ops = completed(events, ['enqueue', 'dequeue']);
  if (ops.length === 0) return problems;
  const enqueued = new Set(ops.filter((o) => o.f === 'enqueue').map((o) => String(o.input)));
  const acked = ops.filter((o) => o.f === 'enqueue' && o.type === 'ok');
  const dequeued = new Map<string, Op>();
  for (const op of ops) {
    if (op.f !== 'dequeue' || op.type !== 'ok' || op.output === null) continue;
    const token = String(op.output);
    const prev = dequeued.get(token);
    if (prev) problems.push(`queue: ${token} dequeued twice (lines ${prev.line} and ${op.line})`);
    dequeued.set(token, op);
    if (!enqueued.has(token)) problems.push(`queue: ${token} dequeued (line ${op.line}) but never enqueued`);
  }
  const remaining = new Set((tree.children('/queue') ?? []).map((c) => c.data));
  const unknownDequeues = ops.filter((o) => o.f === 'dequeue' && o.type === 'info').length;
  const lost = acked.filter((o) => !dequeued.has(String(o.input)) && !remaining.has(String(o.input)));
  if (lost.length > unknownDequeues) {
    problems.push(`queue: ${lost.length} acknowledged items neither dequeued nor queued (only ${unknownDequeues} dequeues have an unknown outcome), e.g. ${lost.slice(0, 3).map((o) => `${JSON.stringify(o.input)} (line ${o.line})`).join(', ')}`);
  }
  for (const token of remaining) if (dequeued.has(token)) problems.push(`queue: ${token} was dequeued (line ${dequeued.get(token)!.line}) but is still queued`);
  return problems;
}

/**
 * Lock: holds (acquire ok .. release invoke) never overlap. A hold is cut short where the
 * holder's session was closed (`closedAt(token)`): ZooKeeper then lets the next waiter in while
 * the old holder may not know yet. A hold never released ends at `endTime`.
 */
export function checkLock(events: readonly HistoryEvent[], closedAt: (token: string) => number | undefined, endTime: number): string[] {
  const holds: { start: number; end: number; token: string; line: number }[] = [];
  const open = new Map<number, { start: number; token: string; line: number }>();
  const invokes = new Map<number, HistoryEvent>();
  const cut = (token: string, until: number): number => Math.min(until, closedAt(token) ?? Infinity);
  events.forEach((e, i) => {
    if (e.f !== 'acquire' && e.f !== 'release') return;
    if (e.type === 'invoke') {
      invokes.set(e.process, e);
      if (e.f === 'release') {
        const h = open.get(e.process);
        open.delete(e.process);
        if (h) holds.push({ ...h, end: cut(h.token, e.time ?? endTime) });
      }
      return;
    }
    const inv = invokes.get(e.process);
    if (e.f === 'acquire' && e.type === 'ok' && inv) open.set(e.process, { start: e.time ?? 0, token: String(inv.value), line: i + 1 });
  });
  for (const h of open.values()) holds.push({ ...h, end: cut(h.token, endTime) });
  holds.sort((a, b) => a.start - b.start);
  const problems: string[] = [];
  for (let i = 1; i < holds.length; i++) {
    const prev = holds.slice(0, i).find((p) => p.end > holds[i]!.start);
    if (prev) problems.push(`lock: held twice at once: ${prev.token} (acquired line ${prev.line}) and ${holds[i]!.token} (acquired line ${holds[i]!.line})`);
  }
  return problems;
}
