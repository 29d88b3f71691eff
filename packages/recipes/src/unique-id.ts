// Unique, increasing ids from ZooKeeper's sequential nodes.
import type { ZooKeeperClient } from '@zkts/client';
import { NodeExistsError, NoNodeError } from '@zkts/client';
import { deleteQuietly, ensureContainers, joinPath } from './internals.js';

/** Prefix of the short-lived nodes the ids come from. */
export const UNIQUE_ID_PREFIX = 'id-';
/** The parent's sequence counter is a signed 32-bit int: ids past this wrap to negative numbers. */
export const UNIQUE_ID_MAX = 0x7fff_ffff;

/**
 * `new UniqueIdGenerator(client, '/ids/orders')`: `next()` creates PERSISTENT_SEQUENTIAL
 * `<path>/id-NNNNNNNNNN`, deletes it at once and returns NNNNNNNNNN. The server numbers the children of
 * a node with its child-version counter, so ids are unique and increasing per path for everyone
 * (across sessions and restarts) — but not gap-free: any other child created or deleted under the same
 * path uses numbers too. Ids stop being unique after UNIQUE_ID_MAX (2^31 - 1) per path: next() then throws.
 * No ephemeral state; nothing is left behind (a crash between create and delete leaves one node,
 * which later calls do not mind).
 */
export class UniqueIdGenerator {
  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
  ) {}

  async next(): Promise<number> {
    let created: string;
    for (;;) {
      try {
        created = await this.client.create(joinPath(this.path, UNIQUE_ID_PREFIX), null, { mode: 'persistentSequential' });
        break;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        await this.createParent();
      }
    }
    await deleteQuietly(this.client, created);
    const id = Number(created.slice(created.lastIndexOf('/') + 1 + UNIQUE_ID_PREFIX.length));
    if (!Number.isInteger(id) || id < 0 || id > UNIQUE_ID_MAX) throw new RangeError(`UniqueIdGenerator ${this.path}: sequence overflowed (${created})`);
    return id;
  }

  /** The path is PERSISTENT, not a container: an emptied container is reaped and its counter restarts at 0. */
  private async createParent(): Promise<void> {
    const i = this.path.lastIndexOf('/');
    if (i > 0) await ensureContainers(this.client, this.path.slice(0, i));
    try {
      await this.client.create(this.path, null);
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }
}
