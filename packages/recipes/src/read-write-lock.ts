// A read/write lock with the node layout and rules of Curator's InterProcessReadWriteLock.
import type { ZooKeeperClient } from '@zkts/client';
import { NoNodeError } from '@zkts/client';
import { fixForSorting } from './internals.js';
import { SequentialLock, mutexDriver, type LockDriver, type LockOptions } from './lock.js';

/** Curator's READ_LOCK_NAME and WRITE_LOCK_NAME. */
export const READ_LOCK_NAME = '__READ__';
export const WRITE_LOCK_NAME = '__WRIT__';

/** Both kinds of node, ordered by their sequence suffix (Curator's SortingLockInternalsDriver). */
function sortReadWrite(children: readonly string[]): string[] {
  const key = (n: string): string => fixForSorting(fixForSorting(n, READ_LOCK_NAME), WRITE_LOCK_NAME);
  return children
    .filter((c) => c.includes(READ_LOCK_NAME) || c.includes(WRITE_LOCK_NAME))
    .sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
}

/**
 * `new ReadWriteLock(client, '/locks/rw')`: `readLock` and `writeLock`, both SequentialLocks on the
 * same path. Nodes: `_c_<uuid>-__READ__NNNNNNNNNN` and `_c_<uuid>-__WRIT__NNNNNNNNNN`, EPHEMERAL_SEQUENTIAL.
 * - a writer holds the lock when its node is the lowest of all (readers and writers); it watches its predecessor;
 * - a reader holds it when no writer node is below its own; otherwise it watches the first writer below it
 *   (so readers queue behind writers: no writer starvation) — or at once when this instance holds the write
 *   lock (downgrade, as Curator's owner thread may).
 */
export class ReadWriteLock {
  readonly writeLock: SequentialLock;
  readonly readLock: SequentialLock;

  constructor(client: ZooKeeperClient, readonly path: string, options: LockOptions = {}) {
    this.writeLock = new SequentialLock(client, path, mutexDriver(WRITE_LOCK_NAME, sortReadWrite), options);
    const writeLock = this.writeLock;
    const readDriver: LockDriver = {
      lockName: READ_LOCK_NAME,
      sort: sortReadWrite,
      check(sorted, ours) {
        if (writeLock.state === 'held') return { acquired: true };
        let firstWrite = -1;
        for (let i = 0; i < sorted.length; i++) {
          const n = sorted[i]!;
          if (n === ours) return firstWrite < 0 ? { acquired: true } : { acquired: false, watch: sorted[firstWrite]! };
          if (firstWrite < 0 && n.includes(WRITE_LOCK_NAME)) firstWrite = i;
        }
        throw new NoNodeError(ours, 'read lock node disappeared (session lost?)');
      },
    };
    this.readLock = new SequentialLock(client, path, readDriver, options);
  }
}
