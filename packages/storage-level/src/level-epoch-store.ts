// LevelEpochStore: ZAB's acceptedEpoch and currentEpoch as two keys, each `u32 epoch | u32
// crc32(epoch bytes)`, written with a synced batch; a setter resolves once the value is durable.
import { CorruptionError, type EpochStore, assertEpoch, crc32 } from '@zkts/txn-log';
import type { KvStore } from './kv.js';
import { ACCEPTED_EPOCH_KEY, CURRENT_EPOCH_KEY } from './keys.js';

export const EPOCH_VALUE_BYTES = 8;

export interface LevelEpochStoreOptions {
  readonly kv: KvStore;
  readonly forceSync?: boolean;
}

export function encodeEpoch(epoch: number): Buffer {
  const b = Buffer.alloc(EPOCH_VALUE_BYTES);
  b.writeUInt32BE(epoch, 0);
  b.writeUInt32BE(crc32(b.subarray(0, 4)), 4);
  return b;
}

export class LevelEpochStore implements EpochStore {
  private current: number | null = null;
  private accepted: number | null = null;

  static async open(options: LevelEpochStoreOptions): Promise<LevelEpochStore> {
    const store = new LevelEpochStore(options);
    store.current = await store.read(CURRENT_EPOCH_KEY);
    store.accepted = await store.read(ACCEPTED_EPOCH_KEY);
    return store;
  }

  private constructor(private readonly options: LevelEpochStoreOptions) {}

  async currentEpoch(): Promise<number | null> {
    return this.current;
  }
  async acceptedEpoch(): Promise<number | null> {
    return this.accepted;
  }
  async setCurrentEpoch(epoch: number): Promise<void> {
    await this.write(CURRENT_EPOCH_KEY, epoch);
    this.current = epoch;
  }
  async setAcceptedEpoch(epoch: number): Promise<void> {
    await this.write(ACCEPTED_EPOCH_KEY, epoch);
    this.accepted = epoch;
  }

  private async read(key: Buffer): Promise<number | null> {
    const value = await this.options.kv.get(key);
    if (value === undefined) return null;
    const name = `${this.options.kv.location}:${key.toString('latin1', 1)}`;
    if (value.length !== EPOCH_VALUE_BYTES) throw new CorruptionError(name, 0, `${value.length} bytes, expected ${EPOCH_VALUE_BYTES}`, value.length);
    const actual = crc32(value.subarray(0, 4));
    if (actual !== value.readUInt32BE(4)) throw new CorruptionError(name, 4, `checksum 0x${actual.toString(16)} != stored 0x${value.readUInt32BE(4).toString(16)}`, value.length);
    const epoch = value.readUInt32BE(0);
    try {
      assertEpoch(epoch);
    } catch {
      throw new CorruptionError(name, 0, `epoch ${epoch} out of range`, value.length);
    }
    return epoch;
  }

  private async write(key: Buffer, epoch: number): Promise<void> {
    assertEpoch(epoch);
    await this.options.kv.write([{ type: 'put', key, value: encodeEpoch(epoch) }], { sync: this.options.forceSync ?? true });
  }
}
