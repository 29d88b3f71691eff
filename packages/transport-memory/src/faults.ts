// Fault settings of the in-memory network (per link or global) and their checks.

/** A uniform range of milliseconds, min <= max. */
export interface DelayRangeMs {
  readonly min: number;
  readonly max: number;
}

/**
 * What a link does to messages. loss/duplicate/reorder are probabilities in [0, 1] drawn per
 * message. duplicate and reorder break the PeerTransport contract (at most once, per-peer order):
 * they are nemesis tools for testing a protocol's tolerance, off by default.
 */
export interface LinkFaults {
  /** Delivery delay drawn uniformly per message. Default { min: 0, max: 0 }. */
  readonly delayMs?: DelayRangeMs | undefined;
  /** Chance a message is silently dropped (no link event). Default 0. */
  readonly loss?: number | undefined;
  /** Chance a message is delivered twice (the copy with its own delay). Default 0. */
  readonly duplicate?: number | undefined;
  /** Chance a message skips the link's FIFO queue and may overtake earlier ones. Default 0. */
  readonly reorder?: number | undefined;
}

export interface ResolvedLinkFaults {
  readonly delayMs: DelayRangeMs;
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
}

/** Largest delay a link may be given: a day, far beyond any protocol timeout. */
export const LINK_DELAY_MS_MAX = 24 * 60 * 60 * 1000;

export const NO_FAULTS: ResolvedLinkFaults = { delayMs: { min: 0, max: 0 }, loss: 0, duplicate: 0, reorder: 0 };

/** base with the fields `over` sets replaced; throws a RangeError naming a bad field. */
export function mergeFaults(base: ResolvedLinkFaults, over: LinkFaults, where: string): ResolvedLinkFaults {
  const r: ResolvedLinkFaults = {
    delayMs: over.delayMs ?? base.delayMs,
    loss: over.loss ?? base.loss,
    duplicate: over.duplicate ?? base.duplicate,
    reorder: over.reorder ?? base.reorder,
  };
  for (const name of ['loss', 'duplicate', 'reorder'] as const) {
    const p = r[name];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${where} ${name}: ${p} is not a probability in [0, 1]`);
  }
  const { min, max } = r.delayMs;
  if (!(min >= 0 && min <= LINK_DELAY_MS_MAX) || !(max >= min && max <= LINK_DELAY_MS_MAX)) {
    throw new RangeError(`${where} delayMs: { min: ${min}, max: ${max} } is not a range within 0..${LINK_DELAY_MS_MAX}`);
  }
  return r;
}
