// Request preparation (ZooKeeper's PrepRequestProcessor), pure: validate a client write against
// the tree plus the writes prepared but not yet applied, and produce the Txn to log. Errors come
// out in ZooKeeper's precedence order as an ErrorTxn.
import { CreateMode, ErrorCode, OpCode, Perms } from '@zkts/protocol';
import type { ACL } from '@zkts/protocol';
import type { DataTree, StatPersisted } from './data-tree.js';
import { createStat } from './data-tree.js';
import { CONTAINER_EPHEMERAL_OWNER, EphemeralKind, TTL_MS_MAX, ttlToEphemeralOwner } from './ephemeral.js';
import { pathError } from '@zkts/protocol';
import { isSpecialPath, sequentialSuffix, ROOT } from './paths.js';
import { javaHashSetCloneOrder } from './java-order.js';
import { StatsTrack, checkQuotaLimits, limitPath, statPath } from './quota.js';
import type { Data, Txn, TxnHeader } from './txn.js';

export type CreateRequest = {
  type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
  path: string;
  data: Data;
  acl: readonly ACL[];
  flags: number;
};
export type CreateTTLRequest = {
  type: typeof OpCode.createTTL;
  path: string;
  data: Data;
  acl: readonly ACL[];
  flags: number;
  ttl: number;
};
export type WriteRequest =
  | CreateRequest
  | CreateTTLRequest
  | { type: typeof OpCode.delete; path: string; version: number }
  | { type: typeof OpCode.deleteContainer; path: string }
  | { type: typeof OpCode.setData; path: string; data: Data; version: number }
  | { type: typeof OpCode.setACL; path: string; acl: readonly ACL[]; version: number }
  | { type: typeof OpCode.check; path: string; version: number }
  | { type: typeof OpCode.multi; ops: readonly WriteRequest[] }
  | { type: typeof OpCode.createSession; timeOut: number }
  | { type: typeof OpCode.closeSession };

export interface PrepContext {
  sessionId: bigint;
  cxid: number;
  /** The zxid this request gets (every op of a multi shares it). */
  zxid: number;
  /** Wall time in ms for the TxnHeader. */
  time: number;
  /** ACL evaluation (packages/auth): may this session do `perm` on a node with `acl`? */
  checkAcl(acl: readonly ACL[], perm: number, path: string): boolean;
  /** Validates and expands ACLs (auth ids, duplicates); returns an ErrorCode (invalidACL) when bad. */
  fixupAcl(path: string, acl: readonly ACL[]): ACL[] | number;
  /** zookeeper.extendedTypesEnabled: TTL nodes allowed (else Unimplemented). Default false. */
  ttlEnabled?: boolean;
  /** Set when the session is local and could not be upgraded: ephemerals fail with this code. */
  ephemeralOnLocalSession?: boolean;
  /** zookeeper.enforceQuota: hard limits fail with QuotaExceeded. Default true (ZooKeeper: false). */
  enforceQuota?: boolean;
  /** Writes prepared but not applied yet; pass the server's instance to pipeline. */
  outstanding?: OutstandingChanges;
}

export interface PrepResult {
  hdr: TxnHeader;
  txn: Txn;
  /** 0, or the ErrorCode the request failed with (then txn is an ErrorTxn, or a multi of them). */
  err: number;
  /** Soft quota limits crossed (ZooKeeper logs them). */
  quotaWarnings: string[];
}

/** A node as prepared writes will leave it (ZooKeeper's ChangeRecord); stat null = deleted. */
export interface ChangeRecord {
  zxid: number;
  path: string;
  stat: StatPersisted | null;
  childCount: number;
  acl: readonly ACL[];
  data: Data;
}

/** The outstanding-changes overlay: newest record per path, in prep order. */
export class OutstandingChanges {
  /** Records in prep order; those before `head` are applied (compacted now and then, not shifted). */
  private list: ChangeRecord[] = [];
  private head = 0;
  private readonly byPath = new Map<string, ChangeRecord>();

  get(path: string): ChangeRecord | undefined {
    return this.byPath.get(path);
  }
  add(c: ChangeRecord): void {
    this.list.push(c);
    this.byPath.set(c.path, c);
  }
  get size(): number {
    return this.list.length - this.head;
  }
  records(): readonly ChangeRecord[] {
    this.compact();
    return this.list;
  }

  /** Call after the txn with this zxid is applied to the tree: its records are no longer needed. */
  applied(zxid: number): void {
    // Advancing an index keeps this linear: a session close can leave 100k records to drop.
    while (this.head < this.list.length && this.list[this.head]!.zxid <= zxid) {
      const c = this.list[this.head++]!;
      if (this.byPath.get(c.path) === c) this.byPath.delete(c.path);
    }
    if (this.head === this.list.length || (this.head > 1024 && this.head * 2 > this.list.length)) this.compact();
  }

