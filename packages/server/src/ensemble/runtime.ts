// The ensemble runtime: drives the pure ZAB peer (@zkts/zab) and an election strategy
// (@zkts/election) from real time over two PeerTransports (quorum port: ZAB, election port:
// votes), persists through the server's storage, and switches the request pipeline
// (ZooKeeperServer) between leader, follower, observer, looking and read-only.
//
// Each Ready of the peer is carried out in the order the core asks for: the messages it allows
// before the flush (an established leader's proposals and commits), epochs, truncation or
// snapshot, log append + flush, committed txns applied to the tree, then the other messages. Looking -> election -> becomeLeader/Follower/Observer. A link to the
// leader going down makes the peer look again at once (fast failover).
import { DataTree } from '@zkts/data-tree';
import {
  decodeElectionMessage,
  encodeElectionMessage,
  type ElectionOutput,
  type ElectionStrategy,
  type ElectionStrategyFactory,
} from '@zkts/election';
import { recoverDataTree } from '@zkts/storage-file';
import { decodeSnapshot, encodeSnapshotBuffer, zxidToHex, type EpochStore, type LogEntry, type SnapshotStore, type TxnLog } from '@zkts/txn-log';
import type { PeerTransport } from '@zkts/transport';
import { ZabPeer, decodeZabMessage, encodeZabMessage, makeZxid, zxidEpoch, type Entry, type Ready, type RecoveredState, type ZabMessage } from '@zkts/zab';
import type { Subscription } from 'rxjs';
import type { Logger } from '../logger.js';
import type { ForwardedRequest, Replicator, ServerMode, ZooKeeperServer } from '../zk-server.js';
import { decodeEntry, decodeForwarded, decodeTouches, encodeEntry, encodeForwarded, encodeTouches, PING_TOUCHES_MAX, type SessionTouch } from './payloads.js';

/** How often the election strategy gets a tick (its timers are in ms; ticks just let them fire). */
export const ELECTION_TICK_MS = 10;
/** ZooKeeper starts its read-only server this long (at least a tick) after losing the quorum. */
export const READ_ONLY_DELAY_MS_MIN = 2_000;
/** Most log entries handed to the peer at startup for DIFF (ZooKeeper's committedLog default). */
export const RECOVERED_TAIL_MAX = 500;

export interface EnsembleStorage {
  readonly txnLog: TxnLog;
  readonly snapshots: SnapshotStore;
  readonly epochs: EpochStore;
}

export interface EnsembleRuntimeOptions {
  readonly selfId: number;
  readonly voters: readonly number[];
  readonly observers: readonly number[];
  readonly tickTimeMs: number;
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly quorumTransport: PeerTransport;
  readonly electionTransport: PeerTransport;
  readonly election: ElectionStrategyFactory;
  readonly storage: EnsembleStorage;
  readonly server: ZooKeeperServer;
  readonly logger: Logger;
  readonly readOnlyModeEnabled: boolean;
  readonly extendedTypesEnabled: boolean;
  readonly now?: (() => number) | undefined;
  readonly random?: (() => number) | undefined;
}

/** A role change seen by the runtime (for tests, the harness and logs). */
export interface EnsembleEvent {
  readonly mode: ServerMode;
  readonly leader: number | null;
  readonly epoch: number;
  readonly at: number;
}

export class EnsembleRuntime implements Replicator {
  private peer!: ZabPeer;
  private readonly election: ElectionStrategy;
  private readonly now: () => number;
  private readonly subs: Subscription[] = [];
  private timers: ReturnType<typeof setInterval>[] = [];
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  /** An election result waiting for the peer's pending Ready to be carried out. */
  private elected: ElectionOutput & { kind: 'elected' } | null = null;
  private looking = false;
  private lookingSince = 0;
  private nextSyncId = 1;
  private readonly syncs = new Map<number, () => void>();
  private touches = new Map<bigint, number>();
  private previousTouches = new Map<bigint, number>();
  private mode: ServerMode = 'looking';
  /** FOLLOWERINFO / OBSERVERINFO that arrived while this peer was still looking, by sender. */
  private readonly earlyJoins = new Map<number, ZabMessage>();
  private failure: Error | null = null;
  readonly events: EnsembleEvent[] = [];
  private readonly listeners: Array<(e: EnsembleEvent) => void> = [];

