// A deterministic in-memory cluster of ZabPeers for tests: a virtual tick loop, a FIFO-per-link
// network with silent loss and partitions, crash/restart with durable logs, a per-peer state
// machine that records what it applied, and a trivial election oracle. Every message goes through
// encodeZabMessage/decodeZabMessage. Safety checks run live and throw with the seed in the message.
import {
  ZabPeer, decodeZabMessage, encodeZabMessage, zxidHex,
  type Entry, type HardState, type QuorumVerifier, type Ready, type RoleChange, type SyncMode, type ZabMessage, type Zxid,
} from '../index.js';
import { Prng } from './prng.js';

export interface ClusterOptions {
  readonly voters: number;
  readonly observers?: number;
  readonly seed: number;
  readonly initLimitTicks?: number;
  readonly syncLimitTicks?: number;
  readonly committedLogMax?: number;
  readonly zxidCounterLast?: number;
  /** Replaces every peer's quorum rule (planted-bug tests). */
  readonly quorum?: QuorumVerifier;
  /** Deliver a random share of the in-flight messages each tick instead of all (more interleavings). */
  readonly partialDelivery?: boolean;
  /** Cap on message deliveries in one tick (keeps a runaway bounded). */
  readonly deliveriesPerTickMax?: number;
  /**
   * Chance that a node crashes after sending a Ready's `messagesBeforePersist` messages and before
   * persisting it (a leader whose proposals left while its own fsync was still running).
   */
  readonly crashBeforePersistRate?: number;
  /** What a leader does with a forwarded request; default: propose it. */
  readonly onForwarded?: (leader: SimNode, from: number, data: Uint8Array) => void;
}

export interface SyncEvent { readonly tick: number; readonly leader: number; readonly learner: number; readonly mode: SyncMode; readonly zxid: Zxid }
export interface RoleEvent extends RoleChange { readonly tick: number; readonly id: number }

const text = new TextEncoder();
const untext = new TextDecoder();
export const bytes = (s: string): Uint8Array => text.encode(s);
export const str = (b: Uint8Array): string => untext.decode(b);

function serializeState(applied: readonly Entry[]): Uint8Array {
  return bytes(JSON.stringify(applied.map((e) => [e.zxid, str(e.data)])));
}
function deserializeState(data: Uint8Array): Entry[] {
  return (JSON.parse(str(data)) as [number, string][]).map(([zxid, d]) => ({ zxid, data: bytes(d) }));
}

export class SimNode {
  up = true;
  peer!: ZabPeer;
  // durable
  hard: HardState = { acceptedEpoch: 0, currentEpoch: 0 };
  log: Entry[] = [];
  snapshot: { zxid: Zxid; applied: Entry[] } | undefined;
  // volatile
  applied: Entry[] = [];
  needsElection = false;
  readonly syncsDone: number[] = [];
  /** For each finished sync id: the last zxid this node had applied when it was reported. */
  readonly syncAppliedAt = new Map<number, Zxid>();
  readonly pingPayloads: { from: number; data: string }[] = [];
  readonly forwarded: { from: number; data: string }[] = [];
  /** Ready.committed as handed out (not the replay at restart). */
  readonly committedOut: Entry[] = [];

  constructor(readonly id: number, readonly observer: boolean) {}

  get appliedZxid(): Zxid {
    return this.applied.length > 0 ? this.applied[this.applied.length - 1]!.zxid : 0;
  }
  get lastDurableZxid(): Zxid {
    return this.log.length > 0 ? this.log[this.log.length - 1]!.zxid : this.snapshot?.zxid ?? 0;
  }
  /** Order-sensitive digest of the applied state. */
  digest(): string {
    let h = 0x811c9dc5;
    for (const e of this.applied) {
      for (const c of `${e.zxid}:${str(e.data)};`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    }
    return `${zxidHex(this.appliedZxid)}/${this.applied.length}/${h.toString(16)}`;
  }
  hasDurably(zxid: Zxid): boolean {
    if (this.snapshot && this.snapshot.zxid >= zxid) return this.snapshot.applied.some((e) => e.zxid === zxid);
    return this.log.some((e) => e.zxid === zxid);
  }
}

interface InFlight { readonly from: number; readonly to: number; readonly bytes: Uint8Array }

export class SimCluster {
  readonly prng: Prng;
  readonly nodes = new Map<number, SimNode>();
  readonly voterIds: number[];
  readonly observerIds: number[];
  readonly syncEvents: SyncEvent[] = [];
  readonly roleEvents: RoleEvent[] = [];
  /** Who established leadership in each epoch. */
  readonly leadersByEpoch = new Map<number, Set<number>>();
  /** Every entry any peer applied from a Ready, by zxid (data as text). */
  readonly committedByZxid = new Map<Zxid, string>();
  /** Writes the leader reported committed. */
  readonly leaderCommits: Entry[] = [];
  now = 0;
  dropRate = 0;
  /** Chance that a message is delivered twice (right after itself). */
  duplicateRate = 0;
  deliveries = 0;
  /** Readies that sent messages before persisting, and crashes planted in that window. */
  earlySends = 0;
  crashesBeforePersist = 0;
  private readonly queues = new Map<string, InFlight[]>();
  private group = new Map<number, number>();
  private writeCounter = 0;