  private compact(): void {
    if (this.head === 0) return;
    this.list = this.list.slice(this.head);
    this.head = 0;
  }

  /** Forget everything (leader change / resync). */
  clear(): void {
    this.list = [];
    this.head = 0;
    this.byPath.clear();
  }

  /** Undo the records of a failed multi (zxid), restoring what was there for its paths. */
  rollback(zxid: number, saved: Map<string, ChangeRecord>): void {
    this.compact();
    while (this.list.length > 0 && this.list[this.list.length - 1]!.zxid === zxid) {
      this.byPath.delete(this.list.pop()!.path);
    }
    if (this.list.length === 0) return;
    const first = this.list[0]!.zxid;
    for (const c of saved.values()) if (c.zxid >= first) this.byPath.set(c.path, c);
  }
}

class PrepError extends Error {
  constructor(readonly code: number) {
    super(`prep error ${code}`);
  }
}

const fail = (code: number): never => {
  throw new PrepError(code);
};

/** Every valid create flags value (built once, not per create). */
const CREATE_MODES: ReadonlySet<number> = new Set<number>(Object.values(CreateMode));

const isSequential = (mode: number) =>
  mode === CreateMode.persistentSequential || mode === CreateMode.ephemeralSequential || mode === CreateMode.persistentSequentialWithTtl;
const isEphemeralMode = (mode: number) => mode === CreateMode.ephemeral || mode === CreateMode.ephemeralSequential;
const isTTLMode = (mode: number) => mode === CreateMode.persistentWithTtl || mode === CreateMode.persistentSequentialWithTtl;

class Preparer {
  readonly warnings: string[] = [];
  constructor(
    readonly tree: DataTree,
    readonly ctx: PrepContext,
    readonly changes: OutstandingChanges,
  ) {}

  record(path: string): ChangeRecord {
    return this.tryRecord(path) ?? fail(ErrorCode.noNode);
  }

  dup(c: ChangeRecord): ChangeRecord {
    // Literal objects of one shape, not spreads: this runs for the parent of every create/delete.
    const s = c.stat;
    const stat: StatPersisted | null = s
      ? { czxid: s.czxid, mzxid: s.mzxid, pzxid: s.pzxid, ctime: s.ctime, mtime: s.mtime, version: s.version, cversion: s.cversion, aversion: s.aversion, ephemeralOwner: s.ephemeralOwner }
      : null;
    return { zxid: this.ctx.zxid, path: c.path, stat, childCount: c.childCount, acl: c.acl, data: c.data };
  }

  acl(acl: readonly ACL[], perm: number, path: string): void {
    if (!this.ctx.checkAcl(acl, perm, path)) fail(ErrorCode.noAuth);
  }

  fixup(path: string, acl: readonly ACL[]): ACL[] {
    const r = this.ctx.fixupAcl(path, acl);
    return typeof r === 'number' ? fail(r) : r;
  }

  validatePath(path: string): void {
    if (pathError(path) !== undefined) fail(ErrorCode.badArguments);
  }

  parentAndValidate(path: string, forCreate: boolean): string {
    const i = path.lastIndexOf('/');
    if (i === -1 || path.includes('\0') || (!forCreate && isSpecialPath(path))) fail(ErrorCode.badArguments);
    return path.substring(0, i);
  }

  checkQuota(path: string, lastData: Data, data: Data, countDiff: number): void {
    if (this.ctx.enforceQuota === false) return;
    const root = this.tree.getMaxPrefixWithQuota(path);
    if (root === null) return;
    const limits = this.tree.getNode(limitPath(root));
    const stats = this.tree.getNode(statPath(root));
    if (!limits || !stats) return;
    const bytesDiff = (data?.length ?? 0) - (lastData?.length ?? 0);
    const r = checkQuotaLimits(root, StatsTrack.parse(limits.data), StatsTrack.parse(stats.data), countDiff, bytesDiff, ErrorCode.quotaExceeded);
    this.warnings.push(...r.warnings);
    if (r.err !== 0) fail(r.err);
  }

  version(current: number, expected: number): number {
    if (expected !== -1 && expected !== current) fail(ErrorCode.badVersion);
    const next = (current + 1) | 0;
    return next === -1 ? 0 : next; // ZOOKEEPER-4743: never hand out -1 ("any version")
  }

