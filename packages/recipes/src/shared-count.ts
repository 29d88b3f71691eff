// A shared integer with the node format of Curator's SharedCount / DistributedAtomicInteger:
// a 4-byte big-endian int in one persistent node, changed by versioned compare-and-set.
import { Observable } from 'rxjs';
import type { ZooKeeperClient } from '@zkts/client';
import { BadVersionError, NodeExistsError, NoNodeError } from '@zkts/client';
import { ensureContainers } from './internals.js';
import { watchNode } from './node-watch.js';

/** How often add() retries a lost compare-and-set race before giving up (DistributedAtomicInteger's retry policy). */
export const SHARED_COUNT_RETRIES_DEFAULT = 50;
export const SHARED_COUNT_RETRIES_MAX = 10_000;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

export interface VersionedValue {
  readonly value: number;
  /** The node's data version the value was read at (-1: the node does not exist yet). */
  readonly version: number;
}

export class CountFormatError extends Error {
  constructor(path: string, length: number) {
    super(`shared count ${path}: expected 4 bytes (a big-endian int), found ${length}`);
    this.name = 'CountFormatError';
  }
}

export function encodeCount(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) throw new RangeError(`shared count: ${n} is not a 32-bit integer`);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
}

export function decodeCount(data: Uint8Array | null, path: string): number {
  if (data === null || data.length !== 4) throw new CountFormatError(path, data?.length ?? 0);
  return new DataView(data.buffer, data.byteOffset, 4).getInt32(0);
}

/**
 * `new SharedCount(client, '/count', 0)`: one PERSISTENT node holding a 4-byte big-endian int (Curator's
 * SharedCount and DistributedAtomicInteger read and write the same bytes). `trySetCount(previous, n)`
 * writes only if the node is still at `previous.version`; `add(delta)` is the optimistic retry loop of
 * DistributedAtomicInteger; `count$` emits every value (a data watch re-armed after each event, so fast
 * successive writes may be seen as their last value). No ephemeral state: session expiry only fails
 * the operations in flight and ends `count$` with SessionExpiredError.
 */
export class SharedCount {
  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    /** Value the node is created with when missing (Curator's seedValue). */
    readonly seed: number = 0,
  ) {
    encodeCount(seed);
  }

  async getVersioned(): Promise<VersionedValue> {
    try {
      const { data, stat } = await this.client.getData(this.path);
      return { value: decodeCount(data, this.path), version: stat.version };
    } catch (e) {
      if (e instanceof NoNodeError) return { value: this.seed, version: -1 };
      throw e;
    }
  }

  async get(): Promise<number> {
    return (await this.getVersioned()).value;
  }

  /** Writes `n` if nobody wrote since `previous` was read; false when someone did. */
  async trySetCount(previous: VersionedValue, n: number): Promise<boolean> {
    const data = encodeCount(n);
    if (previous.version === -1) {
      try {
        await ensureContainers(this.client, this.parent());
        await this.client.create(this.path, data);
        return true;
      } catch (e) {
        if (e instanceof NodeExistsError) return false;
        throw e;
      }
    }
    try {
      await this.client.setData(this.path, data, previous.version);
      return true;
    } catch (e) {
      if (e instanceof BadVersionError || e instanceof NoNodeError) return false;
      throw e;
    }
  }

  /** Unconditional write. */
  async setCount(n: number): Promise<void> {
    const data = encodeCount(n);
    try {
      await this.client.setData(this.path, data);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      if (!(await this.trySetCount({ value: this.seed, version: -1 }, n))) await this.client.setData(this.path, data);
    }
  }

  /** Adds `delta` with compare-and-set, retrying lost races; returns the new value. */
  async add(delta: number, opts: { maxRetries?: number } = {}): Promise<number> {
    const maxRetries = opts.maxRetries ?? SHARED_COUNT_RETRIES_DEFAULT;
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > SHARED_COUNT_RETRIES_MAX) {
      throw new RangeError(`SharedCount.add: maxRetries must be an integer in 0..${SHARED_COUNT_RETRIES_MAX}, got ${maxRetries}`);
    }
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const current = await this.getVersioned();
      const next = current.value + delta;
      if (await this.trySetCount(current, next)) return next;
    }
    throw new Error(`SharedCount ${this.path}: add(${delta}) lost ${maxRetries + 1} compare-and-set races`);
  }

  increment(): Promise<number> {
    return this.add(1);
  }

  /** The value now (the seed while the node is missing), then every change. */
  get count$(): Observable<number> {
    return new Observable<number>((sub) =>
      watchNode(this.client, this.path).subscribe({
        next: (v) => sub.next(v.data === null && v.stat === null ? this.seed : decodeCount(v.data, this.path)),
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      }),
    );
  }

  private parent(): string {
    const i = this.path.lastIndexOf('/');
    return i <= 0 ? '/' : this.path.slice(0, i);
  }
}
