// An in-process network of PeerTransports: seeded delays and faults, partitions, crashes and
// restarts, link events, per-link counters and a delivery trace. All time comes from the injected
// Scheduler and all chance from the injected random(), so a seed replays a run exactly.
import { Subject, type Observable } from 'rxjs';
import type { PeerEnvelope, PeerLinkEvent, PeerTransport, ServerId } from '@zkts/transport';
import { NO_FAULTS, mergeFaults, type LinkFaults, type ResolvedLinkFaults } from './faults.js';
import { seededRandom, type Cancel, type Scheduler } from './scheduler.js';

/** Why a message was not delivered. */
export type DropReason =
  /** The sender was closed or crashed when it sent. */
  | 'sender-down'
  /** The receiver was not running (never joined, crashed, closed). */
  | 'receiver-down'
  /** A partition or cut blocks this direction. */
  | 'cut'
  /** Chosen by the loss probability. */
  | 'loss'
  /** In flight when the link broke (crash, close, reported partition). */
  | 'link-reset';

/** One entry of the network's trace. `seq` numbers sends; a duplicate keeps its original's seq. */
export type NetworkEvent =
  | {
      readonly type: 'deliver';
      readonly at: number;
      readonly seq: number;
      readonly from: ServerId;
      readonly to: ServerId;
      readonly msg: Uint8Array;
      readonly sentAt: number;
      readonly duplicate: boolean;
    }
  | {
      readonly type: 'drop';
      readonly at: number;
      readonly seq: number;
      readonly from: ServerId;
      readonly to: ServerId;
      readonly msg: Uint8Array;
      readonly sentAt: number;
      readonly duplicate: boolean;
      readonly reason: DropReason;
    }
  | { readonly type: 'link'; readonly at: number; readonly observer: ServerId; readonly peer: ServerId; readonly up: boolean }
  | { readonly type: 'start' | 'crash' | 'close'; readonly at: number; readonly server: ServerId };

/** Counters of one directed link (from -> to). `sent` counts send() calls. */
export interface LinkStats {
  sent: number;
  delivered: number;
  duplicated: number;
  dropped: number;
  droppedBy: Record<DropReason, number>;
}

export interface MemoryNetworkOptions extends LinkFaults {
  readonly scheduler: Scheduler;
  /** Source of every random choice; default seededRandom(1). Pass a seeded one to vary runs. */
  readonly random?: (() => number) | undefined;
  /**
   * Whether a partition breaks links (links$ down, in-flight messages lost), as when TCP gives
   * up on a connection. false models a silent network: messages across the cut are dropped with
   * no link event, which breaks the contract's "loss only when a link breaks" (a nemesis tool).
   * Default true.
   */
  readonly reportPartitions?: boolean | undefined;
  /** Delay between a topology change and the links$ events it causes. Default 0. */
  readonly linkEventDelayMs?: number | undefined;
}

interface InFlight {
  readonly seq: number;
  readonly from: ServerId;
  readonly to: ServerId;
  readonly msg: Uint8Array;
  readonly sentAt: number;
  readonly duplicate: boolean;
  /** Generation of the pair's link when sent: a message never survives a link reset. */
  readonly generation: number;
  readonly dueAt: number;
}

/** A directed link's FIFO queue: only its head has a scheduled delivery. */
interface Lane {
  queue: InFlight[];
  lastDueAt: number;
  cancel: Cancel | null;
}

const DROP_REASONS: readonly DropReason[] = ['sender-down', 'receiver-down', 'cut', 'loss', 'link-reset'];

function directedKey(from: ServerId, to: ServerId): string {
  return `${from}>${to}`;
}
function pairKey(a: ServerId, b: ServerId): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
function newStats(): LinkStats {
  const droppedBy = {} as Record<DropReason, number>;
  for (const r of DROP_REASONS) droppedBy[r] = 0;
  return { sent: 0, delivered: 0, duplicated: 0, dropped: 0, droppedBy };
}
function assertServerId(id: ServerId, where: string): void {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`${where}: server id ${id} is not a non-negative integer`);
}

