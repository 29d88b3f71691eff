import { CreateMode } from '@zkts/protocol';
import type { DisconnectedRequestPolicy } from './core.js';
import type { RetryPolicy } from './retry.js';

export type CreateModeName = keyof typeof CreateMode;

export interface ClientOptions {
  /** Requested session timeout; the server negotiates it into its min..max (default 30000). */
  sessionTimeoutMs?: number;
  /** Resume an existing session (id and password from another client). */
  session?: { id: bigint; password: Uint8Array };
  /** Accept read-only servers (sent in the handshake; state 'readOnly'). Default false. */
  canBeReadOnly?: boolean;
  /** Requests waiting for a reply or a connection before submit fails with QueueFullError (default 1000). */
  maxQueuedRequests?: number;
  /**
   * Requests made while there is no connection (before the first one, or between servers):
   * 'wait' (default) queues them for the next connection, at most queuedRequestTimeoutMs;
   * 'fail' fails them with ConnectionLossError when a connection attempt fails, as the Java
   * client does (then retried like any connection loss, see `retry`).
   */
  requestsWhileDisconnected?: DisconnectedRequestPolicy;
  /** How long a queued request waits for a connection before it fails with ConnectionLossError (default sessionTimeoutMs). */
  queuedRequestTimeoutMs?: number;
  /** Retries of idempotent operations after ConnectionLoss (default exponentialBackoff()). */
  retry?: RetryPolicy;
  /** Pause after every server in the list failed once (default 200 ms). */
  reconnectDelayMs?: number;
  /** Shuffle the servers of the connect string, as ZooKeeper's client does (default false: in order). */
  shuffleServers?: boolean;
  /** How long connect() waits for the first session before it fails (default sessionTimeoutMs). */
  initialConnectTimeoutMs?: number;
}

export function createModeValue(mode: CreateModeName | number): number {
  if (typeof mode === 'number') {
    if (!Object.values(CreateMode).includes(mode as CreateMode)) throw new RangeError(`unknown create mode ${mode}`);
    return mode;
  }
  const v = CreateMode[mode];
  if (v === undefined) throw new RangeError(`unknown create mode "${String(mode)}"`);
  return v;
}

export function isSequentialMode(mode: number): boolean {
  return mode === CreateMode.persistentSequential || mode === CreateMode.ephemeralSequential || mode === CreateMode.persistentSequentialWithTtl;
}
export function isTtlMode(mode: number): boolean {
  return mode === CreateMode.persistentWithTtl || mode === CreateMode.persistentSequentialWithTtl;
}
/** EphemeralType.TTL's largest value (40 bits). */
export const TTL_MAX_MS = 0xff_ffff_ffff;
