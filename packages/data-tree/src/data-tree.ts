// The znode tree as a pure state machine (ZooKeeper's DataTree). processTxn is the one
// deterministic boundary: same transactions in the same order give the same tree, Stats and
// digest on every replica. It never reads a clock: times arrive in the TxnHeader.
import { ErrorCode, EventType, KeeperState, OpCode, READ_ACL_UNSAFE, OPEN_ACL_UNSAFE } from '@zkts/protocol';
import type { ACL, Stat, StatPersisted } from '@zkts/protocol';
import { DataPool } from './data-pool.js';
import { AclCache } from './acl-cache.js';
import { nodeDigestFrom, pathCrcState } from './digest.js';
import { javaHashSetCloneOrder } from './java-order.js';
import {
  CONTAINER_EPHEMERAL_OWNER,
  EphemeralKind,
  clientEphemeralOwner,
  ephemeralKind,
  ttlOf,
  ttlToEphemeralOwner,
} from './ephemeral.js';
import { CONFIG_ZOOKEEPER, PROC_ZOOKEEPER, QUOTA_ZOOKEEPER, ROOT, ZOOKEEPER_SUBTREE, childNameOf, joinPath, parentOf } from './paths.js';
import { QUOTA_LIMIT_NODE, QUOTA_STAT_NODE, QuotaPaths, StatsTrack, statPath, trimQuotaPath } from './quota.js';
import type { Data, ProcessTxnResult, SubTxnResult, Txn, TxnEvent, TxnHeader, WatchDelivery } from './txn.js';
import { WatchManager } from './watch-manager.js';

/** The stat as stored (ZooKeeper's StatPersisted, from protocol): cversion counts creates of children. */
export type { StatPersisted };

export interface DataNode {
  data: Data;
  acl: readonly ACL[];
  stat: StatPersisted;
  /** Child names in insertion order; null while the node has none (most nodes are leaves). */
  children: Set<string> | null;
  /** The node digest as an int32 (a small integer in V8); the tree adds it as unsigned. */
  digest: number;
  /** CRC state after the path (see pathCrcState), computed once per node; null until then. */
  pathCrc: number | null;
}

/** One node of a snapshot, parents before children. */
export interface SnapshotNode {
  path: string;
  data: Data;
  acl: readonly ACL[];
  stat: StatPersisted;
}

export interface DataTreeOptions {
  /** ZooKeeper's zookeeper.extendedTypesEnabled: owners with top byte 0xff are TTL nodes. Default true. */
  extendedTypesEnabled?: boolean;
  /** Watches fired by processTxn; the tree owns one unless given. */
  watches?: WatchManager;
}

class KeeperError extends Error {
  constructor(readonly code: number) {
    super(`keeper error ${code}`);
  }
}

/** One shared 0n: most nodes are not ephemeral, and each decoded 0n would be its own BigInt. */
const NO_OWNER = 0n;
const ownerOf = (owner: bigint): bigint => (owner === NO_OWNER ? NO_OWNER : owner);

const emptyStat = (): StatPersisted => ({
  czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: NO_OWNER,
});

export function createStat(zxid: number, time: number, ephemeralOwner: bigint): StatPersisted {
  return { czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0, ephemeralOwner: ownerOf(ephemeralOwner) };
}

/** A copy of a stored stat with every field in one order (one hidden class for all nodes). */
const copyStat = (s: StatPersisted): StatPersisted => ({
  czxid: s.czxid, mzxid: s.mzxid, pzxid: s.pzxid, ctime: s.ctime, mtime: s.mtime,
  version: s.version, cversion: s.cversion, aversion: s.aversion, ephemeralOwner: ownerOf(s.ephemeralOwner),
});

/**
 * A stored node. Its value is kept as (backing buffer, offset, length) and handed out as a fresh
 * Uint8Array view on each read: a view object per znode (~90 B) cost more than most values in
 * the slabs they point into. A read's view is as cheap as the copy into a reply that follows it.
 */
class TreeNode implements DataNode {
  private bytes: ArrayBufferLike | null = null;
  private offset = 0;
  private length = 0;
  children: Set<string> | null = null;
  digest = 0;
  pathCrc: number | null = null;

  constructor(
    data: Data,
    public acl: readonly ACL[],
    public stat: StatPersisted,
  ) {
    this.data = data;
  }

