// ZAB's two durable epochs: acceptedEpoch (the epoch a peer promised in NEWEPOCH/ACKEPOCH) and
// currentEpoch (the epoch whose NEWLEADER it acknowledged). Both must survive a crash before the
// peer answers, so each setter resolves only once the value is durable.
import { EPOCH_MAX } from './zxid.js';

export interface EpochStore {
  /** null when never set (ZooKeeper then derives it from the last logged zxid). */
  currentEpoch(): Promise<number | null>;
  acceptedEpoch(): Promise<number | null>;
  setCurrentEpoch(epoch: number): Promise<void>;
  setAcceptedEpoch(epoch: number): Promise<void>;
}
export const EpochStore: symbol & { readonly __type?: EpochStore } = Symbol('EpochStore');

export function assertEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) throw new RangeError(`epoch ${epoch} outside 0..${EPOCH_MAX}`);
}
