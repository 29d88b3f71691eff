import type { Entry, HardState } from './config.js';
import type { ZabMessage } from './messages.js';
import type { Zxid } from './zxid.js';

export type ZabRole = 'looking' | 'leading' | 'following' | 'observing';
/** ZAB's phases; a looking peer is in 'election'. */
export type ZabPhase = 'election' | 'discovery' | 'synchronization' | 'broadcast';

export interface RoleChange {
  readonly role: ZabRole;
  readonly phase: ZabPhase;
  /** The epoch being established or served (the accepted epoch while looking). */
  readonly epoch: number;
  readonly leader: number | null;
  /** Why the peer left its previous role, when it did so on its own. */
  readonly reason?: string | undefined;
}

export interface OutboundMessage {
  readonly to: number;
  readonly msg: ZabMessage;
}

/**
 * One batch of work for the runtime, carried out in this order:
 *  0. send the first `messagesBeforePersist` of `messages` (may happen at the same time as step 1);
 *  1. persist `hardState`; apply `truncateAfter` or install `snapshot`; append `entries`; flush durably;
 *  2. apply `committed` to the state machine, in order;
 *  3. send the rest of `messages`, in order (attach the serialized state to a SNAP message now: it is the state
 *     after step 2, which is the state at the SNAP's zxid);
 *  4. hand `forwarded`, `pingPayloads`, `syncsDone`, `roleChanged`, `needsElection` to the server;
 *  5. call `advance(ready)` before asking for the next Ready.
 */
export interface Ready {
  readonly hardState?: HardState | undefined;
  /** Drop every log entry after this zxid; a state machine that applied past it is rebuilt to it. */
  readonly truncateAfter?: Zxid | undefined;
  /** Replace state and log with this snapshot; the log continues after `zxid`. */
  readonly snapshot?: { readonly zxid: Zxid; readonly data: Uint8Array } | undefined;
  /** Append in order and flush before any message of this Ready past `messagesBeforePersist` goes out. */
  readonly entries: readonly Entry[];
  /** In a valid send order (FIFO per recipient kept). */
  readonly messages: readonly OutboundMessage[];
  /**
   * How many of the first `messages` may leave before this Ready's hard state and entries are
   * durable (an established leader's PROPOSAL / COMMIT / INFORM / PING: they claim nothing about
   * this peer's disk; its own ack counts only after advance()). Always 0 when the Ready carries a
   * hard state, truncation or snapshot. A runtime may ignore it and send everything after the flush.
   */
  readonly messagesBeforePersist: number;
  /** Apply in order after persisting. */
  readonly committed: readonly Entry[];
  /** Requests learners forwarded to this leader. */
  readonly forwarded: readonly { readonly from: number; readonly data: Uint8Array }[];
  /** Payloads that came with pings (from learners on a leader, from the leader on a learner). */
  readonly pingPayloads: readonly { readonly from: number; readonly data: Uint8Array }[];
  /** requestSync ids now satisfied: everything committed before them is applied with this Ready. */
  readonly syncsDone: readonly number[];
  readonly roleChanged?: RoleChange | undefined;
  /** The peer is looking: run an election and call becomeLeader/becomeFollower/becomeObserver. */
  readonly needsElection: boolean;
}

interface MutableReady {
  hardState?: HardState;
  truncateAfter?: Zxid;
  snapshot?: { zxid: Zxid; data: Uint8Array };
  entries: Entry[];
  /** Messages that may leave before the flush: for each recipient a prefix of what it is sent. */
  early: OutboundMessage[];
  messages: OutboundMessage[];
  /** Recipients that already have a message that must wait for the flush (their later ones wait too). */
  lateRecipients: Set<number>;
  committed: Entry[];
  forwarded: { from: number; data: Uint8Array }[];
  pingPayloads: { from: number; data: Uint8Array }[];
  syncsDone: number[];
  roleChanged?: RoleChange;
  needsElection: boolean;
  /** A SNAP message is queued: a later commit must not be applied before it is serialized. */
  hasSnapMessage: boolean;
}