export class MemoryNetwork {
  readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly reportPartitions: boolean;
  private readonly linkEventDelayMs: number;
  private globalFaults: ResolvedLinkFaults;
  private readonly linkFaults = new Map<string, LinkFaults>();
  /** Running transports by id. */
  private readonly running = new Map<ServerId, MemoryPeerTransport>();
  /** Every id that ever joined, ascending (the iteration order of link events). */
  private known: ServerId[] = [];
  private groupOf: Map<ServerId, number> | null = null;
  private readonly isolated = new Set<ServerId>();
  private readonly oneWayCuts = new Set<string>();
  private readonly linkUp = new Map<string, boolean>();
  private readonly generation = new Map<string, number>();
  private readonly lanes = new Map<string, Lane>();
  private readonly counters = new Map<string, LinkStats>();
  private readonly observers = new Set<(e: NetworkEvent) => void>();
  private reconcileScheduled = false;
  private nextSeq = 1;

  constructor(options: MemoryNetworkOptions) {
    this.scheduler = options.scheduler;
    this.random = options.random ?? seededRandom(1);
    this.reportPartitions = options.reportPartitions ?? true;
    this.linkEventDelayMs = options.linkEventDelayMs ?? 0;
    if (!(this.linkEventDelayMs >= 0 && Number.isFinite(this.linkEventDelayMs))) {
      throw new RangeError(`MemoryNetwork linkEventDelayMs: ${this.linkEventDelayMs} is not a finite number >= 0`);
    }
    this.globalFaults = mergeFaults(NO_FAULTS, options, 'MemoryNetwork');
  }

  // ---- membership ----

  /** Starts a transport for `id` (a new incarnation if it ran before). Throws if `id` is running. */
  join(id: ServerId): MemoryPeerTransport {
    assertServerId(id, 'MemoryNetwork.join');
    if (this.running.has(id)) throw new Error(`MemoryNetwork.join: server ${id} is already running (crash or close it first)`);
    if (!this.known.includes(id)) this.known = [...this.known, id].sort((a, b) => a - b);
    const t = new MemoryPeerTransport(this, id);
    this.running.set(id, t);
    this.emit({ type: 'start', at: this.scheduler.now(), server: id });
    this.topologyChanged();
    return t;
  }

  /** The running transport of `id`, if any. */
  transport(id: ServerId): MemoryPeerTransport | undefined {
    return this.running.get(id);
  }

  /** Ids running now, ascending. */
  runningIds(): ServerId[] {
    return this.known.filter((id) => this.running.has(id));
  }

  /**
   * Kills `id`'s transport as if its process died: it stops sending and receiving, its streams
   * complete, what it had in flight is lost, and the others see their link to it go down.
   */
  crash(id: ServerId): void {
    const t = this.running.get(id);
    if (t === undefined) throw new Error(`MemoryNetwork.crash: server ${id} is not running`);
    this.stop(t, 'crash');
  }

  /** crash(id) if it is running, then a fresh transport for it. */
  restart(id: ServerId): MemoryPeerTransport {
    if (this.running.has(id)) this.crash(id);
    return this.join(id);
  }

  // ---- partitions ----

  /**
   * Only servers in the same group can talk; an id in no group is alone. Replaces any earlier
   * partition (isolate/cutLink stay). Every server can always talk to itself.
   */
  partition(groups: readonly (readonly ServerId[])[]): void {
    const groupOf = new Map<ServerId, number>();
    groups.forEach((group, i) => {
      for (const id of group) {
        assertServerId(id, 'MemoryNetwork.partition');
        if (groupOf.has(id)) throw new RangeError(`MemoryNetwork.partition: server ${id} is in two groups`);
        groupOf.set(id, i);
      }
    });
    this.groupOf = groupOf;
    this.topologyChanged();
  }

  /** Cuts `id` off from every other server, on top of the current partition. */
  isolate(id: ServerId): void {
    assertServerId(id, 'MemoryNetwork.isolate');
    this.isolated.add(id);
    this.topologyChanged();
  }