  constructor(readonly options: ClusterOptions) {
    this.prng = new Prng(options.seed);
    this.voterIds = Array.from({ length: options.voters }, (_, i) => i + 1);
    this.observerIds = Array.from({ length: options.observers ?? 0 }, (_, i) => options.voters + i + 1);
    for (const id of [...this.voterIds, ...this.observerIds]) {
      const node = new SimNode(id, this.observerIds.includes(id));
      this.nodes.set(id, node);
      this.boot(node);
    }
  }

  fail(message: string): never {
    throw new Error(`[seed ${this.options.seed}, tick ${this.now}] ${message}`);
  }

  node(id: number): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  private boot(node: SimNode): void {
    const o = this.options;
    node.applied = [...(node.snapshot?.applied ?? []), ...node.log];
    node.peer = new ZabPeer(
      {
        selfId: node.id, voters: this.voterIds, observers: this.observerIds,
        initLimitTicks: o.initLimitTicks ?? 5, syncLimitTicks: o.syncLimitTicks ?? 3,
        committedLogMax: o.committedLogMax ?? 50, zxidCounterLast: o.zxidCounterLast, quorum: o.quorum,
      },
      {
        ...node.hard, lastZxid: node.lastDurableZxid, logTail: node.log, tailPrevZxid: node.snapshot?.zxid ?? 0,
        snapshotZxid: node.snapshot?.zxid ?? 0,
      },
    );
    this.process(node);
  }

  // ---- the runtime: carry out Readies in order ----

  process(node: SimNode): void {
    while (node.up && node.peer.hasReady()) {
      const r = node.peer.ready();
      // What may leave before the flush does; the rest waits for it (the Ready contract).
      for (const { to, msg } of r.messages.slice(0, r.messagesBeforePersist)) this.send(node, to, msg);
      if (r.messagesBeforePersist > 0) {
        this.earlySends++;
        const rate = this.options.crashBeforePersistRate ?? 0;
        if (rate > 0 && this.prng.chance(rate)) {
          this.crashesBeforePersist++;
          this.crash(node.id);
          return;
        }
      }
      this.persist(node, r);
      this.apply(node, r);
      for (const { to, msg } of r.messages.slice(r.messagesBeforePersist)) this.send(node, to, msg);
      for (const f of r.forwarded) {
        node.forwarded.push({ from: f.from, data: str(f.data) });
        (this.options.onForwarded ?? ((leader, _from, data) => leader.peer.propose(data)))(node, f.from, f.data);
      }
      for (const p of r.pingPayloads) node.pingPayloads.push({ from: p.from, data: str(p.data) });
      node.syncsDone.push(...r.syncsDone);
      for (const id of r.syncsDone) node.syncAppliedAt.set(id, node.appliedZxid);
      if (r.roleChanged) this.onRoleChanged(node, r.roleChanged);
      if (r.needsElection) node.needsElection = true;
      node.peer.advance(r);
    }
  }

  private persist(node: SimNode, r: Ready): void {
    if (r.hardState) node.hard = r.hardState;
    if (r.truncateAfter !== undefined) {
      const z = r.truncateAfter;
      node.log = node.log.filter((e) => e.zxid <= z);
      if (node.appliedZxid > z) {
        if (node.snapshot && node.snapshot.zxid > z) this.fail(`node ${node.id}: TRUNC to ${zxidHex(z)} below its snapshot`);
        node.applied = node.applied.filter((e) => e.zxid <= z);
      }
    }
    if (r.snapshot) {
      const applied = deserializeState(r.snapshot.data);
      node.snapshot = { zxid: r.snapshot.zxid, applied };
      node.log = [];
      node.applied = [...applied];
    }
    for (const e of r.entries) {
      if (e.zxid <= node.lastDurableZxid) this.fail(`node ${node.id}: append ${zxidHex(e.zxid)} after ${zxidHex(node.lastDurableZxid)}`);
      node.log.push(e);
    }
  }