  get data(): Data {
    return this.bytes === null ? null : new Uint8Array(this.bytes, this.offset, this.length);
  }

  set data(v: Data) {
    if (v === null) {
      this.bytes = null;
      this.offset = 0;
      this.length = 0;
    } else {
      this.bytes = v.buffer;
      this.offset = v.byteOffset;
      this.length = v.length;
    }
  }

  get dataLength(): number {
    return this.length;
  }
}

/** Every node is built here, so all share one shape. */
const makeNode = (data: Data, acl: readonly ACL[], stat: StatPersisted): DataNode => new TreeNode(data, acl, stat);

/** Bytes of a node's value without making a view of it. */
const dataLengthOf = (n: Readonly<DataNode>): number => (n instanceof TreeNode ? n.dataLength : (n.data?.length ?? 0));

const cloneNode = (n: DataNode): DataNode => {
  const c = new TreeNode(n.data, n.acl, { ...n.stat });
  c.children = n.children === null ? null : new Set(n.children);
  c.digest = n.digest;
  c.pathCrc = n.pathCrc;
  return c;
};

const childCount = (n: Readonly<DataNode>): number => (n.children === null ? 0 : n.children.size);

/** Adds a child name to a node, creating its set on the first child. */
function addChild(n: DataNode, name: string): void {
  if (n.children === null) n.children = new Set();
  n.children.add(name);
}

/** Removes a child name; a node left without children drops its set (same order for later adds). */
function removeChild(n: DataNode, name: string): void {
  if (n.children === null) return;
  n.children.delete(name);
  if (n.children.size === 0) n.children = null;
}

export class DataTree {
  readonly watches: WatchManager;
  readonly extendedTypesEnabled: boolean;
  private readonly nodes = new Map<string, DataNode>();
  private readonly ephemerals = new Map<bigint, Set<string>>();
  /** Most ephemerals each session held at once: sizes ZooKeeper's HashSet, hence the delete order. */
  private readonly ephemeralsHighWater = new Map<bigint, number>();
  private readonly containers = new Set<string>();
  private readonly ttls = new Set<string>();
  private readonly quotaPaths = new QuotaPaths();
  /** The tree digest (sum of node digests mod 2^64) as an exact number part plus a folded bigint. */
  private digestSmall = 0;
  private digestBig = 0n;
  private lastZxid = 0;
  /** While a multi applies: the prior state of every node it touched (null = absent). */
  private undo: Map<string, DataNode | null> | null = null;
  /** Node values are copied in here (see DataPool): never the caller's buffer or frame. */
  private readonly dataPool = new DataPool();
  /** Nodes share equal ACL lists (see AclCache). */
  private readonly acls = new AclCache();

  constructor(options: DataTreeOptions = {}) {
    this.extendedTypesEnabled = options.extendedTypesEnabled ?? true;
    this.watches = options.watches ?? new WatchManager();
    this.putNode(ROOT, makeNode(new Uint8Array(0), OPEN_ACL_UNSAFE, emptyStat()));
    this.addSystemNode(PROC_ZOOKEEPER, OPEN_ACL_UNSAFE);
    this.addSystemNode(QUOTA_ZOOKEEPER, OPEN_ACL_UNSAFE);
    // /zookeeper/config is read-only to the world (ZOOKEEPER-2014), set by a setACL with version -1.
    this.addSystemNode(CONFIG_ZOOKEEPER, READ_ACL_UNSAFE);
    this.nodes.get(CONFIG_ZOOKEEPER)!.stat.aversion = -1;
    this.refreshDigest(CONFIG_ZOOKEEPER);
  }

  private addSystemNode(path: string, acl: readonly ACL[]): void {
    addChild(this.nodes.get(parentOf(path))!, childNameOf(path));
    this.putNode(path, makeNode(new Uint8Array(0), acl, emptyStat()));
  }

  // ---- reads (never throw) -------------------------------------------------------------------

  /** The live node (do not mutate), or undefined. */
  getNode(path: string): Readonly<DataNode> | undefined {
    return this.nodes.get(path === '' ? ROOT : path);
  }

  getData(path: string): { data: Data; stat: Stat } | null {
    const n = this.getNode(path);
    return n ? { data: n.data, stat: this.toStat(n) } : null;
  }

  statNode(path: string): Stat | null {
    const n = this.getNode(path);
    return n ? this.toStat(n) : null;
  }

