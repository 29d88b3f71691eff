// A deterministic, pure simulation of one ensemble running an election strategy: a virtual
// clock, a seeded network (delay, loss, partitions, crashes) and a small model of what ZAB does
// with the result. The same seed gives the same run. Tests use it to check the strategies;
// simulateElection runs many seeded trials and returns message and time statistics.
//
// The ZAB model: a peer elected leader is "established" once a quorum of voters (itself
// included) that it can reach are following it; the runtime then settles all of them with a new
// epoch (max currentEpoch + 1). A leader not established within syncTimeoutMs, or one that loses
// its quorum for failureDetectionMs, looks again; so does a follower whose leader is down or
// unreachable for failureDetectionMs, or is up but not an established leader syncTimeoutMs after
// the follower's decision. A follower whose chosen leader decided to follow or observe someone
// else looks again at once (zab's NOTLEADER answer to its FOLLOWERINFO).

import { decodeElectionMessage, encodeElectionMessage, type ElectionMessage } from './messages.js';
import { mixSeed, seededRandom } from './random.js';
import type { ElectedOutput, ElectionOutput, ElectionStrategy, ElectionStrategyFactory } from './spi.js';
import type { ElectionTiming } from './timing.js';
import { majorityOf, type QuorumCheck, type ServerId, type Vote } from './vote.js';

export interface SimulatedNetwork {
  /** Each message is delayed uniformly in [delayMsMin, delayMsMax]. */
  readonly delayMsMin: number;
  readonly delayMsMax: number;
  /** Probability in [0, 1) that a message is dropped. */
  readonly lossRate: number;
}

export const SIMULATED_NETWORK_DEFAULTS: SimulatedNetwork = Object.freeze({ delayMsMin: 1, delayMsMax: 5, lossRate: 0 });
export const SIMULATION_TICK_MS_DEFAULT = 10;
export const SIMULATION_SYNC_TIMEOUT_MS_DEFAULT = 500;
export const SIMULATION_FAILURE_DETECTION_MS_DEFAULT = 100;
/** Upper bound on virtual time one run may cover, and on queued messages: a runaway run fails loudly. */
export const SIMULATION_VIRTUAL_MS_MAX = 3_600_000;
export const SIMULATION_QUEUED_MESSAGES_MAX = 1_000_000;

export interface ElectionClusterOptions {
  readonly strategy: ElectionStrategyFactory;
  readonly voters: readonly ServerId[];
  readonly observers?: readonly ServerId[];
  readonly seed: number;
  /** Each server's last logged zxid and current epoch at start (default 0 and 0). */
  readonly lastZxid?: (id: ServerId) => number;
  readonly currentEpoch?: (id: ServerId) => number;
  readonly network?: Partial<SimulatedNetwork>;
  readonly timing?: Partial<ElectionTiming>;
  readonly tickMs?: number;
  readonly syncTimeoutMs?: number;
  readonly failureDetectionMs?: number;
  /**
   * Model zab's NOTLEADER (default true): a follower whose chosen leader decided to follow someone
   * else looks again at once. false = it waits syncTimeoutMs, as before zab had the reply.
   */
  readonly notLeaderReply?: boolean;
  /** Send every message through encode/decode (default true), as a real transport would. */
  readonly encodeMessages?: boolean;
}

export type SimulatedRole = 'down' | 'looking' | 'leading' | 'following' | 'observing';

interface SimServer {
  readonly id: ServerId;
  readonly voter: boolean;
  alive: boolean;
  /** Bumped on every crash, so messages queued for an earlier life are dropped. */
  incarnation: number;
  strategy: ElectionStrategy | null;
  lastZxid: number;
  currentEpoch: number;
  elected: ElectedOutput | null;
  electedAtMs: number;
  settled: boolean;
  established: boolean;
  settledVote: Vote | null;
  troubleSinceMs: number | null;
  looks: number;
}

interface QueuedMessage {
  readonly atMs: number;
  readonly seq: number;
  readonly from: ServerId;
  readonly to: ServerId;
  readonly toIncarnation: number;
  readonly payload: Uint8Array | ElectionMessage;
}

export interface ElectedEvent {
  readonly atMs: number;
  readonly id: ServerId;
  readonly output: ElectedOutput;
}

