// Non-durable EpochStore: values are "durable" as soon as set (they survive crash() of the log).
import { type EpochStore, assertEpoch } from '@zkts/txn-log';

export class MemoryEpochStore implements EpochStore {
  private current: number | null = null;
  private accepted: number | null = null;

  async currentEpoch(): Promise<number | null> {
    return this.current;
  }
  async acceptedEpoch(): Promise<number | null> {
    return this.accepted;
  }
  async setCurrentEpoch(epoch: number): Promise<void> {
    assertEpoch(epoch);
    this.current = epoch;
  }
  async setAcceptedEpoch(epoch: number): Promise<void> {
    assertEpoch(epoch);
    this.accepted = epoch;
  }
}
