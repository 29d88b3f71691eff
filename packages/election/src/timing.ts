// Timing knobs, all in ms and all checked against one ceiling. The defaults aim at a failover
// (detection + election) of about 0.25 s on a LAN; see README "Timing" for the trade-offs.

export interface ElectionTiming {
  /**
   * fast: once a quorum agrees with my proposal, wait this long for a better vote before
   * deciding. ZooKeeper uses 200 ms. Longer = fewer premature decisions over slow links, slower
   * elections.
   */
  readonly finalizeWaitMs: number;
  /** fast: resend my notifications after this long (ZooKeeper's minNotificationInterval, 200 ms there). */
  readonly notificationIntervalMinMs: number;
  /** fast: the resend interval doubles up to this cap (ZooKeeper: maxNotificationInterval, 60 s). */
  readonly notificationIntervalMaxMs: number;
  /** basic: how long a polling round waits for the answers that have not come back. */
  readonly roundTimeoutMs: number;
  /** basic: the pause between undecided rounds is this plus a random jitter in [0, this). */
  readonly roundPauseMs: number;
}

/** 50 ms: one LAN round trip is well under 1 ms, so late votes still arrive; a quarter of ZooKeeper's 200 ms. */
export const FINALIZE_WAIT_MS_DEFAULT = 50;
export const NOTIFICATION_INTERVAL_MIN_MS_DEFAULT = 100;
/** Lower than ZooKeeper's 60 s so a healed partition or a restarted peer is heard within seconds. */
export const NOTIFICATION_INTERVAL_MAX_MS_DEFAULT = 2_000;
/** Long enough for every LAN answer; it is what a round costs when a voter is down. */
export const ROUND_TIMEOUT_MS_DEFAULT = 50;
export const ROUND_PAUSE_MS_DEFAULT = 10;
/** No timing knob may exceed this (ZooKeeper's own ceiling, maxNotificationInterval). */
export const ELECTION_TIMING_MS_MAX = 60_000;

export const ELECTION_TIMING_DEFAULTS: ElectionTiming = Object.freeze({
  finalizeWaitMs: FINALIZE_WAIT_MS_DEFAULT,
  notificationIntervalMinMs: NOTIFICATION_INTERVAL_MIN_MS_DEFAULT,
  notificationIntervalMaxMs: NOTIFICATION_INTERVAL_MAX_MS_DEFAULT,
  roundTimeoutMs: ROUND_TIMEOUT_MS_DEFAULT,
  roundPauseMs: ROUND_PAUSE_MS_DEFAULT,
});

/** Knobs that may be 0 (decide / start the next round at once); the others must be >= 1. */
const ZERO_ALLOWED: ReadonlySet<keyof ElectionTiming> = new Set(['finalizeWaitMs', 'roundPauseMs']);

/** Defaults filled in and every value checked; a bad value is a RangeError naming the knob. */
export function resolveTiming(overrides: Partial<ElectionTiming> = {}): ElectionTiming {
  const timing = { ...ELECTION_TIMING_DEFAULTS };
  for (const [key, value] of Object.entries(overrides) as [keyof ElectionTiming, unknown][]) {
    if (!(key in ELECTION_TIMING_DEFAULTS)) throw new RangeError(`election timing: unknown knob '${key}'`);
    if (value === undefined) continue;
    const min = ZERO_ALLOWED.has(key) ? 0 : 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > ELECTION_TIMING_MS_MAX) {
      throw new RangeError(`election timing: ${key} must be an integer in ${min}..${ELECTION_TIMING_MS_MAX} ms, got ${String(value)}`);
    }
    (timing as Record<keyof ElectionTiming, number>)[key] = value;
  }
  if (timing.notificationIntervalMinMs > timing.notificationIntervalMaxMs) {
    throw new RangeError(
      `election timing: notificationIntervalMinMs ${timing.notificationIntervalMinMs} exceeds notificationIntervalMaxMs ${timing.notificationIntervalMaxMs}`,
    );
  }
  return Object.freeze(timing);
}
