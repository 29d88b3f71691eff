// The deterministic simulator: N servers (real zab + election + data-tree cores) and M clients
// over transport-memory, a virtual clock (ManualScheduler, ms), one seed for every random choice,
// a nemesis, a register workload recorded as a history, invariants checked as the run goes, then
// a liveness phase without faults that must converge, and the linearizability check.
import { CreateMode, ErrorCodeName, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { OutstandingChanges, prepareRequest, type WriteRequest } from '@zkts/data-tree';
import {
  decodeElectionMessage, electionStrategies, encodeElectionMessage,
  type ElectionOutput, type ElectionStrategyFactory, type Vote,
} from '@zkts/election';
import { COMMITTED_LOG_MAX_DEFAULT, MajorityQuorum, ZabPeer, decodeZabMessage, encodeZabMessage, zxidHex, type Entry, type QuorumVerifier, type Ready, type ZabMessage } from '@zkts/zab';
import { ManualScheduler, MemoryNetwork } from '@zkts/transport-memory';
import { HistoryRecorder, type HistoryEvent, type PendingOp } from './history.js';
import { SessionTracker } from '@zkts/session';
import { checkIds, checkLock, checkQueue, type FinalTree } from './workload-checks.js';
import { checkHistory, formatCheckResult, type CheckResult } from './linearizability.js';
import { resolveSimOptions, type SimOptions } from './options.js';
import { SimRandom } from './prng.js';
import { SimServer, applyEntry, decodeSnapshot, encodeEntry, encodeSnapshot } from './server.js';
import { Trace } from './trace.js';
import { parseScript, type ScriptAction } from './script.js';

const CHANNEL_ZAB = 0;
const CHANNEL_ELECTION = 1;
/**
 * "I closed our connection": what a TCP FIN tells the other side. A leader that steps down closes
 * every learner connection, a learner that gives up closes the one to its leader (ZooKeeper's
 * sockets do this); the receiver turns it into ZabPeer.peerDisconnected. Ordered with the rest of
 * the link's traffic, lost when the link is.
 */
const CHANNEL_CLOSED = 2;
const CLIENT_ID_BASE = 1000;
/** Sessions one client may open in a run (its session ids are spaced by this). */
export const SESSION_GENERATIONS_MAX = 1_000_000;
/** Share of membership operations that abandon the session instead of joining. */
export const MEMBERS_ABANDON_CHANCE = 0.15;
/** Polls of the lock's children before a waiter gives up (a tick apart). */
export const LOCK_POLLS_MAX = 50;
/** A dequeue retries on a contended head this many times before it reports a failure. */
export const QUEUE_DEQUEUE_ATTEMPTS_MAX = 3;
/** Most scheduler events one run may execute (a livelock guard). */
export const SIM_EVENTS_MAX = 50_000_000;
/** How often the seeded nemesis undoes a fault instead of adding one (restart, resume, heal). */
export const NEMESIS_RESTART_CHANCE = 0.5;
export const NEMESIS_RESUME_CHANCE = 0.6;
export const NEMESIS_HEAL_INSTEAD_OF_PARTITION_CHANCE = 0.3;
/** Chance per flush, with disk faults on, of a slow fsync (10-100 ms more). */
export const DISK_SLOW_FSYNC_CHANCE = 0.05;
/** Chance per client operation that the session moves to another server first. */
export const CLIENT_MOVE_CHANCE = 0.1;
/** Safety-phase virtual time allowed per requested operation (ops would need far less). */
export const SAFETY_MS_PER_OP_MAX = 200;

export type FailureKind = 'invariant' | 'liveness' | 'linearizability' | 'crash';

export interface SimFailure {
  kind: FailureKind;
  message: string;
  atMs: number;
}

export interface ElectionRecord {
  server: number;
  startMs: number;
  endMs: number;
  rounds: number;
  messages: number;
  state: string;
}

export interface SimResult {
  seed: number;
  options: SimOptions;
  ok: boolean;
  failure?: SimFailure;
  traceSha256: string;
  traceLines: number;
  traceTail: string[];
  trace?: string[];
  virtualMs: number;
  ops: { invoked: number; ok: number; fail: number; info: number };
  check?: CheckResult;
  elections: ElectionRecord[];
  /** Epochs established (leader changes). */
  epochs: number;
  messages: number;
  nemesis: string[];
  history: HistoryRecorder;
}

interface ClientRequest {
  cxid: number;
  session: number;
  op: 'read' | 'children' | 'write' | 'create' | 'createSeq' | 'createEphemeral' | 'createEphemeralSeq' | 'delete' | 'cas' | 'sync' | 'createSession' | 'ping';
  path: string;
  value?: string;
  version?: number;
  /** createSession: the timeout asked for. */
  timeoutMs?: number;
  lastZxid: number;
}
interface ClientReply {
  cxid: number;
  ok: boolean;
  err?: string;
  value?: string | null;
  version?: number;
  /** createSeq: the created path. */
  path?: string;
  children?: string[];
  zxid: number;
}
interface ForwardedWrite { origin: number; req: ClientRequest }

class SimClient {
  process: number;
  server: number;
  lastZxid = 0;
  cxid = 0;
  /** The recorded operation in progress (it may take several requests). */
  op: PendingOp | undefined;
  inFlight: { cxid: number; req: ClientRequest; then: (rep: ClientReply) => void; cancel: () => void } | undefined;
  readonly exists = new Set<string>();
  readonly lastRead = new Map<string, { value: string; version: number }>();
  writes = 0;
  transport!: ReturnType<MemoryNetwork['join']>;
  constructor(readonly index: number, process: number, server: number) {
    this.process = process;
    this.server = server;
  }
  /** The current session: client-chosen ids, (index + 1) * SESSION_GENERATIONS_MAX + generation. */
  session = 0;
  sessionReady = false;
  generation = 0;
  /** lock workload: our lock node while waiting, and while holding it. */
  lockNode: string | undefined;
  holding = false;
  get id(): number { return CLIENT_ID_BASE + this.index; }
}

const text = new TextEncoder();
const untext = new TextDecoder();

export type ElectionScenario = 'none' | 'loss' | 'partition';
export const ELECTION_SCENARIOS: readonly ElectionScenario[] = ['none', 'loss', 'partition'];
export interface ElectionMeasure { ms: number; ticks: number; messages: number; rounds: number }
export interface ElectionTrial {
  scenario: ElectionScenario;
  election: string;
  seed: number;
  /** undefined: no leader within the limit (a failure). */
  cold: ElectionMeasure | undefined;
  failover: ElectionMeasure | undefined;
  /** The scenario leaves no quorum once the leader is gone (not counted as a failure). */
  failoverImpossible?: boolean;
}

/** Runs one election trial (see Simulation.measureElections). */
export function electionTrial(options: Partial<SimOptions> & { seed: number }, scenario: ElectionScenario, limitMs = 30_000): ElectionTrial {
  return new Simulation({ ...options, ops: 0, faults: [] }).measureElections(scenario, limitMs);
}

export class SimulationFailure extends Error {
  constructor(readonly failure: SimFailure) {
    super(failure.message);
  }
}

export class Simulation {
  readonly options: SimOptions;
  readonly scheduler = new ManualScheduler(0);
  readonly rng: SimRandom;
  readonly trace: Trace;
  readonly history: HistoryRecorder;
  readonly peerNet: MemoryNetwork;
  readonly clientNet: MemoryNetwork;
  readonly servers = new Map<number, SimServer>();
  readonly clients: SimClient[] = [];
  readonly elections: ElectionRecord[] = [];
  readonly nemesisLog: string[] = [];
  private readonly strategy: ElectionStrategyFactory;
  private readonly rngWorkload: SimRandom;
  private readonly rngNemesis: SimRandom;
  private readonly rngDisk: SimRandom;
  private readonly voters: number[];
  private readonly leadersByEpoch = new Map<number, number>();
  private readonly committed = new Map<number, string>();
  /** Writes acknowledged to a client: zxid -> entry bytes (as hex). */
  private readonly acked = new Map<number, string>();
  private failure: SimFailure | undefined;
  /** Sessions clients walked away from: the leader must expire them and their ephemerals. */
  private readonly abandoned = new Set<bigint>();
  /** members workload: token -> the session that joined with it. */
  private readonly joinedBy = new Map<string, bigint>();
  /** lock workload: token -> session; session -> when the leader closed it. */
  private readonly lockedBy = new Map<string, bigint>();
  private readonly sessionClosedAt = new Map<bigint, number>();
  private nextProcess: number;
  private opsInvoked = 0;
  private phase: 'safety' | 'liveness' | 'done' = 'safety';
  private diskFaults = false;
  private messages = 0;
  private electionMessagesSent = 0;

  constructor(options: Partial<SimOptions> & { seed: number }) {
    this.options = resolveSimOptions(options);
    parseScript(this.options.script, this.options.servers); // a bad script fails here, naming the step
    const o = this.options;
    this.rng = new SimRandom(o.seed);
    this.rngWorkload = this.rng.fork('workload');
    this.rngNemesis = this.rng.fork('nemesis');
    this.rngDisk = this.rng.fork('disk');
    this.trace = new Trace(() => this.scheduler.now(), o.traceTailLines, o.keepTrace);
    this.history = new HistoryRecorder(() => this.scheduler.now());
    this.strategy = electionStrategies[o.election];
    this.voters = Array.from({ length: o.servers }, (_, i) => i + 1);
    const netRandom = this.rng.fork('net');
    this.peerNet = new MemoryNetwork({ scheduler: this.scheduler, random: netRandom.asFunction(), delayMs: { min: o.netDelayMsMin, max: o.netDelayMsMax } });
    this.clientNet = new MemoryNetwork({ scheduler: this.scheduler, random: this.rng.fork('client-net').asFunction(), delayMs: { min: o.netDelayMsMin, max: o.netDelayMsMax } });
    this.peerNet.observe((e) => {
      if (e.type === 'deliver') this.messages++;
      if (e.type === 'drop') this.trace.add(`net drop ${e.from}>${e.to} ${(e as { reason?: string }).reason ?? ''}`);
      else if (e.type !== 'deliver') this.trace.add(`net ${e.type} ${JSON.stringify(e, (k, v) => (k === 'at' || k === 'msg' ? undefined : v))}`);
    });
    this.nextProcess = o.clients;
    for (const id of this.voters) this.servers.set(id, new SimServer(id));
    for (let i = 0; i < o.clients; i++) this.clients.push(new SimClient(i, i, this.voters[i % this.voters.length]!));
  }

  // ------------------------------------------------------------------ failure and trace

  private fail(kind: FailureKind, message: string): never {
    const f: SimFailure = { kind, message, atMs: this.scheduler.now() };
    if (!this.failure) {
      this.failure = f;
      this.trace.add(`FAIL ${kind}: ${message}`);
    }
    throw new SimulationFailure(this.failure);
  }

  /** Whole virtual ms (network delays are fractional; the session tracker counts whole ms). */
  private nowMs(): number {
    return Math.floor(this.scheduler.now());
  }

  private note(line: string): void {
    this.trace.add(line);
  }

  // ------------------------------------------------------------------ servers

  private boot(s: SimServer): void {
    const o = this.options;
    s.up = true;
    s.paused = false;
    s.held = [];
    s.clockRate = 1;
    s.incarnation++;
    s.flushing = undefined;
    s.pendingElected = undefined;
    s.role = 'looking';
    s.roleLeader = null;
    s.tracker = undefined;
    s.closing.clear();
    s.touched.clear();
    s.pendingWrites.clear();
    s.pendingSyncs.clear();
    s.rebuild([...s.snapshot, ...s.log]);
    const quorum: QuorumVerifier = o.bug === 'commit-without-quorum'
      ? brokenQuorum(s.id, this.voters)
      : new MajorityQuorum(this.voters);
    const tail = s.log.slice(-COMMITTED_LOG_MAX_DEFAULT);
    s.peer = new ZabPeer(
      { selfId: s.id, voters: this.voters, quorum, initLimitTicks: o.initLimitTicks, syncLimitTicks: o.syncLimitTicks, committedLogMax: COMMITTED_LOG_MAX_DEFAULT },
      {
        ...s.hard,
        lastZxid: s.lastDurableZxid,
        logTail: tail.length ? tail : [],
        tailPrevZxid: tail.length < s.log.length ? s.log[s.log.length - tail.length - 1]!.zxid : s.snapshot.length ? s.snapshot[s.snapshot.length - 1]!.zxid : 0,
      },
    );
    s.election = this.strategy.create({ self: s.id, voters: this.voters, observers: [], random: this.rng.fork(`election-${s.id}-${s.incarnation}`).asFunction() });
    s.peerTransport = this.peerNet.transport(s.id)?.closed === false ? this.peerNet.transport(s.id)! : this.peerNet.join(s.id);
    s.clientTransport = this.clientNet.transport(s.id)?.closed === false ? this.clientNet.transport(s.id)! : this.clientNet.join(s.id);
    const incarnation = s.incarnation;
    s.peerTransport.messages$.subscribe(({ from, msg }) => this.input(s, incarnation, () => this.onPeerMessage(s, from, msg)));
    s.peerTransport.links$.subscribe(({ peer, up }) => {
      if (!up) this.input(s, incarnation, () => { s.peer.peerDisconnected(peer); this.process(s); });
    });
    s.clientTransport.messages$.subscribe(({ from, msg }) => this.input(s, incarnation, () => this.onClientRequest(s, from, JSON.parse(untext.decode(msg)) as ClientRequest)));
    this.note(`server ${s.id} boot incarnation ${s.incarnation} lastZxid ${zxidHex(s.lastDurableZxid)} epochs ${s.hard.acceptedEpoch}/${s.hard.currentEpoch}`);
    this.scheduleTick(s, incarnation);
    this.process(s);
  }

  /** Runs an input now, or holds it while the server is paused; drops it for a dead incarnation. */
  private input(s: SimServer, incarnation: number, fn: () => void): void {
    if (!s.up || s.incarnation !== incarnation) return;
    if (s.paused) s.held.push(fn);
    else this.guard(fn);
  }

  private guard(fn: () => void): void {
    if (this.failure) return;
    try {
      fn();
    } catch (err) {
      if (err instanceof SimulationFailure) return;
      this.failure ??= { kind: 'crash', message: `exception: ${(err as Error).stack ?? String(err)}`, atMs: this.scheduler.now() };
      this.trace.add(`FAIL crash: ${(err as Error).message}`);
    }
  }

  private scheduleTick(s: SimServer, incarnation: number): void {
    const delay = Math.max(1, Math.round(this.options.tickMs / s.clockRate));
    this.scheduler.schedule(delay, () => {
      if (!s.up || s.incarnation !== incarnation) return;
      this.input(s, incarnation, () => {
        this.sessionTick(s);
        s.peer.tick();
        this.electionOutputs(s, s.election.step({ kind: 'tick' }, this.scheduler.now()));
        this.process(s);
      });
      this.scheduleTick(s, incarnation);
    });
  }

  /** Leader: propose closeSession for every expired session. Learner: pass touches on with the next ping. */
  private sessionTick(s: SimServer): void {
    if (s.tracker && s.peer.isServing) {
      for (const expired of s.tracker.expire(this.nowMs())) {
        if (s.closing.has(expired.id) || !s.sessions.has(expired.id)) continue;
        let zxid: number;
        try {
          zxid = s.peer.peekNextZxid();
        } catch {
          return;
        }
        s.closing.add(expired.id);
        this.note(`server ${s.id} expires session ${expired.id}`);
        this.proposeTxn(s, { type: OpCode.closeSession }, expired.id, 0, zxid);
      }
    } else if (s.touched.size && s.peer.isServing) {
      s.peer.setPingPayload(encodeSessions([...s.touched]));
      s.touched.clear();
    }
  }

  private crash(s: SimServer, why: string): void {
    if (!s.up) return;
    if (s.flushing && this.diskFaults) {
      // A torn write: a prefix of the unflushed entries made it to disk (the rest fails its checksum).
      const r = s.flushing.ready;
      if (r.truncateAfter === undefined && !r.snapshot && !r.hardState && r.entries.length > 0) {
        const keep = this.rngDisk.int(0, r.entries.length);
        if (keep > 0) s.log.push(...r.entries.slice(0, keep));
        this.note(`server ${s.id} torn write keeps ${keep}/${r.entries.length} entries`);
      }
    }
    s.flushing?.cancel();
    s.flushing = undefined;
    s.up = false;
    this.peerNet.crash(s.id);
    this.clientNet.crash(s.id);
    this.note(`server ${s.id} crash (${why})`);
  }

  private restart(s: SimServer): void {
    if (s.up) return;
    this.peerNet.restart(s.id);
    this.clientNet.restart(s.id);
    this.boot(s);
  }

  // ------------------------------------------------------------------ the Ready loop

  private process(s: SimServer): void {
    if (s.processing || !s.up || s.paused) return;
    s.processing = true;
    try {
      while (s.up && !s.paused && !s.flushing && s.peer.hasReady()) {
        const r = s.peer.ready();
        const needsDisk = r.hardState !== undefined || r.truncateAfter !== undefined || r.snapshot !== undefined || r.entries.length > 0;
        if (!needsDisk) {
          this.finish(s, r);
          continue;
        }
        const o = this.options;
        let latency = this.rngDisk.int(o.diskLatencyMsMin, o.diskLatencyMsMax);
        if (this.diskFaults && this.rngDisk.chance(DISK_SLOW_FSYNC_CHANCE)) latency += this.rngDisk.int(10, 100); // a slow fsync
        const incarnation = s.incarnation;
        const cancel = this.scheduler.schedule(latency, () => {
          if (!s.up || s.incarnation !== incarnation || s.flushing?.ready !== r) return;
          const run = () => {
            s.flushing = undefined;
            this.persist(s, r);
            this.finish(s, r);
            this.process(s);
          };
          if (s.paused) s.held.push(run);
          else this.guard(run);
        });
        s.flushing = { ready: r, cancel };
      }
    } finally {
      s.processing = false;
    }
    if (s.pendingElected && !s.flushing && !s.peer.hasReady()) this.takeElected(s);
  }

  private persist(s: SimServer, r: Ready): void {
    if (r.hardState) s.hard = r.hardState;
    if (r.truncateAfter !== undefined) {
      const z = r.truncateAfter;
      s.log = s.log.filter((e) => e.zxid <= z);
      if (s.appliedZxid > z) {
        if (s.snapshot.length && s.snapshot[s.snapshot.length - 1]!.zxid > z) this.fail('invariant', `server ${s.id}: TRUNC to ${zxidHex(z)} below its snapshot`);
        s.rebuild(s.applied.filter((e) => e.zxid <= z));
      }
      this.note(`server ${s.id} trunc ${zxidHex(z)}`);
    }
    if (r.snapshot) {
      const entries = decodeSnapshot(r.snapshot.data);
      s.snapshot = entries;
      s.log = [];
      s.rebuild(entries);
      this.note(`server ${s.id} snap ${zxidHex(r.snapshot.zxid)} (${entries.length} entries)`);
    }
    for (const e of r.entries) {
      if (e.zxid <= s.lastDurableZxid) this.fail('invariant', `server ${s.id}: logs ${zxidHex(e.zxid)} after ${zxidHex(s.lastDurableZxid)} (zxids must increase)`);
      s.log.push(e);
    }
  }

  private finish(s: SimServer, r: Ready): void {
    for (const e of r.committed) this.applyCommitted(s, e);
    for (const { to, msg } of r.messages) {
      let out: ZabMessage = msg;
      if (msg.type === 'snap') out = { ...msg, data: encodeSnapshot(s.applied) };
      this.sendPeer(s, to, CHANNEL_ZAB, encodeZabMessage(out));
    }
    for (const f of r.forwarded) this.leaderPropose(s, (JSON.parse(untext.decode(f.data)) as ForwardedWrite));
    for (const pp of r.pingPayloads) {
      if (!s.tracker) continue;
      for (const id of decodeSessions(pp.data)) s.tracker.touch(id, this.nowMs());
    }
    for (const id of r.syncsDone) {
      const p = s.pendingSyncs.get(id);
      s.pendingSyncs.delete(id);
      if (p) this.reply(s, p.client, { cxid: p.cxid, ok: true, zxid: s.tree.lastProcessedZxid });
    }
    if (r.roleChanged) {
      const c = r.roleChanged;
      if (s.role === 'leading' && c.role !== 'leading') {
        for (const id of this.voters) if (id !== s.id) this.sendPeer(s, id, CHANNEL_CLOSED, new Uint8Array(0));
      } else if ((s.role === 'following' || s.role === 'observing') && s.roleLeader !== null && (c.role !== s.role || c.leader !== s.roleLeader)) {
        this.sendPeer(s, s.roleLeader, CHANNEL_CLOSED, new Uint8Array(0));
      }
      s.role = c.role;
      s.roleLeader = c.leader;
      this.note(`server ${s.id} role ${c.role}/${c.phase} epoch ${c.epoch} leader ${c.leader}${c.reason ? ` (${c.reason})` : ''}`);
      if (c.role === 'leading' && c.phase === 'broadcast') {
        const prev = this.leadersByEpoch.get(c.epoch);
        if (prev !== undefined && prev !== s.id) this.fail('invariant', `two leaders in epoch ${c.epoch}: servers ${prev} and ${s.id}`);
        this.leadersByEpoch.set(c.epoch, s.id);
      }
      if (c.role !== 'leading') {
        s.outstanding = new OutstandingChanges();
        s.tracker = undefined;
        s.closing.clear();
      } else if (c.phase === 'broadcast' && !s.tracker) {
        // A new leader starts every known session's clock afresh, as ZooKeeper's does.
        const now = this.nowMs();
        s.tracker = new SessionTracker({ serverId: s.id, tickTimeMs: this.options.tickMs, now, minSessionTimeoutMs: 1, maxSessionTimeoutMs: 3_600_000 });
        for (const [id, timeoutMs] of s.sessions) s.tracker.trackSession(id, timeoutMs, now);
      }
      if (c.phase === 'broadcast' && (c.role === 'leading' || c.role === 'following') && c.leader !== null) {
        const ignoreZxid = this.options.bug === 'election-ignores-zxid';
        const vote: Vote = { leader: c.leader, zxid: ignoreZxid ? 0 : s.peer.lastLoggedZxid, peerEpoch: ignoreZxid ? 0 : c.epoch };
        s.election.settle(c.role, vote, this.scheduler.now());
      }
    }
    s.peer.advance(r);
    if (r.needsElection) this.startElection(s);
  }

  private applyCommitted(s: SimServer, e: Entry): void {
    if (e.zxid <= s.appliedZxid) this.fail('invariant', `server ${s.id}: applies ${zxidHex(e.zxid)} after ${zxidHex(s.appliedZxid)} (zxids must increase)`);
    const hex = Buffer.from(e.data).toString('hex');
    const known = this.committed.get(e.zxid);
    if (known !== undefined && known !== hex) this.fail('invariant', `committed prefixes disagree: zxid ${zxidHex(e.zxid)} committed with different contents (server ${s.id})`);
    this.committed.set(e.zxid, hex);
    const rc = applyEntry(s.tree, e);
    s.outstanding.applied(e.zxid);
    s.applied.push(e);
    s.noteSessions(rc.entry);
    if (s.tracker && rc.entry.hdr.type === OpCode.createSession) s.tracker.trackSession(rc.entry.hdr.clientId, (rc.entry.txn as { timeOut: number }).timeOut, this.nowMs());
    if (rc.entry.hdr.type === OpCode.closeSession) {
      if (!this.sessionClosedAt.has(rc.entry.hdr.clientId)) this.sessionClosedAt.set(rc.entry.hdr.clientId, this.scheduler.now());
      s.tracker?.close(rc.entry.hdr.clientId);
      s.closing.delete(rc.entry.hdr.clientId);
    }
    const key = `${rc.entry.hdr.clientId}:${rc.entry.hdr.cxid}`;
    const p = s.pendingWrites.get(key);
    if (p) {
      s.pendingWrites.delete(key);
      const ok = rc.err === 0;
      if (ok) this.acked.set(e.zxid, hex);
      this.reply(s, p.client, ok ? { cxid: p.cxid, ok, zxid: e.zxid, ...(rc.path ? { path: rc.path } : {}) } : { cxid: p.cxid, ok, err: ErrorCodeName[rc.err] ?? String(rc.err), zxid: e.zxid });
    }
  }

  private sendPeer(s: SimServer, to: number, channel: number, body: Uint8Array): void {
    const framed = new Uint8Array(body.length + 1);
    framed[0] = channel;
    framed.set(body, 1);
    s.peerTransport.send(to, framed);
  }

  private onPeerMessage(s: SimServer, from: number, framed: Uint8Array): void {
    const body = framed.subarray(1);
    if (framed[0] === CHANNEL_ZAB) {
      s.peer.step(from, decodeZabMessage(body));
      this.process(s);
    } else if (framed[0] === CHANNEL_CLOSED) {
      s.peer.peerDisconnected(from);
      this.process(s);
    } else {
      this.electionOutputs(s, s.election.step({ kind: 'message', from, msg: decodeElectionMessage(body) }, this.scheduler.now()));
    }
  }

  // ------------------------------------------------------------------ elections

  private startElection(s: SimServer): void {
    s.electionStartedAt = this.scheduler.now();
    s.electionMessages = 0;
    const ignoreZxid = this.options.bug === 'election-ignores-zxid';
    const self = ignoreZxid ? { lastZxid: 0, currentEpoch: 0 } : { lastZxid: s.peer.lastLoggedZxid, currentEpoch: s.peer.hardState.currentEpoch };
    this.electionOutputs(s, s.election.lookForLeader(self, this.scheduler.now()));
  }

  private electionOutputs(s: SimServer, outputs: ElectionOutput[]): void {
    for (const out of outputs) {
      if (out.kind === 'send') {
        s.electionMessages++;
        this.electionMessagesSent++;
        this.sendPeer(s, out.to, CHANNEL_ELECTION, encodeElectionMessage(out.msg));
      } else {
        s.pendingElected = out;
        this.note(`server ${s.id} elected ${out.leader} as ${out.state} (election epoch ${out.electionEpoch}, ${out.rounds} rounds)`);
        this.elections.push({
          server: s.id, startMs: s.electionStartedAt ?? this.scheduler.now(), endMs: this.scheduler.now(),
          rounds: out.rounds, messages: s.electionMessages, state: out.state,
        });
      }
    }
    this.process(s);
  }

  private takeElected(s: SimServer): void {
    const out = s.pendingElected!;
    s.pendingElected = undefined;
    if (s.peer.currentRole !== 'looking') return;
    if (out.state === 'leading') s.peer.becomeLeader();
    else s.peer.becomeFollower(out.leader);
    this.process(s);
  }

  // ------------------------------------------------------------------ client requests on a server

  private reply(s: SimServer, client: number, rep: ClientReply): void {
    s.clientTransport.send(client, text.encode(JSON.stringify(rep)));
  }

  private onClientRequest(s: SimServer, client: number, req: ClientRequest): void {
    if (!s.peer.isServing) return this.reply(s, client, { cxid: req.cxid, ok: false, err: 'NotServing', zxid: 0 });
    if (s.tree.lastProcessedZxid < req.lastZxid && this.options.bug !== 'stale-reads') return this.reply(s, client, { cxid: req.cxid, ok: false, err: 'StaleServer', zxid: 0 });
    const session = BigInt(req.session);
    if (req.op !== 'createSession') {
      // The client saw its createSession applied (lastZxid), so this server has too: unknown = expired.
      if (!s.sessions.has(session)) return this.reply(s, client, { cxid: req.cxid, ok: false, err: 'SessionExpired', zxid: s.tree.lastProcessedZxid });
      this.touch(s, session);
    }
    switch (req.op) {
      case 'ping':
        return this.reply(s, client, { cxid: req.cxid, ok: true, zxid: s.tree.lastProcessedZxid });
      case 'read': {
        const d = s.tree.getData(req.path);
        return this.reply(s, client, {
          cxid: req.cxid, ok: true, value: d ? untext.decode(d.data) : null, version: d ? d.stat.version : -1, zxid: s.tree.lastProcessedZxid,
        });
      }
      case 'children': {
        const names = s.tree.getChildren(req.path);
        if (!names) return this.reply(s, client, { cxid: req.cxid, ok: false, err: 'NoNode', zxid: s.tree.lastProcessedZxid });
        return this.reply(s, client, { cxid: req.cxid, ok: true, children: [...names.children].sort(), zxid: s.tree.lastProcessedZxid });
      }
      case 'sync': {
        const id = s.nextSyncId++;
        s.pendingSyncs.set(id, { client, cxid: req.cxid });
        s.peer.requestSync(id);
        return this.process(s);
      }
      default: {
        s.pendingWrites.set(`${req.session}:${req.cxid}`, { client, cxid: req.cxid });
        if (s.peer.currentRole === 'leading') this.leaderPropose(s, { origin: s.id, req });
        else {
          s.peer.forward(text.encode(JSON.stringify({ origin: s.id, req } satisfies ForwardedWrite)));
          this.process(s);
        }
      }
    }
  }

  /** A request on a session: the leader's tracker hears of it now, through the next ping otherwise. */
  private touch(s: SimServer, session: bigint): void {
    if (s.tracker) s.tracker.touch(session, this.nowMs());
    else s.touched.add(session);
  }

  /** The leader's prep + propose: the request becomes a txn against its tree plus outstanding changes. */
  private leaderPropose(s: SimServer, fw: ForwardedWrite): void {
    const { req } = fw;
    if (s.peer.currentRole !== 'leading' || !s.peer.isServing) return; // the client times out: info
    const session = BigInt(req.session);
    // ZooKeeper's prep checks the session first: an expired (or expiring) one gets nothing done.
    if (req.op !== 'createSession' && (!s.sessions.has(session) || s.closing.has(session))) return;
    if (req.op === 'createSession' && s.sessions.has(session)) return;
    const data = text.encode(req.value ?? '');
    let request: WriteRequest;
    if (req.op === 'createSession') request = { type: OpCode.createSession, timeOut: req.timeoutMs! };
    else if (req.op === 'createEphemeralSeq') request = { type: OpCode.create, path: req.path, data, acl: OPEN_ACL_UNSAFE, flags: CreateMode.ephemeralSequential };
    else if (req.op === 'createEphemeral') request = { type: OpCode.create, path: req.path, data, acl: OPEN_ACL_UNSAFE, flags: CreateMode.ephemeral };
    else if (req.op === 'create') request = { type: OpCode.create, path: req.path, data, acl: OPEN_ACL_UNSAFE, flags: CreateMode.persistent };
    else if (req.op === 'createSeq') request = { type: OpCode.create, path: req.path, data, acl: OPEN_ACL_UNSAFE, flags: CreateMode.persistentSequential };
    else if (req.op === 'delete') request = { type: OpCode.delete, path: req.path, version: -1 };
    else request = { type: OpCode.setData, path: req.path, data, version: req.op === 'cas' ? req.version! : -1 };
    let zxid: number;
    try {
      zxid = s.peer.peekNextZxid();
    } catch {
      return;
    }
    this.proposeTxn(s, request, session, req.cxid, zxid);
  }

  private proposeTxn(s: SimServer, request: WriteRequest, session: bigint, cxid: number, zxid: number): void {
    const p = prepareRequest(s.tree, request, {
      sessionId: session, cxid, zxid, time: Math.floor(this.scheduler.now()),
      checkAcl: () => true, fixupAcl: (_path, acl) => [...acl], outstanding: s.outstanding,
    });
    try {
      s.peer.propose(encodeEntry({ hdr: p.hdr, txn: p.txn }));
    } catch (err) {
      // The prepared change never becomes a txn: drop the overlay (it is rebuilt from what follows).
      this.note(`server ${s.id} propose refused: ${(err as Error).message}`);
      s.outstanding = new OutstandingChanges();
      return;
    }
    this.process(s);
  }

  // ------------------------------------------------------------------ clients and the workload

  private startClients(): void {
    for (const c of this.clients) {
      c.transport = this.clientNet.join(c.id);
      c.transport.messages$.subscribe(({ msg }) => this.guard(() => this.onReply(c, JSON.parse(untext.decode(msg)) as ClientReply)));
      this.scheduler.schedule(this.rngWorkload.int(0, this.options.clientThinkMsMax), () => this.guard(() => this.nextOp(c)));
      this.keepAlive(c);
    }
  }

  /** Picks and starts the client's next operation (one at a time per client). */
  private nextOp(c: SimClient): void {
    if (this.failure || c.op || c.inFlight) return;
    if (this.phase !== 'safety' || this.opsInvoked >= this.options.ops) return;
    const w = this.rngWorkload;
    if (!c.sessionReady) return this.openSession(c);
    if (c.holding) return this.releaseLock(c);
    // Sessions move between servers now and then (a reconnect), as ZooKeeper clients do.
    if (w.chance(CLIENT_MOVE_CHANCE)) this.moveClient(c);
    const workload = w.pick(this.options.workloads);
    // Parents of the sequential workloads are created once per client, unrecorded (setup).
    if ((workload === 'ids' || workload === 'queue' || workload === 'members' || workload === 'lock') && !c.exists.has(`/${workload}`)) {
      return this.send(c, { op: 'create', path: `/${workload}`, value: '' }, (rep) => {
        if (rep.ok || rep.err === 'NodeExists') c.exists.add(`/${workload}`);
        this.thinkThenNext(c);
      });
    }
    this.opsInvoked++;
    const token = `${c.index}-${++c.writes}`;
    switch (workload) {
      case 'register':
        return this.registerOp(c, token);
      case 'counter':
        return this.counterOp(c);
      case 'ids':
        this.begin(c, 'next-id', '/ids', token);
        return this.send(c, { op: 'createSeq', path: '/ids/id-', value: token }, (rep) => (rep.ok ? this.finishOk(c, rep.path) : this.finishFail(c, rep)));
      case 'queue':
        if (w.chance(0.5)) {
          this.begin(c, 'enqueue', '/queue', token);
          return this.send(c, { op: 'createSeq', path: '/queue/item-', value: token }, (rep) => (rep.ok ? this.finishOk(c, rep.path) : this.finishFail(c, rep)));
        }
        this.begin(c, 'dequeue', '/queue', null);
        return this.dequeueStep(c, QUEUE_DEQUEUE_ATTEMPTS_MAX);
      case 'lock':
        this.lockedBy.set(token, BigInt(c.session));
        this.begin(c, 'acquire', '/lock', token);
        return this.send(c, { op: 'createEphemeralSeq', path: '/lock/l-', value: token }, (rep) => {
          if (!rep.ok) return this.finishFail(c, rep);
          c.lockNode = rep.path!;
          this.pollLock(c, LOCK_POLLS_MAX);
        });
      case 'members':
        if (w.chance(MEMBERS_ABANDON_CHANCE)) {
          // Walk away: the session is never used again and must expire, with its ephemerals.
          this.begin(c, 'abandon', '/members', String(c.session));
          this.abandoned.add(BigInt(c.session));
          c.sessionReady = false;
          return this.finishOk(c, null);
        }
        this.joinedBy.set(token, BigInt(c.session));
        this.begin(c, 'join', '/members', token);
        return this.send(c, { op: 'createEphemeral', path: `/members/${token}`, value: token }, (rep) => (rep.ok ? this.finishOk(c, null) : this.finishFail(c, rep)));
    }
  }

  /** The lock recipe: hold it when our node is the lowest; otherwise look again next tick. */
  private pollLock(c: SimClient, pollsLeft: number): void {
    this.send(c, { op: 'children', path: '/lock' }, (rep) => {
      if (!rep.ok) return this.lockTrouble(c, rep);
      const mine = c.lockNode!.slice('/lock/'.length);
      const lowest = [...(rep.children ?? [])].sort((a, b) => a.slice(-10).localeCompare(b.slice(-10)))[0];
      if (lowest === mine) {
        c.holding = true;
        return this.finishOk(c, c.lockNode);
      }
      if (!rep.children?.includes(mine)) return this.lockTrouble(c, { ...rep, ok: false, err: 'LockNodeGone' });
      if (pollsLeft > 1) return void this.scheduler.schedule(this.options.tickMs, () => this.guard(() => this.pollLock(c, pollsLeft - 1)));
      // Give up: take our node away (if that fails the session is abandoned, and expiry does it).
      this.send(c, { op: 'delete', path: c.lockNode! }, (del) => this.lockTrouble(c, { ...del, ok: false, err: del.ok ? 'GaveUp' : del.err }));
    });
  }

  private releaseLock(c: SimClient): void {
    const token = c.lockNode!;
    this.begin(c, 'release', '/lock', token);
    this.send(c, { op: 'delete', path: token }, (rep) => {
      c.holding = false;
      c.lockNode = undefined;
      if (rep.ok) return this.finishOk(c, null);
      this.lockTrouble(c, rep);
    });
  }

  /** A lock step failed: the operation failed; a node we may still own goes with an abandoned session. */
  private lockTrouble(c: SimClient, rep: ClientReply): void {
    if (c.lockNode && rep.err !== 'GaveUp' && rep.err !== 'SessionExpired') this.abandonSession(c);
    c.lockNode = undefined;
    c.holding = false;
    this.finishFail(c, rep);
  }

  private abandonSession(c: SimClient): void {
    this.abandoned.add(BigInt(c.session));
    c.sessionReady = false;
  }

  /** A new session (setup, not recorded): createSession through the write path. */
  private openSession(c: SimClient): void {
    if (c.generation + 1 >= SESSION_GENERATIONS_MAX) return;
    c.session = (c.index + 1) * SESSION_GENERATIONS_MAX + ++c.generation;
    this.send(c, { op: 'createSession', path: '/', timeoutMs: this.options.sessionTimeoutMs }, (rep) => {
      if (rep.ok) c.sessionReady = true;
      if (rep.err === 'NotServing' || rep.err === 'StaleServer') {
        this.moveClient(c);
        this.scheduler.schedule(this.options.tickMs * 5, () => this.guard(() => this.nextOp(c)));
        return;
      }
      this.thinkThenNext(c);
    });
  }

  /** Pings keep an idle session alive (the liveness phase has no operations). */
  private keepAlive(c: SimClient): void {
    this.scheduler.schedule(Math.max(1, Math.floor(this.options.sessionTimeoutMs / 3)), () => {
      if (this.phase === 'done' || this.failure) return;
      this.guard(() => {
        if (c.sessionReady && !c.inFlight) this.send(c, { op: 'ping', path: '/' }, (rep) => {
          if (!rep.ok && rep.err !== 'SessionExpired') this.moveClient(c);
          if (rep.err === 'SessionExpired') {
      c.sessionReady = false;
      c.holding = false;
      c.lockNode = undefined;
    }
          if (!c.op) this.thinkThenNext(c);
        });
      });
      this.keepAlive(c);
    });
  }

  private registerOp(c: SimClient, token: string): void {
    const w = this.rngWorkload;
    const path = `/r${w.int(0, this.options.registers - 1)}`;
    const roll = w.float();
    const last = c.lastRead.get(path);
    if (roll < 0.05) {
      this.begin(c, 'sync', '/', null);
      return this.send(c, { op: 'sync', path: '/' }, (rep) => (rep.ok ? this.finishOk(c, null) : this.finishFail(c, rep)));
    }
    if (roll < 0.45 || (roll < 0.7 && !last)) return this.recordedRead(c, path);
    if (roll < 0.7 && last) {
      this.begin(c, 'cas', path, [last.value, token]);
      return this.send(c, { op: 'cas', path, value: token, version: last.version }, (rep) => this.afterWrite(c, path, rep));
    }
    const create = !c.exists.has(path);
    this.begin(c, create ? 'create' : 'write', path, token);
    this.send(c, { op: create ? 'create' : 'write', path, value: token }, (rep) => this.afterWrite(c, path, rep));
  }

  private recordedRead(c: SimClient, path: string): void {
    this.begin(c, 'read', path, null);
    this.send(c, { op: 'read', path }, (rep) => {
      if (!rep.ok) return this.finishFail(c, rep);
      if (rep.value === null) {
        c.exists.delete(path);
        c.lastRead.delete(path);
      } else {
        c.exists.add(path);
        c.lastRead.set(path, { value: rep.value!, version: rep.version! });
      }
      this.finishOk(c, rep.value ?? null);
    });
  }

  private afterWrite(c: SimClient, path: string, rep: ClientReply): void {
    c.lastRead.delete(path);
    if (rep.ok) {
      c.exists.add(path);
      return this.finishOk(c, null);
    }
    if (rep.err === 'NodeExists') c.exists.add(path);
    if (rep.err === 'NoNode') c.exists.delete(path);
    this.finishFail(c, rep);
  }

  /** Counter: read the value, then setData(value + 1) at the version read; recorded as a cas. */
  private counterOp(c: SimClient): void {
    const path = '/counter';
    const last = c.lastRead.get(path);
    if (!last) {
      if (c.exists.has(path) || this.rngWorkload.chance(0.5)) return this.recordedRead(c, path);
      // Create it at 0 (fails with NodeExists, doing nothing, when someone already did).
      this.begin(c, 'create', path, '0');
      return this.send(c, { op: 'create', path, value: '0' }, (rep) => this.afterWrite(c, path, rep));
    }
    if (this.rngWorkload.chance(0.3) || !/^\d+$/.test(last.value)) return this.recordedRead(c, path);
    const next = String(Number(last.value) + 1);
    this.begin(c, 'cas', path, [last.value, next]);
    this.send(c, { op: 'cas', path, value: next, version: last.version }, (rep) => this.afterWrite(c, path, rep));
  }

  /** Dequeue as the Curator recipe does: list, take the lowest, read it, delete it; on NoNode try the next. */
  private dequeueStep(c: SimClient, attemptsLeft: number): void {
    this.send(c, { op: 'children', path: '/queue' }, (rep) => {
      if (!rep.ok) return this.finishFail(c, rep);
      const names = [...(rep.children ?? [])].sort();
      if (names.length === 0) return this.finishOk(c, null);
      const path = `/queue/${names[0]}`;
      this.send(c, { op: 'read', path }, (got) => {
        if (!got.ok) return this.finishFail(c, got);
        if (got.value === null) return attemptsLeft > 1 ? this.dequeueStep(c, attemptsLeft - 1) : this.finishFail(c, { ...got, err: 'Contended' });
        this.send(c, { op: 'delete', path }, (del) => {
          if (del.ok) return this.finishOk(c, got.value!);
          if (del.err === 'NoNode' && attemptsLeft > 1) return this.dequeueStep(c, attemptsLeft - 1);
          this.finishFail(c, del);
        });
      });
    });
  }

  private begin(c: SimClient, f: string, path: string, value: unknown): void {
    c.op = this.history.invoke(c.process, f, path, value);
  }

  private finishOk(c: SimClient, value: unknown): void {
    if (c.op) this.history.ok(c.op, value);
    c.op = undefined;
    this.thinkThenNext(c);
  }

  private finishFail(c: SimClient, rep: ClientReply): void {
    // A failure after an earlier step of the same operation took effect would be unknown; every
    // multi-step operation here writes only in its last step, so a failure means nothing happened.
    if (c.op) this.history.fail(c.op, rep.err ?? 'error');
    c.op = undefined;
    if (rep.err === 'SessionExpired') c.sessionReady = false;
    if (rep.err === 'NotServing' || rep.err === 'StaleServer') {
      // Back off like a real client reconnecting, rather than spending the workload on refusals.
      this.moveClient(c);
      this.scheduler.schedule(this.options.tickMs * 5, () => this.guard(() => this.nextOp(c)));
      return;
    }
    this.thinkThenNext(c);
  }

  private send(c: SimClient, partial: Omit<ClientRequest, 'cxid' | 'session' | 'lastZxid'>, then: (rep: ClientReply) => void): void {
    const req: ClientRequest = { ...partial, cxid: ++c.cxid, session: c.session, lastZxid: c.lastZxid };
    const cancel = this.scheduler.schedule(this.options.clientTimeoutMs, () => this.guard(() => this.onTimeout(c, req.cxid)));
    c.inFlight = { cxid: req.cxid, req, then, cancel };
    this.note(`client ${c.index} p${c.process} -> ${c.server} ${req.op} ${req.path}${req.value !== undefined ? ` ${req.value}` : ''}${req.version !== undefined ? ` v${req.version}` : ''}`);
    c.transport.send(c.server, text.encode(JSON.stringify(req)));
  }

  private onTimeout(c: SimClient, cxid: number): void {
    if (!c.inFlight || c.inFlight.cxid !== cxid) return;
    this.note(`client ${c.index} p${c.process} timeout`);
    if (c.inFlight.req.op === 'createSession') this.abandoned.add(BigInt(c.session)); // it may exist: it must expire
    if (c.lockNode || c.holding || c.op?.f === 'acquire') {
      // We may own a lock node we cannot account for: leave the session to expire with it.
      this.abandonSession(c);
      c.lockNode = undefined;
      c.holding = false;
    }
    c.inFlight = undefined;
    if (c.op) {
      this.history.info(c.op, 'timeout');
      c.op = undefined;
      c.process = this.nextProcess++; // the outcome is unknown: a new process, as Jepsen does
    }
    this.moveClient(c);
    this.thinkThenNext(c);
  }

  private moveClient(c: SimClient): void {
    const others = this.voters.filter((id) => id !== c.server);
    if (others.length) c.server = this.rngWorkload.pick(others);
  }

  private thinkThenNext(c: SimClient): void {
    this.scheduler.schedule(this.rngWorkload.int(0, this.options.clientThinkMsMax), () => this.guard(() => this.nextOp(c)));
  }

  private onReply(c: SimClient, rep: ClientReply): void {
    const f = c.inFlight;
    if (!f || f.cxid !== rep.cxid) return; // late reply to a request that timed out
    f.cancel();
    c.inFlight = undefined;
    this.note(`client ${c.index} p${c.process} <- ${rep.ok ? 'ok' : `fail ${rep.err}`} ${f.req.op}${rep.value !== undefined ? ` ${JSON.stringify(rep.value)}` : ''}${rep.path !== undefined ? ` ${rep.path}` : ''} zxid ${zxidHex(rep.zxid)}`);
    if (rep.ok) c.lastZxid = Math.max(c.lastZxid, rep.zxid);
    f.then(rep);
  }

  // ------------------------------------------------------------------ nemesis

  private scheduleNemesis(): void {
    const o = this.options;
    if (o.faults.length === 0) return;
    const delay = this.rngNemesis.int(Math.ceil(o.nemesisIntervalMs / 2), Math.ceil(o.nemesisIntervalMs * 1.5));
    this.scheduler.schedule(delay, () => {
      if (this.phase !== 'safety' || this.failure) return;
      this.guard(() => this.nemesisStep());
      this.scheduleNemesis();
    });
  }

  private nemesisAct(what: string): void {
    this.nemesisLog.push(`${Math.round(this.scheduler.now())}ms ${what}`);
    this.note(`nemesis ${what}`);
  }

  private scheduleScript(): void {
    for (const step of parseScript(this.options.script, this.options.servers)) {
      this.scheduler.schedule(step.atMs, () => {
        if (this.phase !== 'safety' || this.failure) return;
        this.guard(() => this.scripted(step.action));
      });
    }
  }

  private scripted(a: ScriptAction): void {
    const server = (id: number) => this.servers.get(id)!;
    switch (a.kind) {
      case 'crash':
        this.nemesisAct(`crash ${a.server}`);
        return this.crash(server(a.server), 'script');
      case 'restart':
        this.nemesisAct(`restart ${a.server}`);
        return this.restart(server(a.server));
      case 'crash-leader': {
        const leader = this.establishedLeader();
        this.nemesisAct(`crash leader ${leader?.id ?? '(none)'}`);
        if (leader) this.crash(leader, 'script: leader');
        return;
      }
      case 'isolate':
        this.nemesisAct(`isolate ${a.server}`);
        return this.peerNet.isolate(a.server);
      case 'partition':
        this.nemesisAct(`partition ${a.groups.map((g) => `[${g}]`).join(' ')}`);
        return this.peerNet.partition(a.groups);
      case 'heal':
        return this.heal();
      case 'loss':
        this.nemesisAct(`loss ${a.probability}`);
        return this.peerNet.configure({ loss: a.probability });
      case 'delay':
        this.nemesisAct(`delay ${this.options.netDelayMsMin}..${a.maxMs}ms`);
        return this.peerNet.configure({ delayMs: { min: Math.min(this.options.netDelayMsMin, a.maxMs), max: a.maxMs } });
      case 'pause':
        this.nemesisAct(`pause ${a.server}`);
        server(a.server).paused = server(a.server).up;
        return;
      case 'resume':
        this.nemesisAct(`resume ${a.server}`);
        return this.resume(server(a.server));
      case 'skew':
        this.nemesisAct(`skew ${a.server} clock x${a.rate}`);
        server(a.server).clockRate = a.rate;
        return;
      case 'disk':
        this.diskFaults = a.on;
        this.nemesisAct(`disk faults ${a.on ? 'on' : 'off'}`);
        return;
    }
  }

  private nemesisStep(): void {
    const n = this.rngNemesis;
    const o = this.options;
    const down = [...this.servers.values()].filter((s) => !s.up);
    const paused = [...this.servers.values()].filter((s) => s.up && s.paused);
    // Undo first, often: faults come and go, so the cluster spends time both broken and whole.
    if (down.length && n.chance(NEMESIS_RESTART_CHANCE)) {
      const s = n.pick(down);
      this.nemesisAct(`restart ${s.id}`);
      return this.restart(s);
    }
    if (paused.length && n.chance(NEMESIS_RESUME_CHANCE)) {
      const s = n.pick(paused);
      this.nemesisAct(`resume ${s.id}`);
      return this.resume(s);
    }
    const kind = n.pick(o.faults);
    const up = [...this.servers.values()].filter((s) => s.up);
    const maxDown = Math.floor((o.servers - 1) / 2);
    switch (kind) {
      case 'crash': {
        if (down.length >= maxDown || !up.length) return this.heal();
        const s = n.pick(up);
        this.nemesisAct(`crash ${s.id}`);
        return this.crash(s, 'nemesis');
      }
      case 'leader': {
        const leader = up.find((s) => s.peer.currentRole === 'leading');
        if (!leader || down.length >= maxDown) return this.heal();
        this.nemesisAct(`crash leader ${leader.id}`);
        return this.crash(leader, 'nemesis: leader');
      }
      case 'partition': {
        if (n.chance(NEMESIS_HEAL_INSTEAD_OF_PARTITION_CHANCE)) return this.heal();
        const ids = n.shuffle(this.voters);
        const style = n.pick(['halves', 'majority', 'isolate', 'bridge'] as const);
        if (style === 'isolate') {
          this.nemesisAct(`isolate ${ids[0]}`);
          return this.peerNet.isolate(ids[0]!);
        }
        if (style === 'bridge' && ids.length >= 5) {
          // Two halves that only the bridge server talks to both of.
          const half = Math.floor((ids.length - 1) / 2);
          const a = ids.slice(1, 1 + half);
          const b = ids.slice(1 + half);
          this.nemesisAct(`bridge ${ids[0]} between [${a}] and [${b}]`);
          this.peerNet.heal();
          for (const x of a) for (const y of b) this.peerNet.cutLink(x, y);
          return;
        }
        const cut = style === 'majority' ? Math.floor(ids.length / 2) + 1 : n.int(1, Math.max(1, ids.length - 1));
        const groups = [ids.slice(0, cut), ids.slice(cut)].filter((g) => g.length);
        this.nemesisAct(`partition ${groups.map((g) => `[${g}]`).join(' ')}`);
        return this.peerNet.partition(groups);
      }
      case 'loss': {
        const loss = n.pick([0, 0.01, 0.05, 0.2]);
        this.nemesisAct(`loss ${loss}`);
        return this.peerNet.configure({ loss });
      }
      case 'delay': {
        const max = n.pick([o.netDelayMsMax, 20, 50, 150]);
        this.nemesisAct(`delay ${o.netDelayMsMin}..${max}ms`);
        return this.peerNet.configure({ delayMs: { min: o.netDelayMsMin, max } });
      }
      case 'dup': {
        const duplicate = n.pick([0, 0.05]);
        this.nemesisAct(`duplicate ${duplicate}`);
        return this.peerNet.configure({ duplicate });
      }
      case 'reorder': {
        const reorder = n.pick([0, 0.05]);
        this.nemesisAct(`reorder ${reorder}`);
        return this.peerNet.configure({ reorder });
      }
      case 'pause': {
        const live = up.filter((s) => !s.paused);
        if (!live.length) return;
        const s = n.pick(live);
        this.nemesisAct(`pause ${s.id}`);
        s.paused = true;
        return;
      }
      case 'skew': {
        const s = n.pick(up.length ? up : [...this.servers.values()]);
        s.clockRate = n.pick([0.5, 0.8, 1, 1.25, 2]);
        this.nemesisAct(`skew ${s.id} clock x${s.clockRate}`);
        return;
      }
      case 'disk': {
        this.diskFaults = !this.diskFaults;
        this.nemesisAct(`disk faults ${this.diskFaults ? 'on' : 'off'}`);
        return;
      }
    }
  }

  private resume(s: SimServer): void {
    s.paused = false;
    const held = s.held;
    s.held = [];
    for (const fn of held) {
      if (!s.up || s.paused) break;
      this.guard(fn);
    }
    this.process(s);
  }

  private heal(): void {
    this.nemesisAct('heal network');
    this.peerNet.heal();
    this.peerNet.configure({ loss: 0, duplicate: 0, reorder: 0, delayMs: { min: this.options.netDelayMsMin, max: this.options.netDelayMsMax } });
  }

  // ------------------------------------------------------------------ the run

  private runUntil(pred: () => boolean, maxMs: number): boolean {
    const until = this.scheduler.now() + maxMs;
    let events = 0;
    while (!this.failure && !pred()) {
      const next = this.scheduler.nextDueAt();
      if (next === undefined || next > until) return pred();
      this.scheduler.runNext();
      if (++events > SIM_EVENTS_MAX) this.fail('liveness', `more than ${SIM_EVENTS_MAX} events`);
    }
    return !this.failure && pred();
  }

  /** All servers up, one established leader everyone follows, every log applied, same digest. */
  converged(): boolean {
    const servers = [...this.servers.values()];
    if (!servers.every((s) => s.up && !s.paused && s.peer.isServing && !s.flushing)) return false;
    const leaders = servers.filter((s) => s.peer.currentRole === 'leading');
    if (leaders.length !== 1) return false;
    const leader = leaders[0]!;
    if (!servers.every((s) => s.peer.leaderId === leader.id || s === leader)) return false;
    const z = leader.tree.lastProcessedZxid;
    if (!servers.every((s) => s.tree.lastProcessedZxid === z && s.peer.lastCommittedZxid === leader.peer.lastCommittedZxid)) return false;
    const d = leader.tree.digest();
    return servers.every((s) => s.tree.digest() === d);
  }

  run(): SimResult {
    const o = this.options;
    this.note(`sim seed ${o.seed} servers ${o.servers} clients ${o.clients} election ${o.election} faults ${o.faults.join(',') || 'none'} ops ${o.ops} bug ${o.bug}`);
    this.guard(() => {
      for (const s of this.servers.values()) this.boot(s);
      this.startClients();
      this.scheduleNemesis();
      this.scheduleScript();
      // Safety phase: the workload under faults.
      const safetyMs = Math.max(10_000, o.ops * SAFETY_MS_PER_OP_MAX);
      this.runUntil(() => this.opsInvoked >= o.ops && this.clients.every((c) => !c.op && !c.inFlight), safetyMs);
      if (this.failure) return;
      if (this.opsInvoked < o.ops) this.fail('liveness', `safety phase: only ${this.opsInvoked} of ${o.ops} operations invoked within ${safetyMs} virtual ms`);
      // Liveness phase: no faults; everything must come back and converge.
      this.phase = 'liveness';
      this.note('liveness phase: heal, restart, resume');
      this.heal();
      this.diskFaults = false;
      for (const s of this.servers.values()) {
        s.clockRate = 1;
        if (!s.up) this.restart(s);
        else if (s.paused) this.resume(s);
      }
      if (!this.runUntil(() => this.converged() && this.abandonedSessionsClosed(), o.livenessMsMax)) {
        if (this.failure) return;
        this.fail('liveness', `no convergence within ${o.livenessMsMax} virtual ms after the faults stopped:\n${this.describe()}`);
      }
      this.note(`converged at ${zxidHex([...this.servers.values()][0]!.tree.lastProcessedZxid)}`);
      this.finalChecks();
    });
    this.history.closeAll();
    let check: CheckResult | undefined;
    if (!this.failure) {
      check = checkHistory(this.history.events, { model: 'zookeeper' });
      if (check.valid === false) {
        this.failure = { kind: 'linearizability', message: formatCheckResult(check), atMs: this.scheduler.now() };
        this.trace.add(`FAIL linearizability`);
      }
    }
    this.phase = 'done';
    const ev = this.history.events;
    const result: SimResult = {
      seed: o.seed, options: o, ok: !this.failure,
      traceSha256: this.trace.sha256(), traceLines: this.trace.lines, traceTail: this.trace.last(),
      virtualMs: this.scheduler.now(),
      ops: {
        invoked: ev.filter((e) => e.type === 'invoke').length, ok: ev.filter((e) => e.type === 'ok').length,
        fail: ev.filter((e) => e.type === 'fail').length, info: ev.filter((e) => e.type === 'info').length,
      },
      elections: this.elections, epochs: this.leadersByEpoch.size, messages: this.messages, nemesis: this.nemesisLog,
      history: this.history,
    };
    if (this.failure) result.failure = this.failure;
    if (check) result.check = check;
    if (this.trace.all) result.trace = this.trace.all;
    return result;
  }

  /** Every session a client walked away from is closed on the converged leader. */
  private abandonedSessionsClosed(): boolean {
    const leader = this.establishedLeader();
    if (!leader) return false;
    for (const id of this.abandoned) if (leader.sessions.has(id)) return false;
    return true;
  }

  /** An up server leads in the broadcast phase (it has a quorum synced). */
  private establishedLeader(): SimServer | undefined {
    return [...this.servers.values()].find((s) => s.up && s.peer.currentRole === 'leading' && s.peer.isServing);
  }

  /**
   * One election trial: a cold start of every server, then a crash of the elected leader, each
   * measured until a leader is established by zab (broadcast phase): virtual ms, election
   * messages, and the most rounds any server needed. No client load.
   */
  measureElections(scenario: ElectionScenario, limitMs: number): ElectionTrial {
    const trial: ElectionTrial = { scenario, election: this.options.election, seed: this.options.seed, cold: undefined, failover: undefined };
    this.guard(() => {
      const n = this.rngNemesis;
      if (scenario === 'loss') this.peerNet.configure({ loss: 0.05 });
      for (const s of this.servers.values()) this.boot(s);
      if (scenario === 'partition' && this.voters.length >= 3) this.peerNet.isolate(n.pick(this.voters));
      const measure = (exclude?: number): ElectionMeasure | undefined => {
        const t0 = this.scheduler.now();
        const m0 = this.electionMessagesSent;
        const e0 = this.elections.length;
        const ok = this.runUntil(() => { const l = this.establishedLeader(); return l !== undefined && l.id !== exclude; }, limitMs);
        if (!ok) return undefined;
        const ms = this.scheduler.now() - t0;
        return {
          ms, ticks: Math.ceil(ms / this.options.tickMs), messages: this.electionMessagesSent - m0,
          rounds: Math.max(0, ...this.elections.slice(e0).map((e) => e.rounds)),
        };
      };
      trial.cold = measure();
      const leader = this.establishedLeader();
      if (!trial.cold || !leader) return;
      // With one server cut off, a failover needs a quorum among the rest (5 servers and up).
      const left = this.voters.length - 1 - (scenario === 'partition' ? 1 : 0);
      if (left <= this.voters.length / 2) {
        trial.failoverImpossible = true;
        return;
      }
      // Let the followers finish syncing, then crash the leader.
      this.runUntil(() => false, this.options.tickMs * 5);
      this.crash(leader, 'measured failover');
      trial.failover = measure(leader.id);
    });
    return trial;
  }

  private finalChecks(): void {
    const servers = [...this.servers.values()];
    for (const s of servers) {
      const mine = new Map(s.applied.map((e) => [e.zxid, e] as const));
      for (const [zxid, hex] of this.acked) {
        const e = mine.get(zxid);
        if (!e || Buffer.from(e.data).toString('hex') !== hex) {
          this.fail('invariant', `acknowledged write lost: zxid ${zxidHex(zxid)} is ${e ? 'different' : 'missing'} on server ${s.id}`);
        }
      }
    }
    const leader = this.establishedLeader()!;
    const tree: FinalTree = {
      children: (path) => {
        const node = leader.tree.getChildren(path);
        if (!node) return null;
        return [...node.children].sort().map((name) => ({ name, data: untext.decode(leader.tree.getData(`${path}/${name}`)!.data) }));
      },
    };
    const problems = [...checkIds(this.history.events, tree), ...checkQueue(this.history.events, tree), ...this.checkMembers(leader), ...this.checkLock()];
    if (problems.length) this.fail('invariant', problems.join('\n'));
    // Final reads of every register by a fresh process: what the converged ensemble holds
    // becomes part of the history, so a write lost after its ack also fails the history check.
    const paths = new Set(this.history.events.filter((e) => (e.f === 'write' || e.f === 'create' || e.f === 'cas') && e.path !== '/').map((e) => e.path));
    for (const path of [...paths].sort()) {
      const op = this.history.invoke(this.nextProcess++, 'read', path, null);
      const d = leader.tree.getData(path);
      this.history.ok(op, d ? untext.decode(d.data) : null);
    }
  }

  /**
   * Membership: every member node belongs to a live session (an abandoned or expired session's
   * ephemerals are gone), and every acknowledged join of a session still live is there.
   */
  private checkMembers(leader: SimServer): string[] {
    const problems: string[] = [];
    const node = leader.tree.getChildren('/members');
    const present = new Map<string, bigint>();
    for (const name of node?.children ?? []) {
      const d = leader.tree.getData(`/members/${name}`)!;
      present.set(name, d.stat.ephemeralOwner);
      if (!leader.sessions.has(d.stat.ephemeralOwner)) problems.push(`members: /members/${name} survived its session ${d.stat.ephemeralOwner} (closed or never opened)`);
      if (!this.joinedBy.has(name)) problems.push(`members: /members/${name} was never asked for`);
    }
    const open = new Map<number, HistoryEvent>();
    this.history.events.forEach((e, i) => {
      if (e.f !== 'join') return;
      if (e.type === 'invoke') return void open.set(e.process, e);
      const inv = open.get(e.process);
      open.delete(e.process);
      if (e.type !== 'ok' || !inv) return;
      const token = String(inv.value);
      const session = this.joinedBy.get(token)!;
      if (leader.sessions.has(session) && !present.has(token)) problems.push(`members: acknowledged join ${token} (line ${i + 1}) of live session ${session} is missing`);
    });
    return problems;
  }

  private checkLock(): string[] {
    return checkLock(this.history.events, (token) => this.sessionClosedAt.get(this.lockedBy.get(token)!), this.scheduler.now());
  }

  describe(): string {
    return [...this.servers.values()].map((s) => {
      const st = s.up ? s.peer.status() : undefined;
      return `  server ${s.id} ${s.up ? (s.paused ? 'paused' : 'up') : 'down'}`
        + (st ? ` ${st.role}/${st.phase} epoch ${st.epoch} leader ${st.leaderId} logged ${zxidHex(st.lastLoggedZxid)} committed ${zxidHex(st.lastCommittedZxid)} applied ${zxidHex(s.tree.lastProcessedZxid)}` : '');
    }).join('\n');
  }
}

/** The planted bug: a leader counts its own durable copy as a quorum (commits before any follower acks). */
function brokenQuorum(self: number, voters: readonly number[]): QuorumVerifier {
  const majority = new MajorityQuorum(voters);
  return { containsQuorum: (ids) => ids.has(self) || majority.containsQuorum(ids) };
}

/** Runs one seed. */
export function simulate(options: Partial<SimOptions> & { seed: number }): SimResult {
  return new Simulation(options).run();
}

/** What a failure prints: the seed, the first violated invariant and a shortened trace. */
export function formatFailure(r: SimResult): string {
  if (!r.failure) return `seed ${r.seed}: ok`;
  return [
    `seed ${r.seed}: FAILED (${r.failure.kind}) at ${r.failure.atMs} virtual ms`,
    r.failure.message,
    `last ${r.traceTail.length} trace lines:`,
    ...r.traceTail.map((l) => `  ${l}`),
    `reproduce: zkts-harness sim${r.options.script ? ` --script '${r.options.script}'` : ''} --seed ${r.seed} --servers ${r.options.servers} --clients ${r.options.clients} --election ${r.options.election} --faults ${r.options.faults.join(',') || 'none'} --workloads ${r.options.workloads.join(',')} --ops ${r.options.ops}${r.options.bug !== 'none' ? ` --bug ${r.options.bug}` : ''}`,
  ].join('\n');
}

/** Session ids a learner touched, as its ping payload: 8 bytes each, big-endian. */
function encodeSessions(ids: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(ids.length * 8);
  const view = new DataView(out.buffer);
  ids.forEach((id, i) => view.setBigInt64(i * 8, id));
  return out;
}

function decodeSessions(data: Uint8Array): bigint[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: bigint[] = [];
  for (let at = 0; at + 8 <= data.byteLength; at += 8) out.push(view.getBigInt64(at));
  return out;
}
