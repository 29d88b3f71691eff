// Live views of one node (configuration subscription) and of a node's children, as Observables.
import { Observable, type Subscriber } from 'rxjs';
import type { ZooKeeperClient } from '@zkts/client';
import { NoNodeError } from '@zkts/client';
import type { Stat } from '@zkts/protocol';
import { awaitWatch, Wakeup } from './internals.js';

/** A node's value; `stat` null means the node does not exist. */
export interface NodeValue {
  readonly data: Uint8Array | null;
  readonly stat: Stat | null;
}

export interface WatchNodeOptions {
  /**
   * 'dataWatch' (default): a one-shot getData/exists watch re-armed after each event (works on any
   * ZooKeeper). 'persistent': one persistent watch (addWatch, ZooKeeper 3.6+); unsubscribing removes
   * this client's watches at the path (removeWatches 'any'), so keep one such subscription per path
   * per client.
   */
  mode?: 'dataWatch' | 'persistent';
}

function valueKey(v: NodeValue): string {
  return v.stat === null ? 'absent' : `${v.stat.czxid}:${v.stat.mzxid}`;
}

async function readNode(client: ZooKeeperClient, path: string): Promise<NodeValue> {
  try {
    const { data, stat } = await client.getData(path);
    return { data, stat };
  } catch (e) {
    if (e instanceof NoNodeError) return { data: null, stat: null };
    throw e;
  }
}

/** Ends a subscriber for a failed read: complete when the client was closed, else the error (e.g. SessionExpiredError). */
function fail(client: ZooKeeperClient, sub: Subscriber<unknown>, e: unknown): void {
  if (client.state === 'closed') sub.complete();
  else sub.error(e);
}

/**
 * Configuration subscription: emits the node's current value (stat null while it does not exist),
 * then each new value — a changed, created or deleted node. Values are read after the event, so
 * several quick writes may arrive as the last of them, never out of order, never twice. Ends with
 * SessionExpiredError when the session expires, and completes when the client closes.
 */
export function watchNode(client: ZooKeeperClient, path: string, opts: WatchNodeOptions = {}): Observable<NodeValue> {
  const mode = opts.mode ?? 'dataWatch';
  if (mode !== 'dataWatch' && mode !== 'persistent') throw new RangeError(`watchNode: mode must be 'dataWatch' or 'persistent', got ${String(mode)}`);
  return new Observable<NodeValue>((sub) => {
    let active = true;
    const stop = new Wakeup();
    let last: string | undefined;
    const emit = (v: NodeValue): void => {
      const key = valueKey(v);
      if (!active || key === last) return;
      last = key;
      sub.next(v);
    };
    let removePersistent = false;
    const loop = async (): Promise<void> => {
      if (mode === 'persistent') {
        const events = await client.addWatch(path);
        removePersistent = true;
        const changed = new Wakeup();
        let ended: { error?: unknown } | undefined;
        const es = events.subscribe({
          next: (e) => {
            if (e.type !== 'nodeChildrenChanged') changed.wake();
          },
          error: (e: unknown) => {
            ended = { error: e };
            changed.wake();
          },
          complete: () => {
            ended = {};
            changed.wake();
          },
        });
        try {
          while (active) {
            const next = changed.wait;
            emit(await readNode(client, path));
            await Promise.race([next, stop.wait]);
            if (ended) {
              if ('error' in ended) throw ended.error;
              return;
            }
          }
        } finally {
          es.unsubscribe();
        }
        return;
      }
      while (active) {
        let watch;
        try {
          const r = await client.getData(path, { watch: true });
          emit({ data: r.data, stat: r.stat });
          watch = r.watch;
        } catch (e) {
          if (!(e instanceof NoNodeError)) throw e;
          const r = await client.exists(path, { watch: true });
          if (r.stat !== null) continue; // created in between: read it
          emit({ data: null, stat: null });
          watch = r.watch;
        }
        await awaitWatch(watch, undefined, undefined, stop.wait);
      }
    };
    loop().then(
      () => active && sub.complete(),
      (e: unknown) => active && fail(client, sub, e),
    );
    return () => {
      active = false;
      stop.wake();
      if (removePersistent) client.removeWatches(path, 'any').catch(() => undefined);
    };
  });
}

/**
 * The sorted children of `path`, now and after every change (a getChildren watch re-armed after each
 * event); [] while the node does not exist. Ends like watchNode.
 */
export function watchChildren(client: ZooKeeperClient, path: string): Observable<string[]> {
  return new Observable<string[]>((sub) => {
    let active = true;
    const stop = new Wakeup();
    let last: string | undefined;
    const loop = async (): Promise<void> => {
      while (active) {
        let children: string[];
        let watch;
        try {
          ({ children, watch } = await client.getChildren(path, { watch: true }));
        } catch (e) {
          if (!(e instanceof NoNodeError)) throw e;
          const r = await client.exists(path, { watch: true });
          if (r.stat !== null) continue;
          children = [];
          watch = r.watch;
        }
        children.sort();
        const key = children.join('/');
        if (active && key !== last) {
          last = key;
          sub.next(children);
        }
        await awaitWatch(watch, undefined, undefined, stop.wait);
      }
    };
    loop().then(
      () => active && sub.complete(),
      (e: unknown) => active && fail(client, sub, e),
    );
    return () => {
      active = false;
      stop.wake();
    };
  });
}

/**
 * The children of `path` with their data, now and after every membership change (a child that
 * vanishes between the listing and its read is left out). Data changes of a child that stays are
 * picked up at the next membership change.
 */
export function watchChildrenData(client: ZooKeeperClient, path: string): Observable<Map<string, Uint8Array | null>> {
  return new Observable<Map<string, Uint8Array | null>>((sub) => {
    let active = true;
    let chain = Promise.resolve();
    const inner = watchChildren(client, path).subscribe({
      next: (children) => {
        // reads of successive listings run one after another, so views are emitted in order
        chain = chain.then(async () => {
          const view = new Map<string, Uint8Array | null>();
          for (const c of children) {
            try {
              view.set(c, (await client.getData(path === '/' ? `/${c}` : `${path}/${c}`)).data);
            } catch (e) {
              if (!(e instanceof NoNodeError)) throw e;
            }
          }
          if (active) sub.next(view);
        }).catch((e: unknown) => {
          if (active) fail(client, sub, e);
          active = false;
        });
      },
      error: (e: unknown) => void chain.then(() => active && sub.error(e)),
      complete: () => void chain.then(() => active && sub.complete()),
    });
    return () => {
      active = false;
      inner.unsubscribe();
    };
  });
}
