import { ZabConfigError } from './errors.js';
import { MajorityQuorum, type QuorumVerifier } from './quorum.js';
import { EPOCH_MAX, ZXID_COUNTER_MAX, isZxid, zxidHex, type Zxid } from './zxid.js';

/** An opaque log entry: the server puts an encoded txn in `data`. */
export interface Entry {
  readonly zxid: Zxid;
  readonly data: Uint8Array;
}

/** What a peer persists durably besides its log (ZooKeeper's acceptedEpoch / currentEpoch files). */
export interface HardState {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
}

/** ZooKeeper's default for how many committed proposals the leader keeps for DIFF. */
export const COMMITTED_LOG_MAX_DEFAULT = 500;
/** Upper bound on committedLogMax (memory held per peer). */
export const COMMITTED_LOG_MAX_LIMIT = 1_000_000;
/** Default cap on proposals waiting for a quorum; propose() throws beyond it. */
export const OUTSTANDING_PROPOSALS_MAX_DEFAULT = 10_000;
/** The last counter a leader proposes; proposing past it forces a new epoch, as ZooKeeper does at 0xffffffff. */
export const ZXID_COUNTER_LAST_DEFAULT = ZXID_COUNTER_MAX - 1;
/** Upper bound on initLimitTicks / syncLimitTicks. */
export const LIMIT_TICKS_MAX = 1_000_000;

export interface ZabConfig {
  readonly selfId: number;
  /** Voting members (followers and leader candidates), self included unless self observes. */
  readonly voters: readonly number[];
  readonly observers?: readonly number[] | undefined;
  /** Default: a MajorityQuorum of `voters`. */
  readonly quorum?: QuorumVerifier | undefined;
  /** Ticks a learner may take to connect and sync (ZooKeeper's initLimit). */
  readonly initLimitTicks: number;
  /** Ticks a learner or leader may stay silent once synced (ZooKeeper's syncLimit). */
  readonly syncLimitTicks: number;
  /** Committed entries kept in memory for DIFF; default COMMITTED_LOG_MAX_DEFAULT (500). */
  readonly committedLogMax?: number | undefined;
  /** Default OUTSTANDING_PROPOSALS_MAX_DEFAULT. */
  readonly outstandingProposalsMax?: number | undefined;
  /** The last zxid counter a leader uses before forcing a new epoch; default ZXID_COUNTER_LAST_DEFAULT. */
  readonly zxidCounterLast?: number | undefined;
}

/** What the runtime recovered from disk. It applied its whole log at startup, so applied == logged. */
export interface RecoveredState extends HardState {
  readonly lastZxid: Zxid;
  /** The last entries of the log, ascending, ending at lastZxid (up to committedLogMax are kept). */
  readonly logTail: readonly Entry[];
  /**
   * The zxid just before logTail[0] (0 when the tail starts at the very first entry), if known:
   * lets the leader DIFF a learner whose last zxid is exactly that one.
   */
  readonly tailPrevZxid?: Zxid | undefined;
  /**
   * The oldest zxid the runtime can rebuild its state at (its oldest kept snapshot; 0 when its log
   * goes back to the start). A leader that would TRUNC this peer below it sends a SNAP instead.
   */
  readonly snapshotZxid?: Zxid | undefined;
}

export const EMPTY_RECOVERED_STATE: RecoveredState = { acceptedEpoch: 0, currentEpoch: 0, lastZxid: 0, logTail: [] };

export interface ResolvedConfig {
  readonly selfId: number;
  readonly voters: ReadonlySet<number>;
  readonly observers: ReadonlySet<number>;
  readonly quorum: QuorumVerifier;
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly committedLogMax: number;
  readonly outstandingProposalsMax: number;
  readonly zxidCounterLast: number;
  readonly selfIsVoter: boolean;
}

