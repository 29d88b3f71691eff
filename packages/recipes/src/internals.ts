// Shared pieces of Curator's "lock internals": protected sequential nodes, sorting by the
// sequence suffix, parent creation, and waiting on the predecessor only.
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { ConnectionLossError, NodeExistsError, NoNodeError, type WatchedEvent, type ZooKeeperClient } from '@zkts/client';

/** Curator's protected-mode prefix: `_c_<uuid>-`. */
export const PROTECTED_PREFIX = '_c_';

export function protectedPrefix(uuid: string = randomUUID()): string {
  return `${PROTECTED_PREFIX}${uuid}-`;
}

/**
 * The part of a child's name used for ordering, as Curator's StandardLockInternalsDriver.fixForSorting:
 * everything after the last occurrence of `lockName`, or the whole name when it is absent.
 */
export function fixForSorting(name: string, lockName: string): string {
  const i = name.lastIndexOf(lockName);
  return i >= 0 ? name.slice(i + lockName.length) : name;
}

/** Children carrying `lockName`, sorted by their sequence suffix (ties by name). */
export function sortChildren(children: readonly string[], lockName: string): string[] {
  return children
    .filter((c) => c.includes(lockName))
    .sort((a, b) => {
      const x = fixForSorting(a, lockName);
      const y = fixForSorting(b, lockName);
      return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Creates `path` and its missing ancestors as container nodes (Curator's creatingParentContainersIfNeeded). */
export async function ensureContainers(client: ZooKeeperClient, path: string): Promise<void> {
  if (path === '/' || (await client.exists(path)) !== null) return;
  await ensureContainers(client, parentOf(path));
  try {
    await client.create(path, null, { mode: 'container' });
  } catch (e) {
    if (e instanceof NodeExistsError) return;
    if (e instanceof NoNodeError) return ensureContainers(client, path); // a parent container was reaped
    throw e;
  }
}

/**
 * Creates `<dir>/<prefix><lockName>` EPHEMERAL_SEQUENTIAL, creating parents if needed. After a
 * connection loss the node may exist anyway: like Curator's protected mode, look it up by prefix.
 * Returns the child's name (not the full path).
 */
export async function createProtectedSequential(client: ZooKeeperClient, dir: string, lockName: string, prefix: string): Promise<string> {
  for (;;) {
    try {
      const created = await client.create(joinPath(dir, prefix + lockName), null, { mode: 'ephemeralSequential' });
      return created.slice(created.lastIndexOf('/') + 1);
    } catch (e) {
      if (e instanceof NoNodeError) {
        await ensureContainers(client, dir);
        continue;
      }
      if (e instanceof ConnectionLossError) {
        const found = await findProtected(client, dir, prefix);
        if (found !== undefined) return found;
        continue;
      }
      throw e;
    }
  }
}

async function findProtected(client: ZooKeeperClient, dir: string, prefix: string): Promise<string | undefined> {
  try {
    return (await client.getChildren(dir)).find((c) => c.startsWith(prefix));
  } catch (e) {
    if (e instanceof NoNodeError) return undefined;
    throw e;
  }
}

export type WaitResult = 'event' | 'gone' | 'timeout' | 'cancelled';

/**
 * Sets a data watch on `path` (getData, as Curator) and waits for its one event, `deadline`
 * (epoch ms) or `cancel`. 'gone': the node was already deleted (no watch is left behind).
 */
export async function waitForDeletion(
  client: ZooKeeperClient,
  path: string,
  deadline: number | undefined,
  onEvent?: (e: WatchedEvent) => void,
  cancel?: Promise<void>,
  onWatchSet?: (path: string) => void,
): Promise<WaitResult> {
  let watch;
  try {
    ({ watch } = await client.getData(path, { watch: true }));
  } catch (e) {
    if (e instanceof NoNodeError) return 'gone';
    throw e;
  }
  onWatchSet?.(path);
  return new Promise<WaitResult>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sub: Subscription | undefined;
    let settled = false;
    const cleanup = (): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      sub?.unsubscribe();
    };
    const done = (r: WaitResult): void => {
      if (settled) return;
      cleanup();
      resolve(r);
    };
    // events that came before subscribe() are replayed synchronously, so `sub` may be unset here
    sub = watch.subscribe({
      next: (e) => {
        if (settled) return;
        onEvent?.(e);
        done('event');
      },
      // the stream ends without an event when the client closes; the caller's next read reports it
      complete: () => done('event'),
      error: (err: unknown) => {
        if (settled) return;
        cleanup();
        reject(err);
      },
    });
    if (settled) {
      sub.unsubscribe();
      return;
    }
    if (deadline !== undefined) timer = setTimeout(() => done('timeout'), Math.max(0, deadline - Date.now()));
    void cancel?.then(() => done('cancelled'));
  });
}
