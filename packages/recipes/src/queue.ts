// A FIFO queue with the node layout and item format of Curator's DistributedQueue.
import type { ZooKeeperClient } from '@zkts/client';
import { NoNodeError } from '@zkts/client';
import { awaitWatch, ensureContainers, isRecoverableLoss, joinPath } from './internals.js';

/** Curator's DistributedQueue QUEUE_ITEM_NAME. */
export const QUEUE_ITEM_NAME = 'queue-';
/** Curator's ItemSerializer format: int VERSION, then (byte ITEM, int length, bytes)*, byte EOF. */
export const QUEUE_FORMAT_VERSION = 0x00010001;
const ITEM_OPCODE = 0x01;
const EOF_OPCODE = 0x02;

export class QueueFormatError extends Error {
  constructor(path: string, why: string) {
    super(`queue item ${path}: ${why}`);
    this.name = 'QueueFormatError';
  }
}

/** Encodes items as Curator's ItemSerializer does (a node may carry several: putMulti). */
export function encodeQueueItems(items: readonly Uint8Array[]): Uint8Array {
  const size = 4 + items.reduce((s, i) => s + 5 + i.length, 0) + 1;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, QUEUE_FORMAT_VERSION);
  let at = 4;
  for (const item of items) {
    out[at] = ITEM_OPCODE;
    view.setInt32(at + 1, item.length);
    out.set(item, at + 5);
    at += 5 + item.length;
  }
  out[at] = EOF_OPCODE;
  return out;
}

/** Decodes a Curator queue node's data; `path` names the node in errors. */
export function decodeQueueItems(data: Uint8Array, path: string): Uint8Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 5) throw new QueueFormatError(path, `${data.length} bytes is too short`);
  const version = view.getInt32(0);
  if (version !== QUEUE_FORMAT_VERSION) throw new QueueFormatError(path, `unknown version 0x${(version >>> 0).toString(16)}`);
  const items: Uint8Array[] = [];
  let at = 4;
  for (;;) {
    if (at >= data.length) throw new QueueFormatError(path, 'missing EOF opcode');
    const op = data[at]!;
    if (op === EOF_OPCODE) return items;
    if (op !== ITEM_OPCODE || at + 5 > data.length) throw new QueueFormatError(path, `bad opcode ${op} at ${at}`);
    const len = view.getInt32(at + 1);
    if (len < 0 || at + 5 + len > data.length) throw new QueueFormatError(path, `item length ${len} at ${at} runs past the end`);
    items.push(data.slice(at + 5, at + 5 + len));
    at += 5 + len;
  }
}

function toBytes(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? new TextEncoder().encode(v) : v;
}

/**
 * `new DistributedQueue(client, '/queue')`: Curator's DistributedQueue layout (not kazoo's). A producer
 * creates PERSISTENT_SEQUENTIAL `<path>/queue-NNNNNNNNNN` holding the items in Curator's ItemSerializer
 * format; a consumer takes the lowest node: reads it, then deletes it (with its version) — whoever
 * deletes it owns its items, so each item goes to exactly one consumer. An empty queue is waited on
 * with a children watch. Items survive every session (persistent nodes); a consumer that dies after
 * the delete and before processing loses that item (Curator's non-lockPath mode does the same).
 * Items with a Curator delay/priority prefix (`qp-`, DistributedDelayQueue) are not supported.
 */
export class DistributedQueue {
  private readonly decoder = new TextDecoder();
  /** Items of a multi-item node already taken from the server and not yet returned by take(). */
  private readonly taken: Uint8Array[] = [];

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
  ) {}

  /** Enqueues one node with these items; returns its path. */
  async putMulti(items: readonly (Uint8Array | string)[]): Promise<string> {
    const data = encodeQueueItems(items.map(toBytes));
    for (;;) {
      try {
        return await this.client.create(joinPath(this.path, QUEUE_ITEM_NAME), data, { mode: 'persistentSequential' });
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        await ensureContainers(this.client, this.path);
      }
    }
  }

  put(item: Uint8Array | string): Promise<string> {
    return this.putMulti([item]);
  }

  /** Takes the oldest node's items (usually one), waiting while the queue is empty; null on timeout. */
  async takeMulti(opts: { timeoutMs?: number } = {}): Promise<Uint8Array[] | null> {
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    for (;;) {
      let children: string[];
      let watch;
      try {
        ({ children, watch } = await this.client.getChildren(this.path, { watch: true }));
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        // no queue yet: wait for its creation instead
        const r = await this.client.exists(this.path, { watch: true });
        if (r.stat !== null) continue;
        if ((await awaitWatch(r.watch, deadline)) === 'timeout') return null;
        continue;
      }
      const items = children.filter((c) => c.startsWith(QUEUE_ITEM_NAME)).sort();
      for (const name of items) {
        const got = await this.tryTake(joinPath(this.path, name));
        if (got !== undefined) return got;
      }
      if (items.length > 0) continue; // others took them: read again
      if ((await awaitWatch(watch, deadline)) === 'timeout') return null;
    }
  }

  /** Takes the oldest single item; null on timeout. Items of a multi-item node are handed out in order. */
  async take(opts: { timeoutMs?: number } = {}): Promise<Uint8Array | null> {
    for (;;) {
      const buffered = this.taken.shift();
      if (buffered !== undefined) return buffered;
      const items = await this.takeMulti(opts);
      if (items === null) return null;
      this.taken.push(...items);
    }
  }

  async takeString(opts: { timeoutMs?: number } = {}): Promise<string | null> {
    const b = await this.take(opts);
    return b === null ? null : this.decoder.decode(b);
  }

  /** Number of queued nodes. */
  async size(): Promise<number> {
    try {
      return (await this.client.getChildren(this.path)).filter((c) => c.startsWith(QUEUE_ITEM_NAME)).length;
    } catch (e) {
      if (e instanceof NoNodeError) return 0;
      throw e;
    }
  }

  /** Reads then deletes `path` at the version read; undefined when another consumer got it first. */
  private async tryTake(path: string): Promise<Uint8Array[] | undefined> {
    let data: Uint8Array | null;
    let version: number;
    try {
      const r = await this.client.getData(path);
      data = r.data;
      version = r.stat.version;
    } catch (e) {
      if (e instanceof NoNodeError) return undefined;
      throw e;
    }
    try {
      await this.client.delete(path, version);
    } catch (e) {
      if (e instanceof NoNodeError) return undefined;
      // the delete may have been applied before the connection dropped; if the node is gone we cannot
      // tell whose delete it was, and count it as someone else's (the item may be lost, never doubled)
      if (isRecoverableLoss(e) && (await this.client.exists(path)) === null) return undefined;
      throw e;
    }
    return decodeQueueItems(data ?? new Uint8Array(0), path);
  }
}
