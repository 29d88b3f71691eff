// The client's watch registry (ZooKeeper's ZKWatchManager): which watchers wait on which paths,
// which of them an event triggers, and what to re-register with setWatches after a reconnect.
// Watchers are sinks (rxjs Subjects fit); the registry itself has no timers and no I/O.
import { EventType } from '@zkts/protocol';

export interface WatchSink<T> {
  next(value: T): void;
  complete(): void;
  error(err: unknown): void;
}

export type WatchedEventType =
  | 'nodeCreated'
  | 'nodeDeleted'
  | 'nodeDataChanged'
  | 'nodeChildrenChanged'
  // delivered by the client itself when removeWatches removes the watch, just before its stream
  // completes (Java's DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved)
  | 'dataWatchRemoved'
  | 'childWatchRemoved'
  | 'persistentWatchRemoved';

/** A watch notification as the client sees it (path relative to the chroot). */
export interface WatchedEvent {
  type: WatchedEventType;
  path: string;
}

export const EVENT_TYPE_NAMES: Readonly<Record<number, WatchedEventType>> = {
  [EventType.nodeCreated]: 'nodeCreated',
  [EventType.nodeDeleted]: 'nodeDeleted',
  [EventType.nodeDataChanged]: 'nodeDataChanged',
  [EventType.nodeChildrenChanged]: 'nodeChildrenChanged',
};

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';
const ONE_SHOT: readonly WatchKind[] = ['data', 'exist', 'child'];
const REMOVAL_EVENT: Readonly<Record<WatchKind, WatchedEventType>> = {
  data: 'dataWatchRemoved',
  exist: 'dataWatchRemoved',
  child: 'childWatchRemoved',
  persistent: 'persistentWatchRemoved',
  persistentRecursive: 'persistentWatchRemoved',
};

/** What removeWatches may remove: ZooKeeper's WatcherType (children 1, data 2, any 3). */
export type RemoveWatchesType = 'children' | 'data' | 'any';

export interface WatchSnapshot {
  data: string[];
  exist: string[];
  child: string[];
  persistent: string[];
  persistentRecursive: string[];
}

type Sink = WatchSink<WatchedEvent>;

export class WatchRegistry {
  private readonly tables: Record<WatchKind, Map<string, Set<Sink>>> = {
    data: new Map(), exist: new Map(), child: new Map(), persistent: new Map(), persistentRecursive: new Map(),
  };

  add(kind: WatchKind, path: string, sink: Sink): void {
    const table = this.tables[kind];
    let set = table.get(path);
    if (!set) table.set(path, (set = new Set()));
    set.add(sink);
  }

  /** Removes one sink (e.g. a persistent stream unsubscribed); true if it was registered. */
  delete(kind: WatchKind, path: string, sink: Sink): boolean {
    const set = this.tables[kind].get(path);
    if (!set?.delete(sink)) return false;
    if (set.size === 0) this.tables[kind].delete(path);
    return true;
  }

  has(kind: WatchKind, path: string): boolean {
    return this.tables[kind].has(path);
  }

  get size(): number {
    let n = 0;
    for (const t of Object.values(this.tables)) for (const s of t.values()) n += s.size;
    return n;
  }

  /** Delivers a server notification (type = EventType number, path = client path). */
  dispatch(type: number, path: string): void {
    const name = EVENT_TYPE_NAMES[type];
    if (name === undefined) return;
    const event: WatchedEvent = { type: name, path };
    const fired: Sink[] = [];
    const takeOneShot = (kind: WatchKind): void => {
      const set = this.tables[kind].get(path);
      if (!set) return;
      this.tables[kind].delete(path);
      fired.push(...set);
    };
    switch (type) {
      case EventType.nodeCreated:
      case EventType.nodeDataChanged:
        takeOneShot('data');
        takeOneShot('exist');
        break;
      case EventType.nodeDeleted:
        takeOneShot('data');
        takeOneShot('exist');
        takeOneShot('child');
        break;
      case EventType.nodeChildrenChanged:
        takeOneShot('child');
        break;
    }
    for (const sink of fired) {
      sink.next(event);
      sink.complete();
    }
    const persistent: Sink[] = [...(this.tables.persistent.get(path) ?? [])];
    if (type !== EventType.nodeChildrenChanged) {
      for (let p = path; ; p = p.slice(0, Math.max(1, p.lastIndexOf('/')))) {
        persistent.push(...(this.tables.persistentRecursive.get(p) ?? []));
        if (p === '/') break;
      }
    }
    for (const sink of persistent) sink.next(event);
  }

  /**
   * Removes the watches removeWatches(path, type) removes: each sink gets the removal event Java's
   * watcher would (dataWatchRemoved for data and exists watches, childWatchRemoved,
   * persistentWatchRemoved for persistent and recursive ones), then completes. Returns whether any
   * were there. `any` also removes persistent and recursive watches.
   */
  remove(path: string, type: RemoveWatchesType): boolean {
    const kinds: WatchKind[] =
      type === 'children' ? ['child'] : type === 'data' ? ['data', 'exist'] : ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];
    const removed: Array<{ sink: Sink; event: WatchedEvent }> = [];
    // one event object per removal type, so a consumer of several streams can tell it saw one
    // removal (Java calls each watcher once per type)
    const events = new Map<WatchedEventType, WatchedEvent>();
    for (const kind of kinds) {
      const set = this.tables[kind].get(path);
      if (!set) continue;
      this.tables[kind].delete(path);
      const type = REMOVAL_EVENT[kind];
      let event = events.get(type);
      if (!event) events.set(type, (event = { type, path }));
      for (const sink of set) removed.push({ sink, event });
    }
    for (const { sink, event } of removed) {
      sink.next(event);
      sink.complete();
    }
    return removed.length > 0;
  }

  /** Whether removeWatches(path, type) would find a watcher here (Java checks before asking). */
  contains(path: string, type: RemoveWatchesType): boolean {
    if (type === 'children') return this.has('child', path);
    if (type === 'data') return this.has('data', path) || this.has('exist', path);
    return (['data', 'exist', 'child', 'persistent', 'persistentRecursive'] as const).some((k) => this.has(k, path));
  }

  snapshot(): WatchSnapshot {
    return {
      data: [...this.tables.data.keys()],
      exist: [...this.tables.exist.keys()],
      child: [...this.tables.child.keys()],
      persistent: [...this.tables.persistent.keys()],
      persistentRecursive: [...this.tables.persistentRecursive.keys()],
    };
  }

  /** Ends every watch: with an error (session expired) or by completing (client closed). */
  clear(err?: unknown): void {
    const all: Sink[] = [];
    for (const t of Object.values(this.tables)) {
      for (const set of t.values()) all.push(...set);
      t.clear();
    }
    for (const sink of all) {
      if (err === undefined) sink.complete();
      else sink.error(err);
    }
  }

  static isOneShot(kind: WatchKind): boolean {
    return ONE_SHOT.includes(kind);
  }
}
