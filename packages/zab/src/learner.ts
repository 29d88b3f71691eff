// Follower and observer (ZooKeeper's Learner/Follower/Observer): register with the leader, accept
// its epoch, sync (DIFF / TRUNC / SNAP, then NEWLEADER, UPTODATE), then follow the broadcast.
import { NotSyncedError } from './errors.js';
import type { ZabMessage } from './messages.js';
import type { PeerContext, RoleHandler } from './role.js';
import { isNextZxid, makeZxid, zxidEpoch, zxidHex, type Zxid } from './zxid.js';

type LearnerPhase = 'discovery' | 'synchronization' | 'broadcast';
export type SyncMode = 'diff' | 'trunc' | 'snap';

export class LearnerRole implements RoleHandler {
  readonly role: 'following' | 'observing';
  phase: LearnerPhase = 'discovery';
  private readonly attempt: number;
  private newEpoch: number | undefined;
  private syncMode: SyncMode | undefined;
  /** Highest zxid the leader told us is committed; applied at UPTODATE, then as COMMITs arrive. */
  private commitMark: Zxid = 0;
  private newLeaderSeen = false;
  private lastHeardTick: number;
  /** When the current phase began: discovery + sync must each finish within initLimit. */
  private phaseStartTick: number;
  private readonly pendingSyncs: number[] = [];

  constructor(private readonly ctx: PeerContext, readonly leaderId: number, private readonly voting: boolean) {
    this.role = voting ? 'following' : 'observing';
    this.attempt = ctx.nextAttempt();
    this.lastHeardTick = ctx.now;
    this.phaseStartTick = ctx.now;
  }

  get epoch(): number {
    return this.newEpoch ?? this.ctx.hardState.acceptedEpoch;
  }

  get lastSyncMode(): SyncMode | undefined {
    return this.syncMode;
  }

  get pendingSyncCount(): number {
    return this.pendingSyncs.length;
  }

  start(): void {
    const { ctx } = this;
    ctx.roleChanged({ phase: 'discovery', epoch: ctx.hardState.acceptedEpoch, leader: this.leaderId });
    this.sendInfo();
  }

  private sendInfo(): void {
    const { ctx } = this;
    const info = { attempt: this.attempt, acceptedEpoch: ctx.hardState.acceptedEpoch, lastZxid: ctx.log.lastLogged };
    ctx.send(this.leaderId, this.voting ? { type: 'followerInfo', ...info } : { type: 'observerInfo', ...info });
  }

  tick(): void {
    const { now, config } = this.ctx;
    const limit = this.phase === 'broadcast' ? config.syncLimitTicks : config.initLimitTicks;
    if (now - this.lastHeardTick > limit) {
      this.ctx.stepDown(`heard nothing from leader ${this.leaderId} for ${now - this.lastHeardTick} ticks (limit ${limit}) in ${this.phase}`);
    } else if (this.phase !== 'broadcast' && now - this.phaseStartTick > config.initLimitTicks) {
      // Pings keep coming while a sync is stuck (a lost NEWLEADER or UPTODATE): give up on it.
      this.ctx.stepDown(`${this.phase} with leader ${this.leaderId} not done within initLimit (${config.initLimitTicks} ticks)`);
    } else if (this.phase === 'discovery') {
      // Our info may have reached the leader while it was still looking (its election decided
      // later than ours) and been dropped: repeat it each tick until its LEADERINFO comes, as
      // ZooKeeper's learner retries its connection. The leader ignores a repeat of an attempt.
      this.sendInfo();
    }
  }

  peerDisconnected(id: number): void {
    if (id === this.leaderId) this.ctx.stepDown(`connection to leader ${id} lost`);
  }

  advanced(): void {}

  forward(data: Uint8Array): void {
    if (this.phase !== 'broadcast') throw new NotSyncedError(this.role, this.phase);
    this.ctx.send(this.leaderId, { type: 'request', data });
  }

  requestSync(id: number): void {
    if (this.phase !== 'broadcast') throw new NotSyncedError(this.role, this.phase);
    this.pendingSyncs.push(id);
    this.ctx.send(this.leaderId, { type: 'sync', id });
  }