  /** Children names (unsorted, like ZooKeeper) and the node's stat. */
  getChildren(path: string): { children: string[]; stat: Stat } | null {
    const n = this.getNode(path);
    return n ? { children: n.children === null ? [] : [...n.children], stat: this.toStat(n) } : null;
  }

  getACL(path: string): { acl: ACL[]; stat: Stat } | null {
    const n = this.getNode(path);
    return n ? { acl: [...n.acl], stat: this.toStat(n) } : null;
  }

  /**
   * Ephemeral paths of a session starting with prefix (the getEphemerals op), in the order
   * ZooKeeper answers: a clone of its per-session HashSet, filtered.
   */
  getEphemerals(sessionId: bigint, prefix = '/'): string[] {
    const ordered = javaHashSetCloneOrder(this.ephemeralPaths(sessionId), this.ephemeralHighWater(sessionId));
    return prefix === '/' ? ordered : ordered.filter((p) => p.startsWith(prefix));
  }

  /** A session's ephemeral paths in the order they were created. */
  ephemeralPaths(sessionId: bigint): string[] {
    const set = this.ephemerals.get(sessionId);
    return set ? [...set] : [];
  }

  /** Sessions owning ephemerals. */
  sessionsWithEphemerals(): bigint[] {
    return [...this.ephemerals.keys()];
  }

  get ephemeralsCount(): number {
    let n = 0;
    for (const s of this.ephemerals.values()) n += s.size;
    return n;
  }

  /** Descendants of path (for "/" every node but the root, /zookeeper's included), as ZooKeeper. */
  getAllChildrenNumber(path: string): number {
    if (path === ROOT) return this.nodes.size - 1;
    const prefix = path + '/';
    let n = 0;
    for (const p of this.nodes.keys()) if (p.startsWith(prefix)) n++;
    return n;
  }

  /** ZooKeeper's getNodeCount: its map also holds the "/" alias of the root, hence +1. */
  get nodeCount(): number {
    return this.nodes.size + 1;
  }

  get lastProcessedZxid(): number {
    return this.lastZxid;
  }

  /** Containers with no children that once had one (cversion > 0), or never-used ones older than maxNeverUsedIntervalMs. */
  containerCandidates(now = 0, maxNeverUsedIntervalMs = 0): string[] {
    const out: string[] = [];
    for (const path of this.containers) {
      const n = this.nodes.get(path);
      if (!n || n.children !== null) continue;
      if (n.stat.cversion > 0) out.push(path);
      else if (maxNeverUsedIntervalMs !== 0 && now - n.stat.mtime > maxNeverUsedIntervalMs) out.push(path);
    }
    return out;
  }

  /** TTL nodes with no children whose mtime is more than their TTL before now. */
  ttlExpired(now: number): string[] {
    const out: string[] = [];
    for (const path of this.ttls) {
      const n = this.nodes.get(path);
      if (!n || n.children !== null) continue;
      const ttl = ttlOf(n.stat.ephemeralOwner);
      if (ttl !== 0 && now - n.stat.mtime > ttl) out.push(path);
    }
    return out;
  }

  /** Sum of ZooKeeper node digests (CRC32), mod 2^64: equal trees give equal digests. */
  digest(): bigint {
    return BigInt.asUintN(64, this.digestBig + BigInt(this.digestSmall));
  }

  /** The quota root governing path, or null (ZooKeeper's getMaxPrefixWithQuota). */
  getMaxPrefixWithQuota(path: string): string | null {
    return this.quotaPaths.maxPrefix(path);
  }

  /** Client-facing Stat: cversion counts creates and deletes; containers/TTL show owner 0. */
  toStat(n: Readonly<DataNode>): Stat {
    const s = n.stat;
    const numChildren = childCount(n);
    return {
      czxid: s.czxid,
      mzxid: s.mzxid,
      ctime: s.ctime,
      mtime: s.mtime,
      version: s.version,
      cversion: s.cversion * 2 - numChildren,
      aversion: s.aversion,
      ephemeralOwner: clientEphemeralOwner(s.ephemeralOwner, this.extendedTypesEnabled),
      dataLength: dataLengthOf(n),
      numChildren,
      pzxid: s.pzxid,
    };
  }

  ephemeralKindOf(owner: bigint): EphemeralKind {
    return ephemeralKind(owner, this.extendedTypesEnabled);
  }