  /** One write -> its txn, with change records added. Throws PrepError. */
  op(req: WriteRequest): Txn {
    const zxid = this.ctx.zxid;
    switch (req.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return this.create(req);
      case OpCode.deleteContainer: {
        const parentPath = this.parentAndValidate(req.path, false);
        const node = this.record(req.path);
        if (node.childCount > 0) fail(ErrorCode.notEmpty);
        if (this.tree.ephemeralKindOf(node.stat!.ephemeralOwner) === EphemeralKind.normal) fail(ErrorCode.badVersion);
        this.removeRecords(req.path, parentPath);
        return { type: OpCode.deleteContainer, path: req.path };
      }
      case OpCode.delete: {
        const parentPath = this.parentAndValidate(req.path, false);
        const parent = this.record(parentPath);
        this.acl(parent.acl, Perms.delete, req.path);
        const node = this.record(req.path);
        this.version(node.stat!.version, req.version);
        if (node.childCount > 0) fail(ErrorCode.notEmpty);
        this.removeRecords(req.path, parentPath);
        return { type: OpCode.delete, path: req.path };
      }
      case OpCode.setData: {
        this.validatePath(req.path);
        const node = this.record(req.path);
        this.acl(node.acl, Perms.write, req.path);
        this.checkQuota(req.path, node.data, req.data, 0);
        const version = this.version(node.stat!.version, req.version);
        const c = this.dup(node);
        c.stat!.version = version;
        c.stat!.mtime = this.ctx.time;
        c.stat!.mzxid = zxid;
        c.data = req.data;
        this.changes.add(c);
        return { type: OpCode.setData, path: req.path, data: req.data, version };
      }
      case OpCode.setACL: {
        this.validatePath(req.path);
        const acl = this.fixup(req.path, req.acl);
        const node = this.record(req.path);
        this.acl(node.acl, Perms.admin, req.path);
        const version = this.version(node.stat!.aversion, req.version);
        const c = this.dup(node);
        c.stat!.aversion = version;
        c.acl = acl;
        this.changes.add(c);
        return { type: OpCode.setACL, path: req.path, acl, version };
      }
      case OpCode.check: {
        this.validatePath(req.path);
        const node = this.record(req.path);
        this.acl(node.acl, Perms.read, req.path);
        return { type: OpCode.check, path: req.path, version: this.version(node.stat!.version, req.version) };
      }
      case OpCode.createSession:
        return { type: OpCode.createSession, timeOut: req.timeOut };
      case OpCode.closeSession: {
        const es = new Set(this.tree.ephemeralPaths(this.ctx.sessionId));
        for (const c of this.changes.records()) {
          if (c.stat === null) es.delete(c.path);
          else if (c.stat.ephemeralOwner === this.ctx.sessionId) es.add(c.path);
        }
        for (const p of es) {
          const i = p.lastIndexOf('/');
          this.removeRecords(p, i <= 0 ? ROOT : p.substring(0, i));
        }
        // ZooKeeper deletes them in its HashSet's order, which orders the watch events too.
        return { type: OpCode.closeSession, paths2Delete: javaHashSetCloneOrder([...es], this.tree.ephemeralHighWater(this.ctx.sessionId)) };
      }
      case OpCode.multi:
        return fail(ErrorCode.marshallingError); // nested multi
    }
  }

  removeRecords(path: string, parentPath: string): void {
    const zxid = this.ctx.zxid;
    const parent = this.changes.get(parentPath === '' ? ROOT : parentPath) ?? this.tryRecord(parentPath);
    if (parent && parent.stat) {
      const c = this.dup(parent);
      c.childCount--;
      c.stat!.pzxid = zxid;
      this.changes.add(c);
    }
    this.changes.add({ zxid, path, stat: null, childCount: -1, acl: [], data: null });
  }

  /** The node as prepared writes will leave it, or undefined when it does not (or will not) exist. */
  tryRecord(path: string): ChangeRecord | undefined {
    // No exception on the miss: every successful create looks its path up and misses.
    const p = path === '' ? ROOT : path;
    const c = this.changes.get(p);
    if (c) return c.stat === null ? undefined : c;
    const n = this.tree.getNode(p);
    return n ? { zxid: -1, path: p, stat: n.stat, childCount: n.children === null ? 0 : n.children.size, acl: n.acl, data: n.data } : undefined;
  }