  step(from: number, msg: ZabMessage): void {
    if (msg.type === 'followerInfo' || msg.type === 'observerInfo') {
      // Someone takes this peer for its leader (its election decided before ours changed our
      // mind): say no at once, so it looks again instead of waiting initLimit.
      this.ctx.send(from, { type: 'notLeader', attempt: msg.attempt });
      return;
    }
    if (from !== this.leaderId) return;
    if (this.phase === 'discovery') {
      // Anything before the LEADERINFO of this attempt belongs to an older connection.
      if (msg.type === 'leaderInfo' && msg.attempt === this.attempt) {
        this.lastHeardTick = this.ctx.now;
        this.onLeaderInfo(msg.epoch);
      } else if (msg.type === 'notLeader' && msg.attempt === this.attempt) {
        this.ctx.stepDown(`server ${this.leaderId} is not leading (it answered our ${this.voting ? 'FOLLOWERINFO' : 'OBSERVERINFO'} with NOTLEADER)`);
      }
      return;
    }
    this.lastHeardTick = this.ctx.now;
    if (msg.type === 'ping') {
      this.onPing(msg.lastZxid, msg.committedZxid, msg.payload);
      return;
    }
    if (this.phase === 'synchronization') this.stepSync(msg);
    else this.stepBroadcast(msg);
  }

  /** The entry continues our log exactly; anything else means a message was lost. */
  private follows(prevZxid: Zxid, zxid: Zxid): boolean {
    const last = this.ctx.log.lastLogged;
    return prevZxid === last && zxid > last && (zxidEpoch(zxid) !== zxidEpoch(last) || isNextZxid(last, zxid));
  }

  private violation(detail: string): void {
    this.ctx.stepDown(`protocol violation from leader ${this.leaderId}: ${detail}`);
  }

  private onLeaderInfo(epoch: number): void {
    const { ctx } = this;
    const accepted = ctx.hardState.acceptedEpoch;
    if (epoch < accepted) {
      ctx.stepDown(`leader ${this.leaderId} proposed epoch ${epoch}, below accepted epoch ${accepted}`);
      return;
    }
    // Accepting an epoch is a promise: persisted (in this Ready) before ACKEPOCH goes out.
    const epochAlreadyAccepted = epoch === accepted;
    if (!epochAlreadyAccepted) ctx.setAcceptedEpoch(epoch);
    this.newEpoch = epoch;
    this.phase = 'synchronization';
    this.phaseStartTick = ctx.now;
    ctx.roleChanged({ phase: 'synchronization', epoch, leader: this.leaderId });
    ctx.send(this.leaderId, {
      type: 'ackEpoch', currentEpoch: ctx.hardState.currentEpoch, lastZxid: ctx.log.lastLogged, epochAlreadyAccepted,
      truncFloorZxid: ctx.log.truncFloor,
    });
  }

  private onPing(leaderLast: Zxid, leaderCommitted: Zxid, payload: Uint8Array | undefined): void {
    const { log } = this.ctx;
    if (this.phase === 'broadcast') {
      // FIFO: everything the leader sent before this ping has arrived, unless a message was lost.
      if (leaderLast > log.lastLogged) return this.violation(`ping says ${zxidHex(leaderLast)} was sent, last received ${zxidHex(log.lastLogged)}`);
      log.commitUpTo(leaderCommitted);
    }
    if (payload) this.ctx.out.pingPayload(this.leaderId, payload);
    const reply = this.ctx.takePingPayload();
    const ping = { type: 'ping' as const, lastZxid: log.lastLogged, committedZxid: log.lastCommitted };
    this.ctx.send(this.leaderId, reply ? { ...ping, payload: reply } : ping);
  }