  /**
   * Re-registers a reconnecting client's watches (setWatches / setWatches2): a watch whose
   * condition already happened after relativeZxid fires at once instead of being registered.
   */
  setWatches(
    relativeZxid: number,
    w: { data: readonly string[]; exist: readonly string[]; child: readonly string[]; persistent?: readonly string[]; persistentRecursive?: readonly string[] },
    watcher: number,
  ): WatchDelivery[] {
    const out: WatchDelivery[] = [];
    const fire = (type: number, path: string) => out.push({ watcher, event: { type, state: KeeperState.syncConnected, path }, acl: this.getNode(path)?.acl ?? null });
    for (const path of w.data) {
      const n = this.getNode(path);
      if (!n) fire(EventType.nodeDeleted, path);
      else if (n.stat.mzxid > relativeZxid) fire(EventType.nodeDataChanged, path);
      else this.watches.addWatch(path, watcher, 'data');
    }
    for (const path of w.exist) {
      if (this.getNode(path)) fire(EventType.nodeCreated, path);
      else this.watches.addWatch(path, watcher, 'exist');
    }
    for (const path of w.child) {
      const n = this.getNode(path);
      if (!n) fire(EventType.nodeDeleted, path);
      else if (n.stat.pzxid > relativeZxid) fire(EventType.nodeChildrenChanged, path);
      else this.watches.addWatch(path, watcher, 'child');
    }
    for (const path of w.persistent ?? []) this.watches.addWatch(path, watcher, 'persistent');
    for (const path of w.persistentRecursive ?? []) this.watches.addWatch(path, watcher, 'persistentRecursive');
    return out;
  }

  // ---- snapshots ---------------------------------------------------------------------------

  /**
   * The same nodes in the same order as snapshotNodes(), without copying them: one record object,
   * refilled for each node, whose stat is the node's own. For a caller that encodes every node
   * synchronously (a snapshot taken at one zxid): read each record before advancing, keep none,
   * change nothing. Saves a record and a stat copy per node (the snapshot's heap churn).
   */
  *snapshotView(): IterableIterator<Readonly<SnapshotNode>> {
    const record: SnapshotNode = { path: ROOT, data: null, acl: OPEN_ACL_UNSAFE, stat: emptyStat() };
    const stack = [ROOT];
    while (stack.length > 0) {
      const path = stack.pop()!;
      const n = this.nodes.get(path)!;
      record.path = path;
      record.data = n.data;
      record.acl = n.acl;
      record.stat = n.stat;
      yield record;
      if (n.children !== null) {
        const names = [...n.children];
        for (let i = names.length - 1; i >= 0; i--) stack.push(joinPath(path, names[i]!));
      }
    }
  }

  /** Every node, parents before children (depth first), stats as stored. */
  *snapshotNodes(): IterableIterator<SnapshotNode> {
    const stack = [ROOT];
    while (stack.length > 0) {
      const path = stack.pop()!;
      const n = this.nodes.get(path)!;
      yield { path, data: n.data, acl: n.acl, stat: { ...n.stat } };
      if (n.children !== null) for (const c of [...n.children].reverse()) stack.push(joinPath(path, c));
    }
  }

  /**
   * Rebuilds a tree from snapshotNodes() output (children, ephemerals, quotas, digest derived).
   * The snapshot's checksum already vouched for the records: one pass, each node built once and
   * digested once, values copied into the tree's slabs.
   */
  static fromNodes(nodes: Iterable<SnapshotNode>, lastProcessedZxid: number, options: DataTreeOptions = {}): DataTree {
    const t = new DataTree(options);
    for (const p of [...t.nodes.keys()]) t.removeNode(p);
    const limitNodes: string[] = [];
    const quotaPrefix = QUOTA_ZOOKEEPER + '/';
    // Siblings come in runs (parents first, then their children): the last parent found is
    // checked by prefix before a substring and a map lookup are spent on finding it again.
    let lastParentPath = '';
    let lastParent: DataNode | undefined;
    for (const sn of nodes) {
      const path = sn.path === '' ? ROOT : sn.path;
      if (path !== ROOT) {
        const cut = path.lastIndexOf('/');
        let parent: DataNode | undefined;
        if (lastParent !== undefined && cut === lastParentPath.length && path.startsWith(lastParentPath)) {
          parent = lastParent;
        } else {
          lastParentPath = cut <= 0 ? '' : path.substring(0, cut);
          parent = t.nodes.get(cut <= 0 ? ROOT : lastParentPath);
          lastParent = parent;
        }
        if (!parent) throw new Error(`snapshot node ${path} comes before its parent`);
        const name = path.substring(cut + 1);
        addChild(parent, name);
        if (name === QUOTA_LIMIT_NODE && path.startsWith(quotaPrefix)) limitNodes.push(path);
      }
      t.putNode(path, makeNode(t.dataPool.copy(sn.data), t.acls.intern(sn.acl), copyStat(sn.stat)));
    }
    if (!t.nodes.has(ROOT)) throw new Error('snapshot has no root');
    for (const p of limitNodes) {
      const real = trimQuotaPath(parentOf(p));
      t.quotaPaths.add(real);
      t.updateQuotaForPath(real);
    }
    t.lastZxid = lastProcessedZxid;
    return t;
  }

