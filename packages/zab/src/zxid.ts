// Zxids as plain numbers: epoch * 2^32 + counter, exact while epoch < 2^21. The same encoding as
// @zkts/txn-log's zxid helpers, kept here so this pure core depends on nothing with I/O in it
// (txn-log's index also exports its node:zlib checksum).

export type Zxid = number;

/** Largest epoch whose zxids are still exact JavaScript numbers. */
export const EPOCH_MAX = 2 ** 21 - 1;
/** Largest zxid counter representable; ZooKeeper forces a new epoch before reaching it. */
export const ZXID_COUNTER_MAX = 2 ** 32 - 1;
const TWO_32 = 2 ** 32;

export function makeZxid(epoch: number, counter: number): Zxid {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) throw new RangeError(`epoch ${epoch} outside 0..${EPOCH_MAX}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > ZXID_COUNTER_MAX) {
    throw new RangeError(`zxid counter ${counter} outside 0..${ZXID_COUNTER_MAX}`);
  }
  return epoch * TWO_32 + counter;
}

export const zxidEpoch = (zxid: Zxid): number => Math.floor(zxid / TWO_32);
export const zxidCounter = (zxid: Zxid): number => zxid % TWO_32;
export const zxidHex = (zxid: Zxid): string => `0x${zxid.toString(16)}`;

/** A zxid is a non-negative safe integer whose epoch fits EPOCH_MAX. */
export function isZxid(v: unknown): v is Zxid {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && zxidEpoch(v) <= EPOCH_MAX;
}

/**
 * True when `next` may follow `last` in a log: within an epoch counters run 1, 2, 3, ... without
 * gaps, and a newer epoch starts at counter 1. A learner uses it to notice a lost message.
 */
export function isNextZxid(last: Zxid, next: Zxid): boolean {
  const lastEpoch = zxidEpoch(last);
  const nextEpoch = zxidEpoch(next);
  if (nextEpoch === lastEpoch) return zxidCounter(next) === zxidCounter(last) + 1;
  return nextEpoch > lastEpoch && zxidCounter(next) === 1;
}