  private stepSync(msg: ZabMessage): void {
    const { log } = this.ctx;
    const epoch = this.newEpoch!;
    if (msg.type === 'diff' || msg.type === 'trunc' || msg.type === 'snap') {
      if (this.syncMode !== undefined) return this.violation(`second sync message ${msg.type} after ${this.syncMode}`);
      this.syncMode = msg.type;
      if (msg.type === 'trunc') {
        if (msg.zxid > log.lastLogged) return this.violation(`TRUNC to ${zxidHex(msg.zxid)} beyond last zxid ${zxidHex(log.lastLogged)}`);
        log.truncateAfter(msg.zxid);
      } else if (msg.type === 'snap') {
        if (!msg.data) return this.violation('SNAP without state');
        log.installSnapshot(msg.zxid, msg.data);
      }
      this.commitMark = Math.max(this.commitMark, log.lastCommitted);
      return;
    }
    if (msg.type === 'leaderInfo') return; // a duplicate
    if (this.syncMode === undefined) return this.violation(`${msg.type} before DIFF/TRUNC/SNAP`);
    if ((msg.type === 'proposal' || msg.type === 'inform') && msg.zxid <= log.lastLogged) return; // a duplicate
    switch (msg.type) {
      case 'proposal':
        if (!this.follows(msg.prevZxid, msg.zxid) || zxidEpoch(msg.zxid) > epoch) return this.violation(`proposal ${zxidHex(msg.zxid)} does not follow ${zxidHex(log.lastLogged)}`);
        log.append({ zxid: msg.zxid, data: msg.data });
        if (this.newLeaderSeen && this.voting) this.ctx.send(this.leaderId, { type: 'ack', zxid: msg.zxid });
        return;
      case 'commit':
        if (msg.zxid > log.lastLogged) return this.violation(`commit ${zxidHex(msg.zxid)} beyond last zxid ${zxidHex(log.lastLogged)}`);
        this.commitMark = Math.max(this.commitMark, msg.zxid);
        return;
      case 'inform':
        if (this.voting || !this.newLeaderSeen || !this.follows(msg.prevZxid, msg.zxid)) return this.violation(`unexpected inform ${zxidHex(msg.zxid)} after ${zxidHex(log.lastLogged)}`);
        log.append({ zxid: msg.zxid, data: msg.data });
        this.commitMark = msg.zxid;
        return;
      case 'newLeader':
        if (msg.epoch !== epoch) return this.violation(`NEWLEADER for epoch ${msg.epoch} while syncing to ${epoch}`);
        if (this.newLeaderSeen) return; // a duplicate
        if (msg.lastZxid !== log.lastLogged) return this.violation(`NEWLEADER after ${zxidHex(msg.lastZxid)} but the log ends at ${zxidHex(log.lastLogged)}`);
        this.newLeaderSeen = true;
        // Our log now is the leader's history: make that durable (currentEpoch) before acking it.
        this.ctx.setCurrentEpoch(epoch);
        this.ctx.send(this.leaderId, { type: 'ack', zxid: makeZxid(epoch, 0) });
        if (this.voting) {
          for (const e of log.uncommitted) {
            if (e.zxid > this.commitMark) this.ctx.send(this.leaderId, { type: 'ack', zxid: e.zxid });
          }
        }
        return;
      case 'upToDate':
        if (!this.newLeaderSeen) return this.violation('UPTODATE before NEWLEADER');
        log.commitUpTo(this.commitMark);
        this.phase = 'broadcast';
        this.ctx.roleChanged({ phase: 'broadcast', epoch, leader: this.leaderId });
        return;
      default:
        return this.violation(`unexpected ${msg.type} while syncing`);
    }
  }

  private stepBroadcast(msg: ZabMessage): void {
    const { log } = this.ctx;
    // Duplicates (the link may repeat a message) change nothing.
    if ((msg.type === 'proposal' || msg.type === 'inform') && msg.zxid <= log.lastLogged) return;
    if (msg.type === 'upToDate' || msg.type === 'newLeader' || msg.type === 'leaderInfo') return;
    switch (msg.type) {
      case 'proposal':
        if (!this.voting || !this.follows(msg.prevZxid, msg.zxid) || zxidEpoch(msg.zxid) !== this.newEpoch) {
          return this.violation(`proposal ${zxidHex(msg.zxid)} out of order (last ${zxidHex(log.lastLogged)})`);
        }
        log.append({ zxid: msg.zxid, data: msg.data });
        this.ctx.send(this.leaderId, { type: 'ack', zxid: msg.zxid });
        return;
      case 'commit':
        if (msg.zxid > log.lastLogged) return this.violation(`commit ${zxidHex(msg.zxid)} beyond last zxid ${zxidHex(log.lastLogged)}`);
        log.commitUpTo(msg.zxid);
        return;
      case 'inform':
        if (this.voting || !this.follows(msg.prevZxid, msg.zxid)) return this.violation(`unexpected inform ${zxidHex(msg.zxid)} after ${zxidHex(log.lastLogged)}`);
        log.append({ zxid: msg.zxid, data: msg.data });
        log.commitUpTo(msg.zxid);
        return;
      case 'syncDone': {
        const i = this.pendingSyncs.indexOf(msg.id);
        if (i < 0) return;
        this.pendingSyncs.splice(i, 1);
        this.ctx.out.syncDone(msg.id);
        return;
      }
      default:
        return this.violation(`unexpected ${msg.type} while following`);
    }
  }
}