  constructor(private readonly options: EnsembleRuntimeOptions) {
    this.now = options.now ?? Date.now;
    this.election = options.election.create({
      self: options.selfId,
      voters: options.voters,
      observers: options.observers,
      random: options.random ?? Math.random,
    });
  }

  // ---- lifecycle ----

  async start(): Promise<void> {
    const o = this.options;
    const recovered = await this.recoveredState();
    this.peer = new ZabPeer(
      { selfId: o.selfId, voters: o.voters, observers: o.observers, initLimitTicks: o.initLimitTicks, syncLimitTicks: o.syncLimitTicks },
      recovered,
    );
    o.logger.info(
      `ensemble member ${o.selfId}: voters ${o.voters.join(',')}${o.observers.length ? `, observers ${o.observers.join(',')}` : ''}; ` +
        `election ${this.election.name}; last zxid ${zxidToHex(recovered.lastZxid)}, epochs accepted ${recovered.acceptedEpoch} current ${recovered.currentEpoch}`,
    );
    o.server.setMode('looking', this);
    this.subs.push(
      o.quorumTransport.messages$.subscribe(({ from, msg }) => this.onZabBytes(from, msg)),
      o.quorumTransport.links$.subscribe(({ peer, up }) => {
        if (up) return;
        o.logger.debug(`quorum link to server ${peer} down`);
        this.guard(() => this.peer.peerDisconnected(peer));
      }),
      o.electionTransport.messages$.subscribe(({ from, msg }) => this.onElectionBytes(from, msg)),
    );
    this.timers.push(setInterval(() => this.onTick(), o.tickTimeMs));
    this.timers.push(setInterval(() => this.onElectionTick(), ELECTION_TICK_MS));
    for (const t of this.timers) t.unref?.();
    this.pump();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const s of this.subs) s.unsubscribe();
    // Let a Ready being persisted finish before the caller closes the log.
    while (this.pumping) await new Promise((r) => setTimeout(r, 5));
  }

  /** The role changes so far, and a way to wait for one. */
  onEvent(listener: (e: EnsembleEvent) => void): void {
    this.listeners.push(listener);
  }

  get currentMode(): ServerMode {
    return this.mode;
  }

  get leaderId(): number | null {
    return this.peer?.leaderId ?? null;
  }

  get zab(): ZabPeer {
    return this.peer;
  }

  /** What the peer starts from: epochs from the EpochStore, the log's tail for DIFF. */
  private async recoveredState(): Promise<RecoveredState> {
    const { txnLog, epochs } = this.options.storage;
    const tree = this.options.server.tree;
    const lastZxid = Math.max(txnLog.lastZxid(), tree.lastProcessedZxid);
    // ZooKeeper derives a missing epoch file from the last logged zxid.
    const current = (await epochs.currentEpoch()) ?? zxidEpoch(lastZxid);
    const accepted = Math.max((await epochs.acceptedEpoch()) ?? current, current);
    const tail: Entry[] = [];
    if (txnLog.lastZxid() === lastZxid && lastZxid > 0) {
      for await (const e of txnLog.readFrom(makeZxid(zxidEpoch(lastZxid), 0))) {
        tail.push({ zxid: e.hdr.zxid, data: encodeEntry(e) });
        if (tail.length > RECOVERED_TAIL_MAX) tail.shift();
      }
    }
    return { acceptedEpoch: accepted, currentEpoch: current, lastZxid, logTail: tail.length > 0 && tail[tail.length - 1]!.zxid === lastZxid ? tail : [] };
  }

  // ---- inputs ----

  private onZabBytes(from: number, bytes: Uint8Array): void {
    let msg: ZabMessage;
    try {
      msg = decodeZabMessage(bytes);
    } catch (e) {
      this.options.logger.warn(`dropping an undecodable ZAB message from server ${from}: ${(e as Error).message}`);
      return;
    }
    if (msg.type !== 'ping' && this.options.logger.enabled('debug')) this.options.logger.debug(`zab <- ${from}: ${msg.type}`);
    if ((msg.type === 'followerInfo' || msg.type === 'observerInfo') && this.peer?.currentRole === 'looking') {
      // A learner that finished the election first asks to join before we lead: keep its request
      // for when we do. (The learner also repeats it each tick; keeping it saves that tick.)
      this.earlyJoins.set(from, msg);
      return;
    }
    this.guard(() => this.peer.step(from, msg));
  }

  private onElectionBytes(from: number, bytes: Uint8Array): void {
    let msg;
    try {
      msg = decodeElectionMessage(bytes);
    } catch (e) {
      this.options.logger.warn(`dropping an undecodable election message from server ${from}: ${(e as Error).message}`);
      return;
    }
    this.electionOutputs(this.election.step({ kind: 'message', from, msg }, this.now()));
  }

  private onTick(): void {
    if (this.stopped) return;
    if (this.mode === 'follower' || this.mode === 'observer') {
      // Touches of this tick and the last: a payload the peer did not send yet is replaced.
      const merged = new Map([...this.previousTouches, ...this.touches]);
      this.previousTouches = this.touches;
      this.touches = new Map();
      if (merged.size > 0) {
        const list: SessionTouch[] = [...merged].slice(0, PING_TOUCHES_MAX).map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
        this.peer.setPingPayload(encodeTouches(list));
      }
    }
    this.guard(() => this.peer.tick());
    if (this.looking && this.options.readOnlyModeEnabled && this.mode === 'looking') {
      if (this.now() - this.lookingSince >= Math.max(READ_ONLY_DELAY_MS_MIN, this.options.tickTimeMs)) this.setMode('read-only');
    }
  }

  private onElectionTick(): void {
    if (this.stopped) return;
    this.electionOutputs(this.election.step({ kind: 'tick' }, this.now()));
  }

  /** Runs a peer input, then carries out what it produced. */
  private guard(input: () => void): void {
    if (this.stopped || !this.peer) return;
    try {
      input();
    } catch (e) {
      this.options.logger.error(`zab: ${(e as Error).message}`);
    }
    this.pump();
  }

  // ---- election ----

  private startLooking(): void {
    if (this.looking) return;
    this.looking = true;
    this.lookingSince = this.now();
    const self = { lastZxid: this.peer.lastLoggedZxid, currentEpoch: this.peer.hardState.currentEpoch };
    this.options.logger.info(`LOOKING (election ${this.election.name}, last zxid ${zxidToHex(self.lastZxid)}, epoch ${self.currentEpoch})`);
    this.electionOutputs(this.election.lookForLeader(self, this.now()));
  }

  private electionOutputs(outputs: readonly ElectionOutput[]): void {
    for (const out of outputs) {
      if (out.kind === 'send') {
        this.options.electionTransport.send(out.to, encodeElectionMessage(out.msg));
      } else if (this.looking) {
        this.elected = out;
        this.options.logger.info(`election: ${out.state}, leader ${out.leader} (election epoch ${out.electionEpoch}, ${out.rounds} rounds, ${this.now() - this.lookingSince} ms)`);
      }
    }
    if (this.elected) this.pump();
  }

  /** Hands an election result to the peer once it has nothing pending (it must sync from a clean log). */
  private takeElected(): boolean {
    const out = this.elected;
    if (!out || this.peer.hasReady()) return false;
    this.elected = null;
    this.looking = false;
    try {
      if (out.state === 'leading') this.peer.becomeLeader();
      else if (out.state === 'following') this.peer.becomeFollower(out.leader);
      else this.peer.becomeObserver(out.leader);
      // A leader takes the early joins; a follower or observer answers them with NOTLEADER, so
      // those learners look again at once (issue 5) instead of waiting initLimit.
      for (const [from, msg] of this.earlyJoins) this.peer.step(from, msg);
      this.earlyJoins.clear();
    } catch (e) {
      this.options.logger.warn(`cannot take the election result (${(e as Error).message}); looking again`);
      this.startLooking();
    }
    return true;
  }

  // ---- Ready loop ----

  private pump(): void {
    if (this.stopped || !this.peer) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.drainReady().finally(() => {
      this.pumping = false;
      if (this.pumpAgain && !this.stopped) {
        this.pumpAgain = false;
        this.pump();
      }
    });
  }

  private async drainReady(): Promise<void> {
    for (;;) {
      this.pumpAgain = false;
      if (this.failure || this.stopped) return;
      if (this.peer.hasReady()) {
        const ready = this.peer.ready();
        try {
          await this.carryOut(ready);
        } catch (e) {
          // Storage that cannot persist means this peer may not acknowledge anything again.
          this.failure = e as Error;
          this.options.logger.error(`ensemble storage failed, this server stops taking part: ${(e as Error).message}`);
          this.setMode('looking');
          return;
        }
        this.peer.advance(ready);
        continue;
      }
      if (this.takeElected()) continue;
      return;
    }
  }

  private async carryOut(ready: Ready): Promise<void> {
    const { txnLog, snapshots, epochs } = this.options.storage;
    const server = this.options.server;
    // An established leader's proposals and commits leave now, while its own log write runs (as
    // ZooKeeper does); the core counts this server's ack only after advance(), i.e. after the flush.
    const encoded = new Map<ZabMessage, Uint8Array>();
    this.sendMessages(ready, 0, ready.messagesBeforePersist, encoded);
    if (ready.hardState) {
      const stored = await epochs.acceptedEpoch();
      if (stored !== ready.hardState.acceptedEpoch) await epochs.setAcceptedEpoch(ready.hardState.acceptedEpoch);
      if ((await epochs.currentEpoch()) !== ready.hardState.currentEpoch) await epochs.setCurrentEpoch(ready.hardState.currentEpoch);
    }
    if (ready.truncateAfter !== undefined) {
      await txnLog.flush();
      await txnLog.truncateAfter(ready.truncateAfter);
      if (server.tree.lastProcessedZxid > ready.truncateAfter) {
        const r = await recoverDataTree(txnLog, snapshots, { extendedTypesEnabled: this.options.extendedTypesEnabled });
        server.replaceTree(r.tree, r.sessions);
        this.options.logger.info(`TRUNC to ${zxidToHex(ready.truncateAfter)}: tree rebuilt (${r.tree.nodeCount} nodes)`);
      }
    }
    if (ready.snapshot) {
      const snap = decodeSnapshot(ready.snapshot.data, `SNAP ${zxidToHex(ready.snapshot.zxid)} from the leader`);
      const tree = DataTree.fromNodes(snap.nodes, snap.zxid, { extendedTypesEnabled: this.options.extendedTypesEnabled });
      await snapshots.save(snap.zxid, { nodes: snap.nodes, sessions: snap.sessions, digest: snap.digest });
      await txnLog.flush();
      if (txnLog.lastZxid() > snap.zxid) await txnLog.truncateAfter(snap.zxid);
      server.replaceTree(tree, snap.sessions);
      this.options.logger.info(`SNAP ${zxidToHex(snap.zxid)} installed: ${tree.nodeCount} nodes, ${snap.sessions.length} sessions`);
    }
    // What is committed is durable on a quorum already: unless this Ready changes epochs or
    // replaces the log, apply it (and answer its clients) without waiting for this Ready's own
    // flush of newer entries, as ZooKeeper's CommitProcessor does not wait for its SyncRequestProcessor.
    const applyBeforeFlush = ready.hardState === undefined && ready.truncateAfter === undefined && ready.snapshot === undefined;
    if (applyBeforeFlush) for (const e of ready.committed) server.applyCommitted(decodeEntry(e.data));
    if (ready.entries.length > 0) {
      txnLog.append(ready.entries.map((e) => decodeEntry(e.data)));
      await txnLog.flush();
    }
    if (!applyBeforeFlush) for (const e of ready.committed) server.applyCommitted(decodeEntry(e.data));
    this.sendMessages(ready, ready.messagesBeforePersist, ready.messages.length, encoded);
    for (const f of ready.forwarded) {
      let req: ForwardedRequest;
      try {
        req = decodeForwarded(f.data);
      } catch (e) {
        this.options.logger.warn(`dropping an undecodable forwarded request from server ${f.from}: ${(e as Error).message}`);
        continue;
      }
      server.handleForwarded(f.from, req);
    }
    for (const p of ready.pingPayloads) {
      if (server.mode !== 'leader') continue;
      try {
        server.applyTouches(decodeTouches(p.data));
      } catch (e) {
        this.options.logger.warn(`dropping a bad ping payload from server ${p.from}: ${(e as Error).message}`);
      }
    }
    for (const id of ready.syncsDone) {
      const done = this.syncs.get(id);
      this.syncs.delete(id);
      done?.();
    }
    if (ready.roleChanged) {
      const r = ready.roleChanged;
      this.options.logger.info(`zab: ${r.role} (${r.phase}), epoch ${r.epoch}, leader ${r.leader ?? '-'}${r.reason ? ` (${r.reason})` : ''}`);
      if (r.phase === 'broadcast' && r.role !== 'looking') {
        const vote = { leader: r.leader ?? this.options.selfId, zxid: this.peer.lastLoggedZxid, peerEpoch: r.epoch };
        this.election.settle(r.role, vote, this.now());
      }
    }
    this.setMode(this.peerMode());
    if (ready.needsElection || (this.peer.currentRole === 'looking' && !this.looking && !this.elected)) this.startLooking();
  }

  /** Sends ready.messages[from, to); a message object sent to several servers is encoded once. */
  private sendMessages(ready: Ready, from: number, to: number, encoded: Map<ZabMessage, Uint8Array>): void {
    const debug = this.options.logger.enabled('debug');
    for (let i = from; i < to; i++) {
      const { to: target, msg } = ready.messages[i]!;
      const out: ZabMessage = msg.type === 'snap' && msg.data === undefined ? { ...msg, data: this.snapshotBytes(msg.zxid) } : msg;
      if (debug && out.type !== 'ping') this.options.logger.debug(`zab -> ${target}: ${out.type}`);
      try {
        let bytes = encoded.get(out);
        if (bytes === undefined) {
          bytes = encodeZabMessage(out);
          encoded.set(out, bytes);
        }
        this.options.quorumTransport.send(target, bytes);
      } catch (e) {
        // A message that cannot be encoded is lost like any other: the peer resyncs or times out.
        this.options.logger.error(`cannot send ${out.type} to server ${target}: ${(e as Error).message}`);
      }
    }
  }

  private peerMode(): ServerMode {
    if (!this.peer.isServing) return this.mode === 'read-only' && this.peer.currentRole === 'looking' ? 'read-only' : 'looking';
    switch (this.peer.currentRole) {
      case 'leading':
        return 'leader';
      case 'following':
        return 'follower';
      case 'observing':
        return 'observer';
      default:
        return 'looking';
    }
  }

  private setMode(mode: ServerMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    for (const [, done] of this.syncs) void done; // syncs die with the role: their clients are closed
    this.syncs.clear();
    this.options.server.setMode(mode, this);
    const event: EnsembleEvent = { mode, leader: this.peer.leaderId, epoch: this.peer.hardState.currentEpoch, at: this.now() };
    this.events.push(event);
    for (const l of this.listeners) l(event);
  }

  /** The leader's state for a SNAP: the tree (it is at the SNAP's zxid now) and the sessions. */
  private snapshotBytes(zxid: number): Uint8Array {
    const tree = this.options.server.tree;
    if (tree.lastProcessedZxid !== zxid) {
      this.options.logger.warn(`SNAP at ${zxidToHex(zxid)} but the tree is at ${zxidToHex(tree.lastProcessedZxid)}`);
    }
    return encodeSnapshotBuffer(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions: this.options.server.sessionRecords(), digest: tree.digest() });
  }

  // ---- Replicator (called by the request pipeline) ----

  peekNextZxid(): number {
    return this.peer.peekNextZxid();
  }

  propose(entry: LogEntry): void {
    const zxid = this.peer.propose(encodeEntry(entry));
    if (zxid !== entry.hdr.zxid) throw new Error(`zab assigned ${zxidToHex(zxid)} to a txn prepared as ${zxidToHex(entry.hdr.zxid)}`);
    this.pump();
  }

  forward(request: ForwardedRequest): void {
    this.guard(() => this.peer.forward(encodeForwarded(request)));
  }

  sync(done: () => void): void {
    const id = this.nextSyncId++;
    this.syncs.set(id, done);
    this.guard(() => this.peer.requestSync(id));
  }

  touched(sessionId: bigint, timeoutMs: number): void {
    this.touches.set(sessionId, timeoutMs);
  }

  statusRows(): Array<[string, string | number]> {
    const s = this.peer.status();
    const rows: Array<[string, string | number]> = [['zk_peer_state', `${s.role} - ${s.phase}`]];
    if (s.role === 'leading') {
      const followers = s.learners.filter((l) => !l.observer).length;
      rows.push(
        ['zk_learners', s.learners.length],
        ['zk_followers', followers],
        ['zk_synced_followers', s.syncedFollowers.length],
        ['zk_synced_non_voting_followers', 0],
        ['zk_synced_observers', s.syncedObservers.length],
        ['zk_pending_syncs', s.pendingSyncs],
        ['zk_outstanding_proposals', s.outstandingProposals],
      );
    }
    rows.push(['zkts_epoch', s.currentEpoch], ['zkts_last_committed_zxid', zxidToHex(s.lastCommittedZxid)]);
    return rows;
  }
}