  create(req: CreateRequest | CreateTTLRequest): Txn {
    const zxid = this.ctx.zxid;
    const mode = req.flags;
    if (!CREATE_MODES.has(mode)) fail(ErrorCode.badArguments);
    const ttl = req.type === OpCode.createTTL ? req.ttl : -1;
    if (isTTLMode(mode) && !this.ctx.ttlEnabled) fail(ErrorCode.unimplemented);
    if (isTTLMode(mode) ? !(ttl > 0 && ttl <= TTL_MS_MAX) : ttl >= 0) fail(ErrorCode.badArguments);
    if (isEphemeralMode(mode) && this.ctx.ephemeralOnLocalSession) fail(ErrorCode.ephemeralOnLocalSession);
    const parentPath = this.parentAndValidate(req.path, true);
    const acl = this.fixup(req.path, req.acl);
    const parent = this.record(parentPath);
    this.acl(parent.acl, Perms.create, req.path);
    const parentCVersion = parent.stat!.cversion;
    const path = isSequential(mode) ? req.path + sequentialSuffix(parentCVersion) : req.path;
    this.validatePath(path);
    if (this.tryRecord(path)) fail(ErrorCode.nodeExists);
    if (this.tree.ephemeralKindOf(parent.stat!.ephemeralOwner) === EphemeralKind.normal) fail(ErrorCode.noChildrenForEphemerals);
    const newCversion = parentCVersion + 1;
    this.checkQuota(path, null, req.data, 1);
    let txn: Txn;
    let owner = 0n;
    if (req.type === OpCode.createContainer) {
      txn = { type: OpCode.createContainer, path, data: req.data, acl, parentCVersion: newCversion };
    } else if (req.type === OpCode.createTTL) {
      txn = { type: OpCode.createTTL, path, data: req.data, acl, parentCVersion: newCversion, ttl };
    } else {
      txn = { type: req.type, path, data: req.data, acl, ephemeral: isEphemeralMode(mode), parentCVersion: newCversion };
    }
    if (mode === CreateMode.container) owner = CONTAINER_EPHEMERAL_OWNER;
    else if (isTTLMode(mode)) owner = ttlToEphemeralOwner(ttl);
    else if (isEphemeralMode(mode)) owner = this.ctx.sessionId;
    const p = this.dup(parent);
    p.childCount++;
    p.stat!.cversion = newCversion;
    p.stat!.pzxid = zxid;
    this.changes.add(p);
    this.changes.add({ zxid, path, stat: createStat(zxid, this.ctx.time, owner), childCount: 0, acl, data: req.data });
    return txn;
  }
}

/**
 * Validates a client write against the tree plus outstanding changes and returns the txn to log.
 * On success the change records are added to ctx.outstanding (call outstanding.applied(zxid)
 * after the txn is applied). A failed multi is all-or-nothing: its records are rolled back.
 */
export function prepareRequest(tree: DataTree, request: WriteRequest, ctx: PrepContext): PrepResult {
  const changes = ctx.outstanding ?? new OutstandingChanges();
  const p = new Preparer(tree, ctx, changes);
  const hdr: TxnHeader = { clientId: ctx.sessionId, cxid: ctx.cxid, zxid: ctx.zxid, time: ctx.time, type: request.type };
  if (request.type === OpCode.multi) {
    const saved = new Map<string, ChangeRecord>();
    for (const op of request.ops) {
      const path = 'path' in op ? op.path : undefined;
      const c = path === undefined ? undefined : changes.get(path);
      if (c) saved.set(c.path, c);
    }
    const txns: Txn[] = [];
    let err = 0;
    for (const op of request.ops) {
      if (err !== 0) {
        txns.push({ type: OpCode.error, err: ErrorCode.runtimeInconsistency });
        continue;
      }
      try {
        if (op.type === OpCode.multi || op.type === OpCode.createSession || op.type === OpCode.closeSession) fail(ErrorCode.badArguments);
        txns.push(p.op(op));
      } catch (e) {
        if (!(e instanceof PrepError)) throw e;
        err = e.code;
        txns.push({ type: OpCode.error, err });
        changes.rollback(ctx.zxid, saved);
      }
    }
    return { hdr, txn: { type: OpCode.multi, txns }, err, quotaWarnings: p.warnings };
  }
  try {
    const txn = p.op(request);
    return { hdr, txn, err: 0, quotaWarnings: p.warnings };
  } catch (e) {
    if (!(e instanceof PrepError)) throw e;
    return { hdr: { ...hdr, type: OpCode.error }, txn: { type: OpCode.error, err: e.code }, err: e.code, quotaWarnings: p.warnings };
  }
}

/** Read-side check: NoNode if missing, NoAuth without READ, else ok (0). */
export function checkRead(tree: DataTree, path: string, checkAcl: (acl: readonly ACL[], perm: number, path: string) => boolean): number {
  const n = tree.getNode(path);
  if (!n) return ErrorCode.noNode;
  return checkAcl(n.acl, Perms.read, path) ? ErrorCode.ok : ErrorCode.noAuth;
}