  // ---- transactions ------------------------------------------------------------------------

  processTxn(hdr: TxnHeader, txn: Txn): ProcessTxnResult {
    const events: TxnEvent[] = [];
    const rc: ProcessTxnResult = {
      clientId: hdr.clientId,
      cxid: hdr.cxid,
      zxid: hdr.zxid,
      type: hdr.type,
      err: 0,
      path: null,
      stat: null,
      multiResults: null,
      events,
      deliveries: [],
    };
    const pending: { event: TxnEvent; acl: readonly ACL[] | null }[] = [];
    if (txn.type === OpCode.multi) {
      this.applyMulti(hdr, txn.txns, rc, pending);
    } else {
      try {
        const r = this.applyOne(hdr, txn, pending);
        rc.path = r.path;
        rc.stat = r.stat;
        rc.err = r.err;
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e;
        rc.err = e.code;
        rc.path = 'path' in txn ? txn.path : null;
        // Replaying a create over a node that exists (fuzzy snapshot): still advance the parent.
        if (txn.type === OpCode.create && e.code === ErrorCode.nodeExists) {
          this.setCversionPzxid(parentOf(txn.path), txn.parentCVersion, hdr.zxid);
        }
      }
    }
    const deliveries: WatchDelivery[] = [];
    for (const { event, acl } of pending) {
      events.push(event);
      for (const d of this.watches.trigger(event.path, event.type as EventType, acl)) deliveries.push(d);
    }
    rc.deliveries = deliveries;
    if (hdr.zxid > this.lastZxid) this.lastZxid = hdr.zxid;
    return rc;
  }

  /** Applies a multi all-or-nothing: a sub-op failing at apply time rolls back the others. */
  private applyMulti(hdr: TxnHeader, txns: readonly Txn[], rc: ProcessTxnResult, pending: { event: TxnEvent; acl: readonly ACL[] | null }[]): void {
    const results: SubTxnResult[] = [];
    rc.multiResults = results;
    const failed = txns.some((t) => t.type === OpCode.error);
    if (failed) {
      // Prep already failed it: ops before the failure report ok, after it RuntimeInconsistency.
      let postFailed = false;
      for (const t of txns) {
        let err: number;
        if (t.type === OpCode.error) {
          postFailed = true;
          err = t.err;
        } else err = postFailed ? ErrorCode.runtimeInconsistency : ErrorCode.ok;
        results.push({ type: OpCode.error, err, path: null, stat: null });
        if (err !== 0 && rc.err === 0) rc.err = err;
      }
      return;
    }
    this.undo = new Map();
    const local: { event: TxnEvent; acl: readonly ACL[] | null }[] = [];
    let failedAt = -1;
    let code = 0;
    for (let i = 0; i < txns.length; i++) {
      const t = txns[i]!;
      const subHdr = { ...hdr, type: t.type };
      try {
        const r = this.applyOne(subHdr, t, local);
        results.push({ type: t.type, err: r.err, path: r.path, stat: r.stat });
      } catch (e) {
        if (!(e instanceof KeeperError)) {
          this.rollback();
          throw e;
        }
        failedAt = i;
        code = e.code;
        break;
      }
    }
    if (failedAt < 0) {
      this.undo = null;
      for (const e of local) pending.push(e);
      return;
    }
    this.rollback();
    results.length = 0;
    txns.forEach((_, i) => {
      const err = i < failedAt ? ErrorCode.ok : i === failedAt ? code : ErrorCode.runtimeInconsistency;
      results.push({ type: OpCode.error, err, path: null, stat: null });
    });
    rc.err = code;
  }