function checkInt(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ZabConfigError(field, `must be an integer in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

function checkIds(field: string, ids: unknown): number[] {
  if (!Array.isArray(ids)) throw new ZabConfigError(field, 'must be an array of server ids');
  const seen = new Set<number>();
  for (const id of ids) {
    checkInt(`${field}[]`, id, 0, Number.MAX_SAFE_INTEGER);
    if (seen.has(id)) throw new ZabConfigError(field, `server id ${id} listed twice`);
    seen.add(id);
  }
  return [...seen];
}

export function resolveConfig(config: ZabConfig): ResolvedConfig {
  const selfId = checkInt('selfId', config.selfId, 0, Number.MAX_SAFE_INTEGER);
  const voters = checkIds('voters', config.voters);
  if (voters.length === 0) throw new ZabConfigError('voters', 'needs at least one voter');
  const observers = checkIds('observers', config.observers ?? []);
  for (const id of observers) if (voters.includes(id)) throw new ZabConfigError('observers', `server ${id} is also a voter`);
  const selfIsVoter = voters.includes(selfId);
  if (!selfIsVoter && !observers.includes(selfId)) throw new ZabConfigError('selfId', `${selfId} is neither a voter nor an observer`);
  const committedLogMax = checkInt('committedLogMax', config.committedLogMax ?? COMMITTED_LOG_MAX_DEFAULT, 1, COMMITTED_LOG_MAX_LIMIT);
  return {
    selfId,
    voters: new Set(voters),
    observers: new Set(observers),
    quorum: config.quorum ?? new MajorityQuorum(voters),
    initLimitTicks: checkInt('initLimitTicks', config.initLimitTicks, 1, LIMIT_TICKS_MAX),
    syncLimitTicks: checkInt('syncLimitTicks', config.syncLimitTicks, 1, LIMIT_TICKS_MAX),
    committedLogMax,
    outstandingProposalsMax: checkInt('outstandingProposalsMax', config.outstandingProposalsMax ?? OUTSTANDING_PROPOSALS_MAX_DEFAULT, 1, 2 ** 30),
    zxidCounterLast: checkInt('zxidCounterLast', config.zxidCounterLast ?? ZXID_COUNTER_LAST_DEFAULT, 1, ZXID_COUNTER_LAST_DEFAULT),
    selfIsVoter,
  };
}

export function checkRecovered(state: RecoveredState): void {
  const acceptedEpoch = checkInt('recovered.acceptedEpoch', state.acceptedEpoch, 0, EPOCH_MAX);
  const currentEpoch = checkInt('recovered.currentEpoch', state.currentEpoch, 0, EPOCH_MAX);
  // ZooKeeper refuses to start when the current epoch is after the accepted one.
  if (currentEpoch > acceptedEpoch) {
    throw new ZabConfigError('recovered.currentEpoch', `${currentEpoch} is after acceptedEpoch ${acceptedEpoch}`);
  }
  if (!isZxid(state.lastZxid)) throw new ZabConfigError('recovered.lastZxid', `not a zxid: ${String(state.lastZxid)}`);
  if (!Array.isArray(state.logTail)) throw new ZabConfigError('recovered.logTail', 'must be an array of entries');
  let prev = -1;
  for (const [i, e] of state.logTail.entries()) {
    if (!e || !isZxid(e.zxid) || !(e.data instanceof Uint8Array)) throw new ZabConfigError(`recovered.logTail[${i}]`, 'not an entry {zxid, data}');
    if (e.zxid <= prev) throw new ZabConfigError(`recovered.logTail[${i}]`, `zxid ${zxidHex(e.zxid)} not after ${zxidHex(prev)}`);
    prev = e.zxid;
  }
  if (state.logTail.length > 0 && prev !== state.lastZxid) {
    throw new ZabConfigError('recovered.logTail', `ends at ${zxidHex(prev)}, not at lastZxid ${zxidHex(state.lastZxid)}`);
  }
  if (state.snapshotZxid !== undefined) {
    if (!isZxid(state.snapshotZxid) || state.snapshotZxid > state.lastZxid) {
      throw new ZabConfigError('recovered.snapshotZxid', `must be a zxid not after lastZxid, got ${String(state.snapshotZxid)}`);
    }
  }
  if (state.tailPrevZxid !== undefined) {
    if (!isZxid(state.tailPrevZxid)) throw new ZabConfigError('recovered.tailPrevZxid', `not a zxid: ${String(state.tailPrevZxid)}`);
    const first = state.logTail[0]?.zxid ?? state.lastZxid + 1;
    if (state.tailPrevZxid >= first) throw new ZabConfigError('recovered.tailPrevZxid', `${zxidHex(state.tailPrevZxid)} is not before the tail`);
  }
}