export class ElectionCluster {
  readonly voters: readonly ServerId[];
  readonly observers: readonly ServerId[];
  readonly quorum: QuorumCheck;
  nowMs = 0;
  messagesSent = 0;
  messagesDelivered = 0;
  messagesDropped = 0;
  readonly electedLog: ElectedEvent[] = [];
  private readonly options: ElectionClusterOptions;
  private readonly servers = new Map<ServerId, SimServer>();
  private readonly networkRandom: () => number;
  private network: SimulatedNetwork;
  private readonly queue: QueuedMessage[] = [];
  private seq = 0;
  private nextTickAtMs: number;
  private readonly tickMs: number;
  private readonly syncTimeoutMs: number;
  private readonly failureDetectionMs: number;
  private groupOf = new Map<ServerId, number>();

  constructor(options: ElectionClusterOptions) {
    this.options = options;
    this.voters = [...options.voters];
    this.observers = [...(options.observers ?? [])];
    this.quorum = majorityOf(this.voters);
    this.network = checkNetwork({ ...SIMULATED_NETWORK_DEFAULTS, ...options.network });
    this.networkRandom = seededRandom(mixSeed(options.seed, 0x6e6574));
    this.tickMs = positive('tickMs', options.tickMs ?? SIMULATION_TICK_MS_DEFAULT);
    this.syncTimeoutMs = positive('syncTimeoutMs', options.syncTimeoutMs ?? SIMULATION_SYNC_TIMEOUT_MS_DEFAULT);
    this.failureDetectionMs = positive('failureDetectionMs', options.failureDetectionMs ?? SIMULATION_FAILURE_DETECTION_MS_DEFAULT);
    this.nextTickAtMs = this.tickMs;
    for (const id of [...this.voters, ...this.observers]) {
      if (this.servers.has(id)) throw new RangeError(`ElectionCluster: server ${id} listed twice`);
      this.servers.set(id, {
        id, voter: this.voters.includes(id), alive: false, incarnation: 0, strategy: null,
        lastZxid: options.lastZxid?.(id) ?? 0, currentEpoch: options.currentEpoch?.(id) ?? 0,
        elected: null, electedAtMs: 0, settled: false, established: false, settledVote: null, troubleSinceMs: null, looks: 0,
      });
    }
  }

  get serverIds(): ServerId[] {
    return [...this.servers.keys()];
  }

  /** Boots these servers (default: all) and has them look for a leader. */
  start(ids: readonly ServerId[] = this.serverIds): void {
    for (const id of ids) {
      const server = this.server(id);
      if (server.alive) throw new Error(`ElectionCluster: server ${id} is already running`);
      server.alive = true;
      server.strategy = this.options.strategy.create({
        self: id, voters: this.voters, observers: this.observers,
        random: seededRandom(mixSeed(this.options.seed, id * 31 + server.incarnation)),
        ...(this.options.timing ? { timing: this.options.timing } : {}),
      });
      this.look(server);
    }
  }

  /** Stops a server: its state is lost (but not its log: lastZxid and currentEpoch survive). */
  crash(id: ServerId): void {
    const server = this.server(id);
    server.alive = false;
    server.incarnation += 1;
    server.strategy = null;
    server.elected = null;
    server.settled = false;
    server.established = false;
    server.settledVote = null;
  }

  restart(id: ServerId): void {
    if (this.server(id).alive) this.crash(id);
    this.start([id]);
  }

  /** Only servers in the same group talk; servers not listed are each isolated. */
  partition(...groups: readonly ServerId[][]): void {
    this.groupOf = new Map();
    let next = 1;
    for (const group of groups) {
      for (const id of group) this.groupOf.set(id, next);
      next += 1;
    }
    for (const id of this.servers.keys()) if (!this.groupOf.has(id)) this.groupOf.set(id, next++);
  }

  heal(): void {
    this.groupOf = new Map();
  }

  setNetwork(network: Partial<SimulatedNetwork>): void {
    this.network = checkNetwork({ ...this.network, ...network });
  }

  /** Pretends the ensemble wrote to this server's log (e.g. before a leader crash). */
  setLastZxid(id: ServerId, zxid: number): void {
    this.server(id).lastZxid = zxid;
  }

  connected(a: ServerId, b: ServerId): boolean {
    return (this.groupOf.get(a) ?? 0) === (this.groupOf.get(b) ?? 0);
  }

  role(id: ServerId): SimulatedRole {
    const server = this.server(id);
    if (!server.alive) return 'down';
    return server.elected?.state ?? 'looking';
  }

