// Watches as ZooKeeper's server keeps them (WatchManager + WatchStats, 3.9 semantics): two tables,
// data and child, each mapping path -> watcher -> mode bits. Standard watches are one-shot;
// persistent ones stay; persistent-recursive ones also fire for events below their path
// (except NodeChildrenChanged, because they live only in the data table).
import { EventType, KeeperState, WatcherType } from '@zkts/protocol';
import type { ACL } from '@zkts/protocol';
import type { WatchDelivery } from './txn.js';

/** Opaque id of whoever watches (the server maps it to a connection). */
export type WatcherId = number;

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

/** Mode bits per (watcher, path), as ZooKeeper's WatchStats. */
const STANDARD = 1;
const PERSISTENT = 2;
const RECURSIVE = 4;

/** removeWatches / checkWatches types, incl. ZooKeeper 3.9's Persistent(4) and PersistentRecursive(5). */
export const WatcherTypeExt = { ...WatcherType, persistent: 4, persistentRecursive: 5 } as const;

export interface WatchesSummary {
  connections: number;
  paths: number;
  watches: number;
}

class WatchTable {
  readonly byPath = new Map<string, Map<WatcherId, number>>();
  readonly byWatcher = new Map<WatcherId, Map<string, number>>();
  recursiveCount = 0;

  add(path: string, watcher: WatcherId, bit: number): boolean {
    let ws = this.byPath.get(path);
    if (!ws) this.byPath.set(path, (ws = new Map()));
    let ps = this.byWatcher.get(watcher);
    if (!ps) this.byWatcher.set(watcher, (ps = new Map()));
    const old = ps.get(path) ?? 0;
    const next = old | bit;
    ws.set(watcher, next);
    ps.set(path, next);
    if (next === old) return false;
    if (bit === RECURSIVE) this.recursiveCount++;
    return true;
  }

  has(path: string, watcher: WatcherId, bit: number | null): boolean {
    const bits = this.byWatcher.get(watcher)?.get(path);
    return bits !== undefined && (bit === null || (bits & bit) !== 0);
  }

  /** Removes one mode bit, or every mode when bit is null; true if anything changed. */
  remove(path: string, watcher: WatcherId, bit: number | null): boolean {
    const ps = this.byWatcher.get(watcher);
    const ws = this.byPath.get(path);
    if (!ps || !ws) return false;
    const old = ps.get(path) ?? 0;
    const next = bit === null ? 0 : old & ~bit;
    if (old === next) return false;
    this.set(path, watcher, next, ps, ws);
    if (old & RECURSIVE && !(next & RECURSIVE)) this.recursiveCount--;
    return true;
  }

  private set(path: string, watcher: WatcherId, bits: number, ps: Map<string, number>, ws: Map<WatcherId, number>): void {
    if (bits === 0) {
      ps.delete(path);
      ws.delete(watcher);
      if (ps.size === 0) this.byWatcher.delete(watcher);
      if (ws.size === 0) this.byPath.delete(path);
    } else {
      ps.set(path, bits);
      ws.set(watcher, bits);
    }
  }

  removeWatcher(watcher: WatcherId): void {
    const ps = this.byWatcher.get(watcher);
    if (!ps) return;
    this.byWatcher.delete(watcher);
    for (const [path, bits] of ps) {
      const ws = this.byPath.get(path);
      if (ws) {
        ws.delete(watcher);
        if (ws.size === 0) this.byPath.delete(path);
      }
      if (bits & RECURSIVE) this.recursiveCount--;
    }
  }

  /**
   * Fires the watches for an event at `path`: every watcher on the path itself (standard bit
   * cleared), then recursive watchers on each ancestor, nearest first. Each watcher once.
   */
  trigger(path: string, out: WatcherId[], seen: Set<WatcherId>, suppress: ReadonlySet<WatcherId> | null): void {
    const exact = this.byPath.get(path);
    if (exact) {
      for (const [watcher, bits] of [...exact]) {
        if (bits & STANDARD) this.set(path, watcher, bits & ~STANDARD, this.byWatcher.get(watcher)!, exact);
        if (seen.has(watcher) || suppress?.has(watcher)) continue;
        seen.add(watcher);
        out.push(watcher);
      }
    }
    if (this.recursiveCount === 0) return;
    let p = path;
    while (p !== '/') {
      const i = p.lastIndexOf('/');
      p = i <= 0 ? '/' : p.substring(0, i);
      const ws = this.byPath.get(p);
      if (!ws) continue;
      for (const [watcher, bits] of ws) {
        if (!(bits & RECURSIVE) || seen.has(watcher) || suppress?.has(watcher)) continue;
        seen.add(watcher);
        out.push(watcher);
      }
    }
  }

  summary(): WatchesSummary {
    let watches = 0;
    for (const ps of this.byWatcher.values()) watches += ps.size;
    return { connections: this.byWatcher.size, paths: this.byPath.size, watches };
  }
}

