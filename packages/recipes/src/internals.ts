// Shared pieces of Curator's "lock internals": protected sequential nodes, sorting by the
// sequence suffix, parent creation, and waiting on the predecessor only.
import { randomUUID } from 'node:crypto';
import { BehaviorSubject, distinctUntilChanged, type Observable, type Subscription } from 'rxjs';
import {
  ClientClosedError,
  ConnectionLossError,
  NodeExistsError,
  NoNodeError,
  SessionExpiredError,
  type ConnectionState,
  type Data,
  type WatchedEvent,
  type ZooKeeperClient,
} from '@zkts/client';

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

/** A ConnectionLoss the client may recover from (not the ClientClosedError subclass). */
export function isRecoverableLoss(e: unknown): boolean {
  return e instanceof ConnectionLossError && !(e instanceof ClientClosedError);
}

/** Deletes `path`, treating "already gone" as success; retries a delete whose reply was lost. */
export async function deleteIfExists(client: ZooKeeperClient, path: string, version = -1): Promise<void> {
  for (;;) {
    try {
      await client.delete(path, version);
      return;
    } catch (e) {
      if (e instanceof NoNodeError) return;
      if (isRecoverableLoss(e)) continue;
      throw e;
    }
  }
}

/** Like deleteIfExists, but never throws (the client may be closed: the session takes ephemerals along). */
export async function deleteQuietly(client: ZooKeeperClient, path: string): Promise<void> {
  try {
    await deleteIfExists(client, path);
  } catch {
    // closed or expired: an ephemeral goes with the session, and nothing else can be done here
  }
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
export async function createProtectedSequential(
  client: ZooKeeperClient,
  dir: string,
  lockName: string,
  prefix: string,
  data: Data = null,
): Promise<string> {
  for (;;) {
    try {
      const created = await client.create(joinPath(dir, prefix + lockName), data, { mode: 'ephemeralSequential' });
      return created.slice(created.lastIndexOf('/') + 1);
    } catch (e) {
      if (e instanceof NoNodeError) {
        await ensureContainers(client, dir);
        continue;
      }
      if (isRecoverableLoss(e)) {
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
  return awaitWatch(watch, deadline, onEvent, cancel);
}

/**
 * Waits for the one event of a one-shot watch stream, `deadline` (epoch ms) or `cancel`. A stream
 * that completes without an event (client closed) counts as an event: the caller's next read
 * reports the closure. A stream error (session expired) rejects.
 */
export function awaitWatch(
  watch: Observable<WatchedEvent>,
  deadline: number | undefined,
  onEvent?: (e: WatchedEvent) => void,
  cancel?: Promise<unknown>,
): Promise<WaitResult> {
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

/** Session-level events that recipes holding ephemeral state react to. */
export type SessionEvent = 'suspended' | 'reconnected' | 'lost';

/** The terminal client states: the session (and every ephemeral node it owned) is gone for this client. */
export function isSessionLostState(s: ConnectionState): boolean {
  return s === 'expired' || s === 'closed' || s === 'authFailed';
}

/** The error a recipe reports when its session ends in state `s`. */
export function sessionLostError(s: ConnectionState): Error {
  return s === 'expired' ? new SessionExpiredError(undefined, 'session expired') : (s === 'closed' ? new ClientClosedError() : new Error(`session lost: client ${s}`));
}

/**
 * Maps the client's connection state onto recipe events: 'disconnected' -> suspended (the ephemeral
 * may already be gone on the server: like Curator's SUSPENDED, stop trusting what you hold),
 * 'connected'/'reconnected' -> reconnected (the same session: ephemerals survived), a terminal
 * state -> lost. The current state is reported at once.
 */
export function watchSession(client: ZooKeeperClient, onEvent: (e: SessionEvent, state: ConnectionState) => void): Subscription {
  return client.state$.subscribe((s) => {
    if (s === 'disconnected') onEvent('suspended', s);
    else if (s === 'connected' || s === 'reconnected' || s === 'readOnly') onEvent('reconnected', s);
    else if (isSessionLostState(s)) onEvent('lost', s);
  });
}

/** Hold state of a lock, lease or membership: what the holder may assume. */
export type HoldState = 'idle' | 'held' | 'suspended' | 'lost';

/**
 * Tracks one ephemeral hold against the session: 'held' -> 'suspended' while disconnected (you
 * cannot know whether the server already expired the session) -> 'held' again when the same session
 * reconnects, or 'lost' (final for this hold) when the session expires or the client closes.
 */
export class HoldTracker {
  private readonly subject = new BehaviorSubject<HoldState>('idle');
  private sub: Subscription | undefined;
  private lostWith: Error | undefined;
  readonly state$: Observable<HoldState> = this.subject.pipe(distinctUntilChanged());

  constructor(private readonly client: ZooKeeperClient) {}

  get state(): HoldState {
    return this.subject.value;
  }

  /** Why the hold was lost (SessionExpiredError / ClientClosedError), once state is 'lost'. */
  get lostReason(): Error | undefined {
    return this.lostWith;
  }

  hold(): void {
    this.sub?.unsubscribe();
    this.lostWith = undefined;
    this.subject.next('held');
    const sub = watchSession(this.client, (e, s) => {
      if (this.subject.value === 'idle' || this.subject.value === 'lost') return;
      if (e === 'suspended') this.subject.next('suspended');
      else if (e === 'reconnected') this.subject.next('held');
      else {
        this.lostWith = sessionLostError(s);
        this.subject.next('lost');
        queueMicrotask(() => sub.unsubscribe());
      }
    });
    if (this.subject.value === 'lost') sub.unsubscribe();
    else this.sub = sub;
  }

  release(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.subject.next('idle');
  }

  complete(): void {
    this.sub?.unsubscribe();
    this.subject.complete();
  }
}

/** Resolves with the first value of `source` that satisfies `pred`, or undefined when it completes first. */
export function firstMatching<T>(source: Observable<T>, pred: (v: T) => boolean): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    let done = false;
    const sub: Subscription = source.subscribe({
      next: (v) => {
        if (done || !pred(v)) return;
        done = true;
        resolve(v);
        queueMicrotask(() => sub.unsubscribe());
      },
      error: reject,
      complete: () => resolve(undefined),
    });
    if (done) sub.unsubscribe();
  });
}

/** A promise that resolves after `ms` (or never when undefined) and can be cancelled. */
export function timeoutSignal(deadline: number | undefined): { promise: Promise<void>; cancel(): void } {
  if (deadline === undefined) return { promise: new Promise<void>(() => undefined), cancel: () => undefined };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))));
  return { promise, cancel: () => clearTimeout(timer) };
}

/** A re-armable wake-up: `wait` resolves at the next `wake()`. */
export class Wakeup {
  private resolveFn!: () => void;
  private current = this.arm();

  private arm(): Promise<void> {
    return new Promise<void>((r) => (this.resolveFn = r));
  }

  get wait(): Promise<void> {
    return this.current;
  }

  wake(): void {
    const r = this.resolveFn;
    this.current = this.arm();
    r();
  }
}