  /** How many times this server called lookForLeader. */
  looks(id: ServerId): number {
    return this.server(id).looks;
  }

  lastZxid(id: ServerId): number {
    return this.server(id).lastZxid;
  }

  currentEpoch(id: ServerId): number {
    return this.server(id).currentEpoch;
  }

  strategyOf(id: ServerId): ElectionStrategy | null {
    return this.server(id).strategy;
  }

  /** Whether this server's role is settled (the modelled ZAB established it). */
  isSettled(id: ServerId): boolean {
    return this.server(id).settled;
  }

  /**
   * The established leader when the run is stable: exactly one live established leader, and
   * every live server that can reach it settled following or observing it. Else null.
   */
  stableLeader(): ServerId | null {
    const leaders = [...this.servers.values()].filter((s) => s.alive && s.established);
    if (leaders.length !== 1) return null;
    const leader = leaders[0]!;
    for (const s of this.servers.values()) {
      if (!s.alive || s === leader || !this.connected(s.id, leader.id)) continue;
      if (!s.settled || s.elected?.leader !== leader.id) return null;
    }
    return leader.id;
  }

  /** Runs until `done()` holds (checked after every tick) or `maxMs` of virtual time passed. */
  runUntil(done: () => boolean, maxMs: number): boolean {
    const deadline = this.nowMs + positive('maxMs', maxMs);
    if (done()) return true;
    while (this.nowMs < deadline) {
      this.advanceTo(Math.min(this.nextTickAtMs, deadline));
      if (done()) return true;
    }
    return false;
  }

