// What a role sees of its peer, and what the peer asks of a role. Roles are swapped on role
// change (etcd-raft style); each one only handles the inputs that make sense for it.
import type { HardState, ResolvedConfig } from './config.js';
import type { PeerLog } from './log.js';
import type { ZabMessage } from './messages.js';
import type { Ready, ReadyQueue, RoleChange, ZabPhase, ZabRole } from './ready.js';

export interface PeerContext {
  readonly config: ResolvedConfig;
  readonly log: PeerLog;
  readonly out: ReadyQueue;
  readonly hardState: HardState;
  /** Ticks since this peer was created. */
  readonly now: number;
  setAcceptedEpoch(epoch: number): void;
  setCurrentEpoch(epoch: number): void;
  send(to: number, msg: ZabMessage): void;
  /** An established leader's message that may leave before this Ready is durable (Ready.messagesBeforePersist). */
  sendBeforePersist(to: number, msg: ZabMessage): void;
  /** The payload the runtime wants on the next ping this peer sends (consumed). */
  takePingPayload(): Uint8Array | undefined;
  roleChanged(change: Omit<RoleChange, 'role'>): void;
  /** Leaves the current role for 'looking' (needs an election). The caller must return at once. */
  stepDown(reason: string): void;
  /** Next learner connection attempt number. */
  nextAttempt(): number;
}

export interface RoleHandler {
  readonly role: ZabRole;
  readonly phase: ZabPhase;
  readonly epoch: number;
  readonly leaderId: number | null;
  start(): void;
  tick(): void;
  step(from: number, msg: ZabMessage): void;
  peerDisconnected(id: number): void;
  advanced(ready: Ready): void;
}

/** Waiting for the runtime's election result. */
export class LookingRole implements RoleHandler {
  readonly role = 'looking' as const;
  readonly phase = 'election' as const;
  readonly leaderId = null;
  constructor(private readonly ctx: PeerContext) {}
  get epoch(): number { return this.ctx.hardState.acceptedEpoch; }
  start(): void {}
  tick(): void {}
  step(): void {}
  peerDisconnected(): void {}
  advanced(): void {}
}
