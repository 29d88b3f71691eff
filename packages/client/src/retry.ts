// Retry policies for idempotent operations (reads, sync, whoAmI): a request that failed with
// ConnectionLoss or OperationTimeout is sent again after a delay; it waits in the queue until the
// client has reconnected. Writes are never retried (a lost reply does not mean a lost write).
import { ClientClosedError, ConnectionLossError, OperationTimeoutError } from './errors.js';

export interface RetryPolicy {
  /** How many times a failed idempotent request is sent again (0 = never). */
  readonly maxRetries: number;
  /** The pause before retry number `attempt` (0-based). */
  delayMs(attempt: number): number;
}

export const NO_RETRY: RetryPolicy = Object.freeze({ maxRetries: 0, delayMs: () => 0 });

export interface ExponentialBackoffOptions {
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** baseDelayMs * 2^attempt, capped at maxDelayMs (defaults: 3 retries, 100 ms, 2 s). */
export function exponentialBackoff(opts: ExponentialBackoffOptions = {}): RetryPolicy {
  const maxRetries = opts.maxRetries ?? 3;
  const base = opts.baseDelayMs ?? 100;
  const cap = opts.maxDelayMs ?? 2000;
  if (!(maxRetries >= 0 && base >= 0 && cap >= 0)) throw new RangeError('exponentialBackoff: options must be >= 0');
  return { maxRetries, delayMs: (attempt) => Math.min(cap, base * 2 ** attempt) };
}

/** Whether an error is worth retrying for an idempotent request. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ClientClosedError) return false;
  return err instanceof ConnectionLossError || err instanceof OperationTimeoutError;
}