  private rollback(): void {
    const undo = this.undo!;
    this.undo = null;
    for (const [path, old] of undo) {
      if (this.nodes.has(path)) this.removeNode(path);
      if (old) this.putNode(path, old);
    }
    // Quota roots follow their limit nodes.
    for (const path of undo.keys()) {
      if (path.startsWith(QUOTA_ZOOKEEPER + '/') && childNameOf(path) === QUOTA_LIMIT_NODE) {
        const real = trimQuotaPath(parentOf(path));
        if (this.nodes.has(path)) this.quotaPaths.add(real);
        else this.quotaPaths.delete(real);
      }
    }
  }

  private applyOne(hdr: TxnHeader, txn: Txn, ev: { event: TxnEvent; acl: readonly ACL[] | null }[]): { err: number; path: string | null; stat: Stat | null } {
    switch (txn.type) {
      case OpCode.create:
      case OpCode.create2: {
        const n = this.createNode(txn.path, txn.data, txn.acl, txn.ephemeral ? hdr.clientId : 0n, txn.parentCVersion, hdr.zxid, hdr.time, ev);
        return { err: 0, path: txn.path, stat: txn.type === OpCode.create2 ? this.toStat(n) : null };
      }
      case OpCode.createTTL: {
        const n = this.createNode(txn.path, txn.data, txn.acl, ttlToEphemeralOwner(txn.ttl), txn.parentCVersion, hdr.zxid, hdr.time, ev);
        return { err: 0, path: txn.path, stat: this.toStat(n) };
      }
      case OpCode.createContainer: {
        const n = this.createNode(txn.path, txn.data, txn.acl, CONTAINER_EPHEMERAL_OWNER, txn.parentCVersion, hdr.zxid, hdr.time, ev);
        return { err: 0, path: txn.path, stat: this.toStat(n) };
      }
      case OpCode.delete:
      case OpCode.deleteContainer:
        this.deleteNode(txn.path, hdr.zxid, ev);
        return { err: 0, path: txn.path, stat: null };
      case OpCode.setData:
      case OpCode.reconfig:
        return { err: 0, path: txn.path, stat: this.setData(txn.path, txn.data, txn.version, hdr.zxid, hdr.time, ev) };
      case OpCode.setACL:
        return { err: 0, path: txn.path, stat: this.setACL(txn.path, txn.acl, txn.version) };
      case OpCode.check:
        return { err: 0, path: txn.path, stat: null };
      case OpCode.error:
        return { err: txn.err, path: null, stat: null };
      case OpCode.createSession:
        return { err: 0, path: null, stat: null };
      case OpCode.closeSession:
        this.killSession(hdr.clientId, hdr.zxid, txn.paths2Delete ?? null, ev);
        return { err: 0, path: null, stat: null };
      case OpCode.multi:
        throw new KeeperError(ErrorCode.marshallingError); // nested multi is not a thing
    }
  }

  private createNode(
    path: string, data: Data, acl: readonly ACL[], owner: bigint, parentCVersion: number, zxid: number, time: number,
    ev: { event: TxnEvent; acl: readonly ACL[] | null }[],
  ): DataNode {
    const parentPath = parentOf(path);
    const childName = childNameOf(path);
    const parent = this.nodes.get(parentPath);
    if (!parent) throw new KeeperError(ErrorCode.noNode);
    if (this.nodes.has(path)) throw new KeeperError(ErrorCode.nodeExists);
    this.remember(parentPath);
    this.remember(path);
    this.preChange(parentPath, parent);
    if (parentCVersion === -1) parentCVersion = parent.stat.cversion + 1;
    // Replays may carry an older cversion; it never goes back (as ZooKeeper).
    if (parentCVersion > parent.stat.cversion) {
      parent.stat.cversion = parentCVersion;
      parent.stat.pzxid = zxid;
    }
    addChild(parent, childName);
    this.postChange(parentPath, parent);
    const node = makeNode(this.dataPool.copy(data), this.acls.intern(acl), createStat(zxid, time, owner));
    this.putNode(path, node);
    if (parentPath.startsWith(QUOTA_ZOOKEEPER)) {
      if (childName === QUOTA_LIMIT_NODE) this.quotaPaths.add(trimQuotaPath(parentPath));
      if (childName === QUOTA_STAT_NODE) this.updateQuotaForPath(trimQuotaPath(parentPath));
    }
    const quotaRoot = this.quotaPaths.maxPrefix(path);
    if (quotaRoot !== null) this.updateQuotaStat(quotaRoot, data === null ? 0 : data.length, 1);
    ev.push({ event: { type: EventType.nodeCreated, path }, acl });
    ev.push({ event: { type: EventType.nodeChildrenChanged, path: parentPath }, acl: parent.acl });
    return node;
  }