export class WatchManager {
  private readonly dataWatches = new WatchTable();
  private readonly childWatches = new WatchTable();

  /**
   * Registers a watch. data/exist: one-shot on the data table (getData / exists); child: one-shot
   * on the child table (getChildren); persistent: both tables; persistentRecursive: data table.
   * Returns true if the watch is new.
   */
  addWatch(path: string, watcher: WatcherId, kind: WatchKind): boolean {
    switch (kind) {
      case 'data':
      case 'exist':
        return this.dataWatches.add(path, watcher, STANDARD);
      case 'child':
        return this.childWatches.add(path, watcher, STANDARD);
      case 'persistent': {
        const a = this.dataWatches.add(path, watcher, PERSISTENT);
        const b = this.childWatches.add(path, watcher, PERSISTENT);
        return a || b;
      }
      case 'persistentRecursive':
        return this.dataWatches.add(path, watcher, RECURSIVE);
    }
  }

  /**
   * The deliveries for one event, as the DataTree triggers them: NodeCreated / NodeDataChanged
   * fire the data table; NodeChildrenChanged the child table; NodeDeleted the data table and then
   * the child table for the same path (a watcher already notified is not notified twice).
   */
  trigger(path: string, type: EventType, acl: readonly ACL[] | null = null): WatchDelivery[] {
    const watchers: WatcherId[] = [];
    const seen = new Set<WatcherId>();
    if (type === EventType.nodeChildrenChanged) {
      this.childWatches.trigger(path, watchers, seen, null);
    } else {
      this.dataWatches.trigger(path, watchers, seen, null);
      if (type === EventType.nodeDeleted) this.childWatches.trigger(path, watchers, new Set(), seen);
    }
    const event = { type, state: KeeperState.syncConnected, path };
    return watchers.map((watcher) => ({ watcher, event, acl }));
  }

  /** checkWatches: does `watcher` hold a watch of this type on `path`? (false = NoWatcher) */
  containsWatcher(path: string, watcher: WatcherId, type: number): boolean {
    switch (type) {
      case WatcherTypeExt.children:
        return this.childWatches.has(path, watcher, STANDARD);
      case WatcherTypeExt.data:
        return this.dataWatches.has(path, watcher, STANDARD);
      case WatcherTypeExt.persistent:
        return this.dataWatches.has(path, watcher, PERSISTENT);
      case WatcherTypeExt.persistentRecursive:
        return this.dataWatches.has(path, watcher, RECURSIVE);
      case WatcherTypeExt.any:
        return this.childWatches.has(path, watcher, null) || this.dataWatches.has(path, watcher, null);
      default:
        return false;
    }
  }

  /** removeWatches: true if something was removed (false = NoWatcher). `any` removes every mode. */
  removeWatch(path: string, watcher: WatcherId, type: number): boolean {
    switch (type) {
      case WatcherTypeExt.children:
        return this.childWatches.remove(path, watcher, STANDARD);
      case WatcherTypeExt.data:
        return this.dataWatches.remove(path, watcher, STANDARD);
      case WatcherTypeExt.persistent: {
        const a = this.childWatches.remove(path, watcher, PERSISTENT);
        const b = this.dataWatches.remove(path, watcher, PERSISTENT);
        return a || b;
      }
      case WatcherTypeExt.persistentRecursive:
        return this.dataWatches.remove(path, watcher, RECURSIVE);
      case WatcherTypeExt.any: {
        const a = this.childWatches.remove(path, watcher, null);
        const b = this.dataWatches.remove(path, watcher, null);
        return a || b;
      }
      default:
        return false;
    }
  }

  /** Drops every watch of a watcher (its connection closed). */
  removeWatcher(watcher: WatcherId): void {
    this.dataWatches.removeWatcher(watcher);
    this.childWatches.removeWatcher(watcher);
  }

  /** wchs: ZooKeeper reports the data table only. */
  summary(): WatchesSummary {
    return this.dataWatches.summary();
  }

  /** Total watches over both tables (ZooKeeper's DataTree.getWatchCount). */
  get size(): number {
    return this.dataWatches.summary().watches + this.childWatches.summary().watches;
  }

  /** wchc: paths watched per watcher (data table, as ZooKeeper's dump). */
  byWatcher(): Map<WatcherId, string[]> {
    const out = new Map<WatcherId, string[]>();
    for (const [w, ps] of this.dataWatches.byWatcher) out.set(w, [...ps.keys()]);
    return out;
  }

  /** wchp: watchers per path (data table, as ZooKeeper's dump). */
  byPath(): Map<string, WatcherId[]> {
    const out = new Map<string, WatcherId[]>();
    for (const [p, ws] of this.dataWatches.byPath) out.set(p, [...ws.keys()]);
    return out;
  }
}