  runFor(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  private advanceTo(targetMs: number): void {
    if (targetMs > SIMULATION_VIRTUAL_MS_MAX) throw new RangeError(`ElectionCluster: virtual time ${targetMs} ms exceeds SIMULATION_VIRTUAL_MS_MAX`);
    for (;;) {
      const next = this.queue[0];
      const at = Math.min(next?.atMs ?? Infinity, this.nextTickAtMs);
      if (at > targetMs) break;
      this.nowMs = at;
      if (next !== undefined && next.atMs <= this.nextTickAtMs) {
        heapPop(this.queue);
        this.deliver(next);
      } else {
        this.tick();
        this.nextTickAtMs += this.tickMs;
      }
    }
    this.nowMs = targetMs;
  }

  private deliver(m: QueuedMessage): void {
    const to = this.servers.get(m.to)!;
    if (!to.alive || to.incarnation !== m.toIncarnation || !to.strategy || !this.connected(m.from, m.to)) {
      this.messagesDropped += 1;
      return;
    }
    this.messagesDelivered += 1;
    const msg = m.payload instanceof Uint8Array ? decodeElectionMessage(m.payload) : m.payload;
    this.handle(to, to.strategy.step({ kind: 'message', from: m.from, msg }, this.nowMs));
  }

  private tick(): void {
    for (const server of this.servers.values()) {
      if (server.alive && server.strategy) this.handle(server, server.strategy.step({ kind: 'tick' }, this.nowMs));
    }
    this.modelZab();
  }

  private handle(server: SimServer, outputs: readonly ElectionOutput[]): void {
    for (const output of outputs) {
      if (output.kind === 'send') this.send(server.id, output.to, output.msg);
      else {
        this.electedLog.push({ atMs: this.nowMs, id: server.id, output });
        server.elected = output;
        server.electedAtMs = this.nowMs;
        server.settled = false;
        server.established = false;
        server.troubleSinceMs = null;
      }
    }
  }

  private send(from: ServerId, to: ServerId, msg: ElectionMessage): void {
    this.messagesSent += 1;
    const target = this.servers.get(to);
    if (!target || to === from || !this.connected(from, to) || this.networkRandom() < this.network.lossRate) {
      this.messagesDropped += 1;
      return;
    }
    if (this.queue.length >= SIMULATION_QUEUED_MESSAGES_MAX) throw new RangeError('ElectionCluster: SIMULATION_QUEUED_MESSAGES_MAX queued messages');
    const { delayMsMin, delayMsMax } = this.network;
    const delay = delayMsMin + Math.floor(this.networkRandom() * (delayMsMax - delayMsMin + 1));
    const payload = this.options.encodeMessages === false ? msg : encodeElectionMessage(msg);
    heapPush(this.queue, { atMs: this.nowMs + delay, seq: this.seq++, from, to, toIncarnation: target.incarnation, payload });
  }

  private look(server: SimServer): void {
    server.elected = null;
    server.settled = false;
    server.established = false;
    server.settledVote = null;
    server.troubleSinceMs = null;
    server.looks += 1;
    this.handle(server, server.strategy!.lookForLeader({ lastZxid: server.lastZxid, currentEpoch: server.currentEpoch }, this.nowMs));
  }

  /** What ZAB would do with the election results; see the file comment. */
  private modelZab(): void {
    const now = this.nowMs;
    for (const server of this.servers.values()) {
      if (!server.alive || !server.elected) continue;
      if (server.elected.state === 'leading') {
        const supporters = new Set<ServerId>([server.id]);
        for (const other of this.servers.values()) {
          if (other.alive && other.voter && other.elected?.state === 'following' && other.elected.leader === server.id && this.connected(other.id, server.id)) {
            supporters.add(other.id);
          }
        }
        const hasQuorum = this.quorum.containsQuorum(supporters);
        if (!server.established) {
          if (hasQuorum) this.establish(server, supporters);
          else if (now - server.electedAtMs >= this.syncTimeoutMs) this.look(server);
        } else if (hasQuorum) {
          server.troubleSinceMs = null;
        } else if (this.troubleFor(server, now)) {
          this.look(server);
        }
        continue;
      }
      const leader = this.servers.get(server.elected.leader);
      if (leader === undefined || !leader.alive || !this.connected(server.id, leader.id)) {
        if (this.troubleFor(server, now)) this.look(server);
        continue;
      }
      server.troubleSinceMs = null;
      if (leader.elected?.state === 'leading' && leader.established) {
        if (!server.settled) this.settle(server, server.elected.state, leader.settledVote!);
      } else if (!server.settled && this.options.notLeaderReply !== false && (leader.elected?.state === 'following' || leader.elected?.state === 'observing')) {
        // The chosen leader decided to follow someone else: it answers our FOLLOWERINFO with
        // NOTLEADER (@zkts/zab) and we look again at once.
        this.look(server);
      } else if (now - server.electedAtMs >= this.syncTimeoutMs) {
        // The leader is up but not leading (yet, or any more): ZAB's initLimit runs out.
        this.look(server);
      }
    }
  }

  private troubleFor(server: SimServer, now: number): boolean {
    server.troubleSinceMs ??= now;
    return now - server.troubleSinceMs >= this.failureDetectionMs;
  }

  private establish(leader: SimServer, supporters: ReadonlySet<ServerId>): void {
    let epoch = leader.currentEpoch;
    for (const id of supporters) epoch = Math.max(epoch, this.server(id).currentEpoch);
    const vote: Vote = { leader: leader.id, zxid: leader.lastZxid, peerEpoch: epoch + 1 };
    leader.established = true;
    this.settle(leader, 'leading', vote);
    for (const id of supporters) if (id !== leader.id) this.settle(this.server(id), 'following', vote);
  }

  /** ZAB synchronized this server with the leader: it has the leader's log and the new epoch. */
  private settle(server: SimServer, state: 'leading' | 'following' | 'observing', vote: Vote): void {
    server.currentEpoch = vote.peerEpoch;
    server.lastZxid = vote.zxid;
    server.settledVote = vote;
    server.settled = true;
    server.strategy!.settle(state, vote, this.nowMs);
  }

  private server(id: ServerId): SimServer {
    const server = this.servers.get(id);
    if (!server) throw new RangeError(`ElectionCluster: no server ${id}`);
    return server;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ElectionCluster: ${name} must be a positive number, got ${value}`);
  return value;
}

function checkNetwork(n: SimulatedNetwork): SimulatedNetwork {
  if (!Number.isInteger(n.delayMsMin) || n.delayMsMin < 0 || !Number.isInteger(n.delayMsMax) || n.delayMsMax < n.delayMsMin) {
    throw new RangeError(`ElectionCluster: network delay must be integers 0 <= delayMsMin <= delayMsMax, got ${n.delayMsMin}..${n.delayMsMax}`);
  }
  if (!(n.lossRate >= 0 && n.lossRate < 1)) throw new RangeError(`ElectionCluster: network lossRate must be in [0, 1), got ${n.lossRate}`);
  return n;
}

// A binary min-heap on (atMs, seq): deterministic order for messages due at the same time.
function before(a: QueuedMessage, b: QueuedMessage): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

function heapPush(heap: QueuedMessage[], item: QueuedMessage): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: QueuedMessage[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
}