  private apply(node: SimNode, r: Ready): void {
    const leading = node.peer.currentRole === 'leading';
    for (const e of r.committed) {
      if (e.zxid <= node.appliedZxid) this.fail(`node ${node.id}: applies ${zxidHex(e.zxid)} after ${zxidHex(node.appliedZxid)}`);
      const data = str(e.data);
      const known = this.committedByZxid.get(e.zxid);
      if (known !== undefined && known !== data) this.fail(`zxid ${zxidHex(e.zxid)} committed as '${known}' and as '${data}' (node ${node.id})`);
      this.committedByZxid.set(e.zxid, data);
      node.applied.push(e);
      node.committedOut.push(e);
      if (leading) {
        const holders = this.voterIds.filter((id) => this.node(id).hasDurably(e.zxid));
        if (holders.length <= this.voterIds.length / 2) {
          this.fail(`leader ${node.id} committed ${zxidHex(e.zxid)} held durably only by ${holders.join(',')}`);
        }
        this.leaderCommits.push(e);
      }
    }
  }

  private onRoleChanged(node: SimNode, change: RoleChange): void {
    this.roleEvents.push({ ...change, tick: this.now, id: node.id });
    if (change.role === 'leading' && change.phase === 'broadcast') {
      const set = this.leadersByEpoch.get(change.epoch) ?? new Set<number>();
      set.add(node.id);
      this.leadersByEpoch.set(change.epoch, set);
      if (set.size > 1) this.fail(`two leaders established epoch ${change.epoch}: ${[...set].join(',')}`);
    }
  }

  // ---- the network ----

  connected(a: number, b: number): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  private send(node: SimNode, to: number, msg: ZabMessage): void {
    let out = msg;
    if (msg.type === 'snap') out = { ...msg, data: serializeState(node.applied) };
    if (msg.type === 'diff' || msg.type === 'trunc' || msg.type === 'snap') {
      this.syncEvents.push({ tick: this.now, leader: node.id, learner: to, mode: msg.type, zxid: msg.zxid });
    }
    const target = this.nodes.get(to);
    if (!target?.up || !this.connected(node.id, to)) return;
    if (this.dropRate > 0 && this.prng.chance(this.dropRate)) return;
    const key = `${node.id}>${to}`;
    const q = this.queues.get(key) ?? [];
    const m = { from: node.id, to, bytes: encodeZabMessage(out) };
    q.push(m);
    if (this.duplicateRate > 0 && this.prng.chance(this.duplicateRate)) q.push(m);
    this.queues.set(key, q);
  }

  /** Delivers one message from a random non-empty link; false when nothing is in flight. */
  deliverOne(): boolean {
    const links = [...this.queues.entries()].filter(([, q]) => q.length > 0);
    if (links.length === 0) return false;
    const [, q] = this.prng.pick(links);
    const m = q.shift()!;
    this.deliveries++;
    const target = this.node(m.to);
    if (!target.up || !this.connected(m.from, m.to)) return true;
    target.peer.step(m.from, decodeZabMessage(m.bytes));
    this.process(target);
    return true;
  }

  /** Delivers until nothing is in flight (bounded). */
  deliverAll(): void {
    const max = this.options.deliveriesPerTickMax ?? 20_000;
    for (let i = 0; i < max; i++) if (!this.deliverOne()) return;
  }

