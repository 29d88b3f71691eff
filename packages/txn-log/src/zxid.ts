// Zxid = epoch << 32 | counter, kept as a plain number. Exact while epoch < 2^21 (53 bits);
// makeZxid asserts that, so an epoch that would lose precision fails loudly where it is created.

/** Largest epoch whose zxids are still exact JavaScript numbers. */
export const EPOCH_MAX = 2 ** 21 - 1;
export const COUNTER_MAX = 2 ** 32 - 1;
const TWO_32 = 2 ** 32;

export type Zxid = number;

export function makeZxid(epoch: number, counter: number): Zxid {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) throw new RangeError(`epoch ${epoch} outside 0..${EPOCH_MAX}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > COUNTER_MAX) throw new RangeError(`zxid counter ${counter} outside 0..${COUNTER_MAX}`);
  return epoch * TWO_32 + counter;
}

export const epochOf = (zxid: Zxid): number => Math.floor(zxid / TWO_32);
export const counterOf = (zxid: Zxid): number => zxid % TWO_32;
/** ZooKeeper prints zxids as 0x-prefixed lower-case hex. */
export const zxidToHex = (zxid: Zxid): string => `0x${zxid.toString(16)}`;