  private deleteNode(path: string, zxid: number, ev: { event: TxnEvent; acl: readonly ACL[] | null }[]): void {
    const parentPath = parentOf(path);
    const childName = childNameOf(path);
    const parent = this.nodes.get(parentPath);
    const node = this.nodes.get(path);
    if (!parent || !node) throw new KeeperError(ErrorCode.noNode);
    this.remember(parentPath);
    this.remember(path);
    this.preChange(parentPath, parent);
    removeChild(parent, childName);
    // Deletes move pzxid only; the client-visible cversion still grows (2*creates - children).
    if (zxid > parent.stat.pzxid) parent.stat.pzxid = zxid;
    this.postChange(parentPath, parent);
    this.removeNode(path);
    if (parentPath.startsWith(PROC_ZOOKEEPER) && childName === QUOTA_LIMIT_NODE) {
      this.quotaPaths.delete(trimQuotaPath(parentPath));
    }
    const quotaRoot = this.quotaPaths.maxPrefix(path);
    if (quotaRoot !== null) this.updateQuotaStat(quotaRoot, -dataLengthOf(node), -1);
    ev.push({ event: { type: EventType.nodeDeleted, path }, acl: node.acl });
    ev.push({ event: { type: EventType.nodeChildrenChanged, path: parentPath }, acl: parent.acl });
  }

  private setData(path: string, data: Data, version: number, zxid: number, time: number, ev: { event: TxnEvent; acl: readonly ACL[] | null }[]): Stat {
    const n = this.nodes.get(path);
    if (!n) throw new KeeperError(ErrorCode.noNode);
    this.remember(path);
    const last = n.data;
    this.preChange(path, n);
    n.data = this.dataPool.copy(data);
    n.stat.mtime = time;
    n.stat.mzxid = zxid;
    n.stat.version = version;
    this.postChange(path, n);
    const stat = this.toStat(n);
    const quotaRoot = this.quotaPaths.maxPrefix(path);
    if (quotaRoot !== null) this.updateQuotaStat(quotaRoot, (data?.length ?? 0) - (last?.length ?? 0), 0);
    ev.push({ event: { type: EventType.nodeDataChanged, path }, acl: n.acl });
    return stat;
  }

  private setACL(path: string, acl: readonly ACL[], version: number): Stat {
    const n = this.nodes.get(path);
    if (!n) throw new KeeperError(ErrorCode.noNode);
    this.remember(path);
    this.preChange(path, n);
    n.stat.aversion = version;
    n.acl = this.acls.intern(acl);
    this.postChange(path, n);
    return this.toStat(n);
  }

  private killSession(session: bigint, zxid: number, paths2Delete: readonly string[] | null, ev: { event: TxnEvent; acl: readonly ACL[] | null }[]): void {
    const local = this.ephemerals.get(session);
    this.ephemerals.delete(session);
    this.ephemeralsHighWater.delete(session);
    const todo: string[] = [];
    if (paths2Delete) {
      // A loop, not push(...): a session may own more paths than a call can take arguments.
      for (const p of paths2Delete) todo.push(p);
      if (local) for (const p of paths2Delete) local.delete(p);
    }
    if (local) for (const p of local) todo.push(p);
    for (const p of todo) {
      try {
        this.deleteNode(p, zxid, ev);
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e; // already gone: ZooKeeper logs and goes on
      }
    }
  }

  private setCversionPzxid(path: string, cversion: number, zxid: number): void {
    const n = this.nodes.get(path);
    if (!n) return;
    if (cversion === -1) cversion = n.stat.cversion + 1;
    if (cversion > n.stat.cversion) {
      this.preChange(path, n);
      n.stat.cversion = cversion;
      n.stat.pzxid = zxid;
      this.postChange(path, n);
    }
  }