  /** Blocks from -> to (and to -> from unless oneWay). A one-way cut is a nemesis: TCP would break the link. */
  cutLink(from: ServerId, to: ServerId, options: { oneWay?: boolean } = {}): void {
    assertServerId(from, 'MemoryNetwork.cutLink');
    assertServerId(to, 'MemoryNetwork.cutLink');
    this.oneWayCuts.add(directedKey(from, to));
    if (options.oneWay !== true) this.oneWayCuts.add(directedKey(to, from));
    this.topologyChanged();
  }

  /** Removes the cutLink()s between a and b (both directions). */
  healLink(a: ServerId, b: ServerId): void {
    this.oneWayCuts.delete(directedKey(a, b));
    this.oneWayCuts.delete(directedKey(b, a));
    this.topologyChanged();
  }

  /** Removes every partition, isolation and cut. */
  heal(): void {
    this.groupOf = null;
    this.isolated.clear();
    this.oneWayCuts.clear();
    this.topologyChanged();
  }

  /** Whether from -> to is blocked by a partition, isolation or cut. */
  isCut(from: ServerId, to: ServerId): boolean {
    if (from === to) return false;
    if (this.isolated.has(from) || this.isolated.has(to)) return true;
    if (this.oneWayCuts.has(directedKey(from, to))) return true;
    if (this.groupOf !== null) {
      const a = this.groupOf.get(from);
      const b = this.groupOf.get(to);
      return a === undefined || b === undefined || a !== b;
    }
    return false;
  }

  /** Whether the link between a and b is up: both running and (if partitions are reported) not cut. */
  isLinkUp(a: ServerId, b: ServerId): boolean {
    if (a === b || !this.running.has(a) || !this.running.has(b)) return false;
    return !this.reportPartitions || (!this.isCut(a, b) && !this.isCut(b, a));
  }

  // ---- faults ----

  /** Changes the global fault settings (fields not given stay). */
  configure(faults: LinkFaults): void {
    this.globalFaults = mergeFaults(this.globalFaults, faults, 'MemoryNetwork.configure');
    for (const [key, over] of this.linkFaults) mergeFaults(this.globalFaults, over, `MemoryNetwork link ${key}`);
  }

  /** Overrides the global settings for from -> to (undefined removes the override). */
  configureLink(from: ServerId, to: ServerId, faults: LinkFaults | undefined): void {
    const key = directedKey(from, to);
    if (faults === undefined) {
      this.linkFaults.delete(key);
      return;
    }
    mergeFaults(this.globalFaults, faults, `MemoryNetwork.configureLink ${key}`);
    this.linkFaults.set(key, faults);
  }

  /** The settings from -> to uses now. */
  faults(from: ServerId, to: ServerId): ResolvedLinkFaults {
    const over = this.linkFaults.get(directedKey(from, to));
    return over === undefined ? this.globalFaults : mergeFaults(this.globalFaults, over, 'MemoryNetwork link');
  }

  // ---- observation ----