  inFlight(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private dropLinksOf(id: number): void {
    for (const [key, q] of this.queues) {
      const [from, to] = key.split('>').map(Number);
      if (from === id || to === id) q.length = 0;
    }
  }

  /** Splits the cluster; messages across groups are lost silently (nobody is told). */
  partition(...groups: number[][]): void {
    this.group = new Map();
    groups.forEach((g, i) => g.forEach((id) => this.group.set(id, i + 1)));
    for (const [key, q] of this.queues) {
      const [from, to] = key.split('>').map(Number);
      if (!this.connected(from!, to!)) q.length = 0;
    }
  }

  isolate(id: number): void {
    this.partition([id], [...this.nodes.keys()].filter((n) => n !== id));
  }

  heal(): void {
    this.group = new Map();
  }

  /** Kills a node: in-flight traffic is lost and its peers see the connection drop. */
  crash(id: number): void {
    const node = this.node(id);
    node.up = false;
    node.needsElection = false;
    this.dropLinksOf(id);
    for (const other of this.nodes.values()) {
      if (other.up && this.connected(id, other.id)) {
        other.peer.peerDisconnected(id);
        this.process(other);
      }
    }
  }

  restart(id: number): void {
    const node = this.node(id);
    if (node.up) throw new Error(`node ${id} is up`);
    node.up = true;
    this.boot(node);
  }

  // ---- the election oracle ----

  /** Looking peers join a reachable leader, or a reachable quorum of looking voters elects its best. */
  runElections(): void {
    const looking = () => [...this.nodes.values()].filter((n) => n.up && n.peer.currentRole === 'looking');
    for (const node of looking()) {
      const leader = [...this.nodes.values()].find((n) => n.up && n.id !== node.id && n.peer.currentRole === 'leading' && this.connected(n.id, node.id));
      if (leader) this.join(node, leader.id);
    }
    for (const node of looking()) {
      if (node.observer || node.peer.currentRole !== 'looking') continue;
      const group = looking().filter((n) => !n.observer && this.connected(n.id, node.id));
      if (!node.peer.config.quorum.containsQuorum(new Set(group.map((n) => n.id)))) continue;
      const best = group.reduce((a, b) => (this.voteKey(b) > this.voteKey(a) ? b : a));
      this.takeReady(best);
      best.peer.becomeLeader();
      this.process(best);
      for (const n of looking()) if (n.id !== best.id && this.connected(n.id, best.id)) this.join(n, best.id);
    }
  }

  /** (currentEpoch, lastZxid, id) as a sortable string: the oracle elects the largest. */
  private voteKey(n: SimNode): string {
    const s = n.peer.status();
    return [s.currentEpoch, s.lastLoggedZxid, n.id].map((v) => v.toString(16).padStart(16, '0')).join(':');
  }

  private takeReady(node: SimNode): void {
    this.process(node);
    node.needsElection = false;
  }

  private join(node: SimNode, leaderId: number): void {
    this.takeReady(node);
    if (node.observer) node.peer.becomeObserver(leaderId);
    else node.peer.becomeFollower(leaderId);
    this.process(node);
  }

  // ---- the clock ----

  tick(): void {
    this.now++;
    for (const node of this.nodes.values()) {
      if (!node.up) continue;
      node.peer.tick();
      this.process(node);
    }
    this.runElections();
    if (this.options.partialDelivery && this.partialDeliveryEnabled) {
      const n = this.prng.int(this.inFlight() + 1);
      for (let i = 0; i < n; i++) this.deliverOne();
    } else {
      this.deliverAll();
    }
  }

  /** Tests switch partial delivery off for their liveness phase. */
  partialDeliveryEnabled = true;

  runTicks(n: number): void {
    for (let i = 0; i < n; i++) this.tick();
  }

  runUntil(what: string, predicate: () => boolean, maxTicks = 200): void {
    for (let i = 0; i < maxTicks; i++) {
      if (predicate()) return;
      this.tick();
    }
    if (!predicate()) this.fail(`not reached within ${maxTicks} ticks: ${what}\n${this.describe()}`);
  }

  // ---- workload and observation ----

  /** Established leaders (more than one only while an old one has not noticed it lost its quorum). */
  leaders(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.up && n.peer.currentRole === 'leading' && n.peer.isServing);
  }

  leader(): SimNode | undefined {
    const ls = this.leaders();
    return ls.sort((a, b) => b.peer.status().epoch - a.peer.status().epoch)[0];
  }

  waitForLeader(maxTicks = 200): SimNode {
    this.runUntil('an established leader', () => this.leader() !== undefined, maxTicks);
    return this.leader()!;
  }

  /** Proposes `count` writes on the current leader; returns their zxids. */
  write(count = 1, leader = this.leader()): Zxid[] {
    if (!leader) this.fail('write without a leader');
    const zxids: Zxid[] = [];
    for (let i = 0; i < count; i++) zxids.push(leader.peer.propose(bytes(`w${++this.writeCounter}`)));
    this.process(leader);
    return zxids;
  }

  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.up);
  }

  /** Every up node serves (leader established, learners up to date) and applied the same state. */
  converged(): boolean {
    const up = this.upNodes();
    if (!up.every((n) => n.peer.isServing)) return false;
    const digests = new Set(up.map((n) => n.digest()));
    return digests.size === 1 && this.inFlight() === 0;
  }

  waitForConvergence(maxTicks = 300): void {
    this.runUntil('all up nodes serving with one digest', () => this.converged(), maxTicks);
  }

  describe(): string {
    return [...this.nodes.values()].map((n) => {
      const s = n.peer.status();
      return `  ${n.id}${n.observer ? 'o' : ''} ${n.up ? 'up' : 'down'} ${s.role}/${s.phase} e${s.epoch} leader=${s.leaderId} `
        + `acc=${s.acceptedEpoch} cur=${s.currentEpoch} logged=${zxidHex(s.lastLoggedZxid)} committed=${zxidHex(s.lastCommittedZxid)} `
        + `digest=${n.digest()} group=${this.group.get(n.id) ?? 0}`;
    }).join('\n');
  }
}