  // ---- quotas ------------------------------------------------------------------------------

  private updateQuotaStat(quotaRoot: string, bytesDiff: number, countDiff: number): void {
    const sp = statPath(quotaRoot);
    const n = this.nodes.get(sp);
    if (!n) return; // ZooKeeper logs "should not happen"
    this.remember(sp);
    const t = StatsTrack.parse(n.data);
    t.count = t.count + countDiff;
    t.bytes = t.bytes + bytesDiff;
    this.preChange(sp, n);
    n.data = t.toBytes();
    this.postChange(sp, n);
  }

  /** Recounts a quota subtree into its stats node (when the stats node is created or loaded). */
  private updateQuotaForPath(path: string): void {
    let count = 0;
    let bytes = 0;
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const n = this.nodes.get(p);
      if (!n) continue;
      count++;
      bytes += dataLengthOf(n);
      if (n.children !== null) for (const c of n.children) stack.push(joinPath(p, c));
    }
    const sp = statPath(path);
    const sn = this.nodes.get(sp);
    if (!sn) return;
    this.remember(sp);
    const t = new StatsTrack();
    t.bytes = bytes;
    t.count = count;
    this.preChange(sp, sn);
    sn.data = t.toBytes();
    this.postChange(sp, sn);
  }

  // ---- node map with digest and indexes -----------------------------------------------------

  private remember(path: string): void {
    if (this.undo === null || this.undo.has(path)) return;
    const n = this.nodes.get(path);
    this.undo.set(path, n ? cloneNode(n) : null);
  }

  /** Adds a node digest to the tree digest without BigInt work on the hot path. */
  private addDigest(d: number): void {
    this.digestSmall += d;
    // Node digests are below 2^32: folding past 2^52 keeps every sum exact.
    if (this.digestSmall > 2 ** 52 || this.digestSmall < -(2 ** 52)) {
      this.digestBig += BigInt(this.digestSmall);
      this.digestSmall = 0;
    }
  }

  private computeDigest(path: string, n: DataNode): number {
    if (path.startsWith(ZOOKEEPER_SUBTREE)) return 0;
    if (n.pathCrc === null) n.pathCrc = pathCrcState(path);
    return nodeDigestFrom(n.pathCrc, n.data, n.stat) | 0;
  }

  private putNode(path: string, n: DataNode): void {
    this.nodes.set(path, n);
    n.digest = this.computeDigest(path, n);
    this.addDigest(n.digest >>> 0);
    const kind = this.ephemeralKindOf(n.stat.ephemeralOwner);
    if (kind === EphemeralKind.container) this.containers.add(path);
    else if (kind === EphemeralKind.ttl) this.ttls.add(path);
    else if (kind === EphemeralKind.normal) {
      let s = this.ephemerals.get(n.stat.ephemeralOwner);
      if (!s) this.ephemerals.set(n.stat.ephemeralOwner, (s = new Set()));
      s.add(path);
      const owner = n.stat.ephemeralOwner;
      if (s.size > (this.ephemeralsHighWater.get(owner) ?? 0)) this.ephemeralsHighWater.set(owner, s.size);
    }
  }

  /** The most ephemerals `sessionId` has held at once (0 when none). */
  ephemeralHighWater(sessionId: bigint): number {
    return this.ephemeralsHighWater.get(sessionId) ?? 0;
  }

  private removeNode(path: string): void {
    const n = this.nodes.get(path);
    if (!n) return;
    this.nodes.delete(path);
    this.addDigest(-(n.digest >>> 0));
    this.containers.delete(path);
    this.ttls.delete(path);
    const s = this.ephemerals.get(n.stat.ephemeralOwner);
    if (s) {
      s.delete(path);
      if (s.size === 0) this.ephemerals.delete(n.stat.ephemeralOwner);
    }
  }

  private preChange(_path: string, n: DataNode): void {
    this.addDigest(-(n.digest >>> 0));
  }

  private postChange(path: string, n: DataNode): void {
    n.digest = this.computeDigest(path, n);
    this.addDigest(n.digest >>> 0);
  }

  private refreshDigest(path: string): void {
    const n = this.nodes.get(path)!;
    this.preChange(path, n);
    this.postChange(path, n);
  }
}