  /** Calls fn with every event of the network (deliveries, drops, link events, starts, crashes). */
  observe(fn: (event: NetworkEvent) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  /** Counters of from -> to (a copy). */
  linkStats(from: ServerId, to: ServerId): LinkStats {
    const s = this.counters.get(directedKey(from, to)) ?? newStats();
    return { ...s, droppedBy: { ...s.droppedBy } };
  }

  /** Counters of every link that carried a send, and their sum. */
  stats(): { links: ({ from: ServerId; to: ServerId } & LinkStats)[]; total: LinkStats } {
    const total = newStats();
    const links: ({ from: ServerId; to: ServerId } & LinkStats)[] = [];
    for (const [key, s] of this.counters) {
      const [from, to] = key.split('>').map(Number) as [number, number];
      links.push({ from, to, ...s, droppedBy: { ...s.droppedBy } });
      total.sent += s.sent;
      total.delivered += s.delivered;
      total.duplicated += s.duplicated;
      total.dropped += s.dropped;
      for (const r of DROP_REASONS) total.droppedBy[r] += s.droppedBy[r];
    }
    links.sort((a, b) => a.from - b.from || a.to - b.to);
    return { links, total };
  }

  /** Messages in flight now (scheduled, not yet delivered or dropped). */
  get inFlight(): number {
    let n = this.outOfBand;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }
  private outOfBand = 0;

  // ---- internals, called by MemoryPeerTransport ----

  /** @internal */
  send(sender: MemoryPeerTransport, to: ServerId, msg: Uint8Array): void {
    const from = sender.self;
    const now = this.scheduler.now();
    const stats = this.statsOf(from, to);
    stats.sent++;
    // The copy is the wire: later changes to the caller's buffer do not reach the receiver.
    const base = { seq: this.nextSeq++, from, to, msg: msg.slice(), sentAt: now, duplicate: false };
    if (this.running.get(from) !== sender) return this.drop(base, 'sender-down');
    if (to === from) {
      // Loopback: no faults, delivered on the next scheduler turn to this same incarnation.
      this.outOfBand++;
      this.scheduler.schedule(0, () => {
        this.outOfBand--;
        if (this.running.get(to) === sender) this.deliver(base);
        else this.drop(base, 'receiver-down');
      });
      return;
    }
    if (!this.running.has(to)) return this.drop(base, 'receiver-down');
    if (this.isCut(from, to)) return this.drop(base, 'cut');
    const faults = this.faults(from, to);
    if (faults.loss > 0 && this.random() < faults.loss) return this.drop(base, 'loss');
    const generation = this.generation.get(pairKey(from, to)) ?? 0;
    this.enqueue({ ...base, generation, dueAt: 0 }, faults);
    if (faults.duplicate > 0 && this.random() < faults.duplicate) {
      stats.duplicated++;
      this.enqueue({ ...base, duplicate: true, generation, dueAt: 0 }, faults);
    }
  }

  /** @internal */
  stop(t: MemoryPeerTransport, how: 'crash' | 'close'): void {
    if (this.running.get(t.self) !== t) return;
    this.running.delete(t.self);
    this.emit({ type: how, at: this.scheduler.now(), server: t.self });
    t.end();
    this.topologyChanged();
  }

  private enqueue(m: InFlight, faults: ResolvedLinkFaults): void {
    const { min, max } = faults.delayMs;
    const delay = max > min ? min + this.random() * (max - min) : min;
    const now = this.scheduler.now();
    if (faults.reorder > 0 && this.random() < faults.reorder) {
      this.outOfBand++;
      this.scheduler.schedule(delay, () => {
        this.outOfBand--;
        this.arrive(m);
      });
      return;
    }
    const key = directedKey(m.from, m.to);
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { queue: [], lastDueAt: now, cancel: null };
      this.lanes.set(key, lane);
    }
    // FIFO: never due before the message ahead of it.
    const dueAt = Math.max(now + delay, lane.lastDueAt);
    lane.lastDueAt = dueAt;
    lane.queue.push({ ...m, dueAt });
    if (lane.cancel === null) this.arm(lane);
  }

  private arm(lane: Lane): void {
    const head = lane.queue[0];
    if (head === undefined) return;
    lane.cancel = this.scheduler.schedule(Math.max(0, head.dueAt - this.scheduler.now()), () => {
      lane.cancel = null;
      const m = lane.queue.shift();
      if (m !== undefined) this.arrive(m);
      if (lane.cancel === null) this.arm(lane);
    });
  }

  private arrive(m: InFlight): void {
    if ((this.generation.get(pairKey(m.from, m.to)) ?? 0) !== m.generation) return this.drop(m, 'link-reset');
    if (!this.running.has(m.to)) return this.drop(m, 'receiver-down');
    if (this.isCut(m.from, m.to)) return this.drop(m, 'cut');
    this.deliver(m);
  }

  private deliver(m: Omit<InFlight, 'generation' | 'dueAt'>): void {
    const receiver = this.running.get(m.to)!;
    this.statsOf(m.from, m.to).delivered++;
    this.emit({ type: 'deliver', at: this.scheduler.now(), seq: m.seq, from: m.from, to: m.to, msg: m.msg, sentAt: m.sentAt, duplicate: m.duplicate });
    receiver.receive({ from: m.from, msg: m.msg });
  }