function emptyReady(): MutableReady {
  return { entries: [], early: [], messages: [], lateRecipients: new Set(), committed: [], forwarded: [], pingPayloads: [], syncsDone: [], needsElection: false, hasSnapMessage: false };
}

function isEmpty(r: MutableReady): boolean {
  return r.hardState === undefined && r.truncateAfter === undefined && r.snapshot === undefined && r.entries.length === 0
    && r.early.length === 0 && r.messages.length === 0 && r.committed.length === 0 && r.forwarded.length === 0 && r.pingPayloads.length === 0
    && r.syncsDone.length === 0 && r.roleChanged === undefined && !r.needsElection;
}

/**
 * Accumulates outputs between ready() calls. Usually one batch; a new batch is sealed off where one
 * Ready could not keep the order (a commit after a SNAP message, a second role change).
 */
export class ReadyQueue {
  private readonly batches: MutableReady[] = [emptyReady()];

  private get current(): MutableReady {
    return this.batches[this.batches.length - 1]!;
  }

  private seal(): MutableReady {
    const next = emptyReady();
    this.batches.push(next);
    return next;
  }

  hardState(h: HardState): void { this.current.hardState = { acceptedEpoch: h.acceptedEpoch, currentEpoch: h.currentEpoch }; }
  truncateAfter(zxid: Zxid): void { this.current.truncateAfter = zxid; }
  snapshot(zxid: Zxid, data: Uint8Array): void { this.current.snapshot = { zxid, data }; }
  append(entry: Entry): void { this.current.entries.push(entry); }

  commit(entry: Entry): void {
    const batch = this.current.hasSnapMessage ? this.seal() : this.current;
    batch.committed.push(entry);
  }

  send(to: number, msg: ZabMessage): void {
    const batch = this.current;
    batch.messages.push({ to, msg });
    batch.lateRecipients.add(to);
    if (msg.type === 'snap') batch.hasSnapMessage = true;
  }

  /** A message that claims nothing about this peer's disk: it may leave before the flush, unless an earlier one to `to` must wait. */
  sendBeforePersist(to: number, msg: ZabMessage): void {
    if (this.current.lateRecipients.has(to)) this.send(to, msg);
    else this.current.early.push({ to, msg });
  }

  forwarded(from: number, data: Uint8Array): void { this.current.forwarded.push({ from, data }); }
  pingPayload(from: number, data: Uint8Array): void { this.current.pingPayloads.push({ from, data }); }
  syncDone(id: number): void { this.current.syncsDone.push(id); }

  roleChanged(change: RoleChange): void {
    const batch = this.current.roleChanged ? this.seal() : this.current;
    batch.roleChanged = change;
    if (change.role === 'looking') batch.needsElection = true;
  }

  clearNeedsElection(): void {
    for (const b of this.batches) b.needsElection = false;
  }

  /** Entries, commits, truncation, snapshot or hard state not yet handed out. */
  hasPendingStorage(): boolean {
    return this.batches.some((b) => b.hardState !== undefined || b.truncateAfter !== undefined || b.snapshot !== undefined
      || b.entries.length > 0 || b.committed.length > 0);
  }

  hasReady(): boolean {
    return this.batches.some((b) => !isEmpty(b));
  }

  take(): Ready {
    const first = this.batches.shift()!;
    if (this.batches.length === 0) this.batches.push(emptyReady());
    const { hasSnapMessage: _snap, early, lateRecipients: _late, messages, ...rest } = first;
    // Early ones first keeps each recipient's order (they are a per-recipient prefix). Nothing
    // leaves before a new epoch, truncation or snapshot is durable.
    const storageFirst = rest.hardState !== undefined || rest.truncateAfter !== undefined || rest.snapshot !== undefined;
    return { ...rest, messages: early.length > 0 ? [...early, ...messages] : messages, messagesBeforePersist: storageFirst ? 0 : early.length };
  }
}
