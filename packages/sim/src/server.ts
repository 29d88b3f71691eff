// One simulated server: the real cores (ZabPeer, an election strategy, a DataTree with
// prepareRequest on the leader) driven by the simulator's clock, network and disk. The disk is
// modelled here: a Ready's writes become durable only when its flush completes after a seeded
// latency; a crash before that loses them (or, with disk faults, keeps a prefix: a torn write).
import { DataTree, OutstandingChanges } from '@zkts/data-tree';
import { OpCode } from '@zkts/protocol';
import type { SessionTracker } from '@zkts/session';
import type { ElectionOutput, ElectionStrategy } from '@zkts/election';
import type { ZabPeer, Entry, HardState, Ready } from '@zkts/zab';
import { encodeEntries, readEntryAt, type LogEntry } from '@zkts/txn-log';
import type { MemoryPeerTransport } from '@zkts/transport-memory';

export interface PendingClientOp {
  readonly client: number;
  readonly cxid: number;
}

export class SimServer {
  up = true;
  paused = false;
  /** Clock rate of this server (1 = true time); skew faults change it. */
  clockRate = 1;
  incarnation = 0;
  peer!: ZabPeer;
  election!: ElectionStrategy;
  peerTransport!: MemoryPeerTransport;
  clientTransport!: MemoryPeerTransport;
  // durable
  hard: HardState = { acceptedEpoch: 0, currentEpoch: 0 };
  log: Entry[] = [];
  snapshot: Entry[] = [];
  // volatile
  applied: Entry[] = [];
  /** Global sessions (id -> timeout ms) as the applied log says: createSession adds, closeSession removes. */
  sessions = new Map<bigint, number>();
  /** Leader only: expiry of those sessions (touched by requests here and by learners' pings). */
  tracker: SessionTracker | undefined;
  /** Sessions touched here since the last ping to the leader (a learner forwards them). */
  readonly touched = new Set<bigint>();
  /** Leader only: closeSession proposed, not applied yet. */
  readonly closing = new Set<bigint>();
  tree = new DataTree();
  outstanding = new OutstandingChanges();
  /** A Ready whose flush has not completed yet. */
  flushing: { ready: Ready; cancel: () => void } | undefined;
  processing = false;
  pendingElected: Extract<ElectionOutput, { kind: 'elected' }> | undefined;
  /** Inputs held while the server is paused (a GC stall), run in order at resume. */
  held: (() => void)[] = [];
  readonly pendingWrites = new Map<string, PendingClientOp>();
  readonly pendingSyncs = new Map<number, PendingClientOp>();
  nextSyncId = 1;
  electionStartedAt: number | undefined;
  electionMessages = 0;
  /** The zab role and leader last reported (to notice a role being left). */
  role: string = 'looking';
  roleLeader: number | null = null;

  constructor(readonly id: number) {}

  get appliedZxid(): number {
    return this.applied.length ? this.applied[this.applied.length - 1]!.zxid : 0;
  }

  get lastDurableZxid(): number {
    return this.log.length ? this.log[this.log.length - 1]!.zxid : this.snapshot.length ? this.snapshot[this.snapshot.length - 1]!.zxid : 0;
  }

  /** Rebuilds the tree from `entries` (recovery, TRUNC, SNAP). */
  rebuild(entries: readonly Entry[]): void {
    this.applied = [...entries];
    this.tree = new DataTree();
    this.outstanding = new OutstandingChanges();
    this.sessions = new Map();
    for (const e of entries) this.noteSessions(applyEntry(this.tree, e).entry);
  }

  /** Keeps the session table in step with an applied txn. */
  noteSessions(entry: LogEntry): void {
    if (entry.hdr.type === OpCode.createSession) this.sessions.set(entry.hdr.clientId, (entry.txn as { timeOut: number }).timeOut);
    else if (entry.hdr.type === OpCode.closeSession) this.sessions.delete(entry.hdr.clientId);
  }
}

export function encodeEntry(entry: LogEntry): Uint8Array {
  return encodeEntries([entry]);
}

export function decodeEntry(data: Uint8Array): LogEntry {
  const r = readEntryAt(data, 0);
  if (r.kind !== 'entry') throw new Error(`sim: bad entry bytes (${r.kind === 'bad' ? r.reason : 'empty'})`);
  return r.entry;
}

export function applyEntry(tree: DataTree, e: Entry): ReturnType<DataTree['processTxn']> & { entry: LogEntry } {
  const entry = decodeEntry(e.data);
  if (entry.hdr.zxid !== e.zxid) throw new Error(`sim: entry zxid ${entry.hdr.zxid} inside zab entry ${e.zxid}`);
  return { ...tree.processTxn(entry.hdr, entry.txn), entry };
}

/** A SNAP payload: every applied entry, each framed by the log codec (concatenation parses). */
export function encodeSnapshot(entries: readonly Entry[]): Uint8Array {
  const parts = entries.map((e) => e.data);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function decodeSnapshot(data: Uint8Array): Entry[] {
  const out: Entry[] = [];
  let at = 0;
  for (;;) {
    const r = readEntryAt(data, at);
    if (r.kind === 'end') return out;
    if (r.kind === 'bad') throw new Error(`sim: bad snapshot at byte ${at}: ${r.reason}`);
    out.push({ zxid: r.entry.hdr.zxid, data: data.slice(at, r.next) });
    at = r.next;
  }
}