  private drop(m: Omit<InFlight, 'generation' | 'dueAt'>, reason: DropReason): void {
    const s = this.statsOf(m.from, m.to);
    s.dropped++;
    s.droppedBy[reason]++;
    this.emit({ type: 'drop', at: this.scheduler.now(), seq: m.seq, from: m.from, to: m.to, msg: m.msg, sentAt: m.sentAt, duplicate: m.duplicate, reason });
  }

  private statsOf(from: ServerId, to: ServerId): LinkStats {
    const key = directedKey(from, to);
    let s = this.counters.get(key);
    if (s === undefined) {
      s = newStats();
      this.counters.set(key, s);
    }
    return s;
  }

  private emit(e: NetworkEvent): void {
    for (const fn of this.observers) fn(e);
  }

  /** Recomputes every link; a link that went down gets a new generation and loses its queue. */
  private topologyChanged(): void {
    const ids = this.known;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = ids[i]!;
        const b = ids[j]!;
        const key = pairKey(a, b);
        const up = this.isLinkUp(a, b);
        const was = this.linkUp.get(key) ?? false;
        if (was === up) continue;
        this.linkUp.set(key, up);
        if (!up) {
          this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
          this.purge(a, b);
          this.purge(b, a);
        }
      }
    }
    if (!this.reconcileScheduled) {
      this.reconcileScheduled = true;
      this.scheduler.schedule(this.linkEventDelayMs, () => {
        this.reconcileScheduled = false;
        this.reconcileLinks();
      });
    }
  }

  private purge(from: ServerId, to: ServerId): void {
    const lane = this.lanes.get(directedKey(from, to));
    if (lane === undefined) return;
    lane.cancel?.();
    lane.cancel = null;
    const lost = lane.queue;
    lane.queue = [];
    lane.lastDueAt = this.scheduler.now();
    for (const m of lost) this.drop(m, 'link-reset');
  }

  /** Brings every running transport's reported link states in line with the network. */
  private reconcileLinks(): void {
    for (const id of this.known) {
      const t = this.running.get(id);
      if (t === undefined) continue;
      for (const peer of this.known) {
        if (peer === id) continue;
        const key = pairKey(id, peer);
        const actual = this.isLinkUp(id, peer) ? (this.generation.get(key) ?? 0) : null;
        const reported = t.reported.get(peer) ?? null;
        if (reported === actual) continue;
        if (reported !== null) this.reportLink(t, peer, false);
        if (this.running.get(id) !== t) break; // a subscriber closed it
        if (actual !== null) this.reportLink(t, peer, true, actual);
        if (this.running.get(id) !== t) break;
      }
    }
  }

  private reportLink(t: MemoryPeerTransport, peer: ServerId, up: boolean, generation?: number): void {
    if (up) t.reported.set(peer, generation!);
    else t.reported.delete(peer);
    this.emit({ type: 'link', at: this.scheduler.now(), observer: t.self, peer, up });
    t.link({ peer, up });
  }
}

/** One server's transport on a MemoryNetwork; made by MemoryNetwork.join/restart. */
export class MemoryPeerTransport implements PeerTransport {
  private readonly messages = new Subject<PeerEnvelope>();
  private readonly links = new Subject<PeerLinkEvent>();
  private ended = false;
  /** @internal Generation of each peer link last reported up. */
  readonly reported = new Map<ServerId, number>();

  readonly messages$: Observable<PeerEnvelope> = this.messages.asObservable();
  readonly links$: Observable<PeerLinkEvent> = this.links.asObservable();

  /** @internal */
  constructor(
    private readonly network: MemoryNetwork,
    readonly self: ServerId,
  ) {}

  /** True after close() or a crash. */
  get closed(): boolean {
    return this.ended;
  }

  send(to: ServerId, msg: Uint8Array): void {
    this.network.send(this, to, msg);
  }

  close(): Promise<void> {
    this.network.stop(this, 'close');
    return Promise.resolve();
  }

  /** @internal */
  receive(envelope: PeerEnvelope): void {
    if (!this.ended) this.messages.next(envelope);
  }

  /** @internal */
  link(event: PeerLinkEvent): void {
    if (!this.ended) this.links.next(event);
  }

  /** @internal */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.messages.complete();
    this.links.complete();
  }
}
