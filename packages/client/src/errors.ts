// Typed errors carrying ZooKeeper's codes (KeeperException.Code): `err instanceof NoNodeError`,
// `err.code === ErrorCode.noNode`, `err.codeName === 'NONODE'`.
import { ErrorCode, ErrorCodeName } from '@zkts/protocol';

/** KeeperException's readable names ("NoNode") by code, for messages like Java's. */
const READABLE: Readonly<Record<number, string>> = {
  [-1]: 'SystemError', [-2]: 'RuntimeInconsistency', [-3]: 'DataInconsistency', [-4]: 'ConnectionLoss',
  [-5]: 'MarshallingError', [-6]: 'Unimplemented', [-7]: 'OperationTimeout', [-8]: 'BadArguments',
  [-12]: 'UnknownSession', [-13]: 'NewConfigNoQuorum', [-14]: 'ReconfigInProgress', [-100]: 'APIError',
  [-101]: 'NoNode', [-102]: 'NoAuth', [-103]: 'BadVersion', [-108]: 'NoChildrenForEphemerals',
  [-110]: 'NodeExists', [-111]: 'Directory not empty', [-112]: 'Session expired', [-113]: 'Invalid callback',
  [-114]: 'InvalidACL', [-115]: 'AuthFailed', [-118]: 'Session moved', [-119]: 'Not a read-only call',
  [-120]: 'Ephemeral node on local session', [-121]: 'No such watcher', [-122]: 'Request timeout',
  [-123]: 'Reconfig is disabled', [-124]: 'Session closed because client failed to authenticate',
  [-125]: 'Quota has exceeded', [-127]: 'Op throttled due to high load',
};

/** An error a ZooKeeper server (or the client, for connection loss / expiry) reports by code. */
export class ZooKeeperError extends Error {
  /** ZooKeeper's ErrorCode, e.g. -101. */
  readonly code: number;
  /** KeeperException.Code name, e.g. 'NONODE'. */
  readonly codeName: string;
  /** The client-side path the operation was about, when there is one. */
  readonly path: string | undefined;

  constructor(code: number, path?: string, detail?: string) {
    const text = READABLE[code] ?? `Unknown error ${code}`;
    super(`KeeperErrorCode = ${text}${path !== undefined ? ` for ${path}` : ''}${detail ? ` (${detail})` : ''}`);
    this.code = code;
    this.codeName = ErrorCodeName[code] ?? `UNKNOWN(${code})`;
    this.path = path;
    this.name = new.target.name;
  }
}

type ErrorClass = new (path?: string, detail?: string) => ZooKeeperError;
function kind(code: number): ErrorClass {
  return class extends ZooKeeperError {
    constructor(path?: string, detail?: string) {
      super(code, path, detail);
    }
  };
}

export class SystemZooKeeperError extends kind(ErrorCode.systemError) {}
export class RuntimeInconsistencyError extends kind(ErrorCode.runtimeInconsistency) {}
export class DataInconsistencyError extends kind(ErrorCode.dataInconsistency) {}
export class ConnectionLossError extends kind(ErrorCode.connectionLoss) {}
export class MarshallingError extends kind(ErrorCode.marshallingError) {}
export class UnimplementedError extends kind(ErrorCode.unimplemented) {}
export class OperationTimeoutError extends kind(ErrorCode.operationTimeout) {}
export class BadArgumentsError extends kind(ErrorCode.badArguments) {}
export class UnknownSessionError extends kind(ErrorCode.unknownSession) {}
export class NewConfigNoQuorumError extends kind(ErrorCode.newConfigNoQuorum) {}
export class ReconfigInProgressError extends kind(ErrorCode.reconfigInProgress) {}
export class ApiError extends kind(ErrorCode.apiError) {}
export class NoNodeError extends kind(ErrorCode.noNode) {}
export class NoAuthError extends kind(ErrorCode.noAuth) {}
export class BadVersionError extends kind(ErrorCode.badVersion) {}
export class NoChildrenForEphemeralsError extends kind(ErrorCode.noChildrenForEphemerals) {}
export class NodeExistsError extends kind(ErrorCode.nodeExists) {}
export class NotEmptyError extends kind(ErrorCode.notEmpty) {}
export class SessionExpiredError extends kind(ErrorCode.sessionExpired) {}
export class InvalidCallbackError extends kind(ErrorCode.invalidCallback) {}
export class InvalidAclError extends kind(ErrorCode.invalidACL) {}
export class AuthFailedError extends kind(ErrorCode.authFailed) {}
export class SessionMovedError extends kind(ErrorCode.sessionMoved) {}
export class NotReadOnlyError extends kind(ErrorCode.notReadOnly) {}
export class EphemeralOnLocalSessionError extends kind(ErrorCode.ephemeralOnLocalSession) {}
export class NoWatcherError extends kind(ErrorCode.noWatcher) {}
export class RequestTimeoutError extends kind(ErrorCode.requestTimeout) {}
export class ReconfigDisabledError extends kind(ErrorCode.reconfigDisabled) {}
export class SessionClosedRequireSaslAuthError extends kind(ErrorCode.sessionClosedRequireSaslAuth) {}
export class QuotaExceededError extends kind(ErrorCode.quotaExceeded) {}
export class ThrottledOpError extends kind(ErrorCode.throttledOp) {}

const BY_CODE = new Map<number, ErrorClass>([
  [ErrorCode.systemError, SystemZooKeeperError], [ErrorCode.runtimeInconsistency, RuntimeInconsistencyError],
  [ErrorCode.dataInconsistency, DataInconsistencyError], [ErrorCode.connectionLoss, ConnectionLossError],
  [ErrorCode.marshallingError, MarshallingError], [ErrorCode.unimplemented, UnimplementedError],
  [ErrorCode.operationTimeout, OperationTimeoutError], [ErrorCode.badArguments, BadArgumentsError],
  [ErrorCode.unknownSession, UnknownSessionError], [ErrorCode.newConfigNoQuorum, NewConfigNoQuorumError],
  [ErrorCode.reconfigInProgress, ReconfigInProgressError], [ErrorCode.apiError, ApiError],
  [ErrorCode.noNode, NoNodeError], [ErrorCode.noAuth, NoAuthError], [ErrorCode.badVersion, BadVersionError],
  [ErrorCode.noChildrenForEphemerals, NoChildrenForEphemeralsError], [ErrorCode.nodeExists, NodeExistsError],
  [ErrorCode.notEmpty, NotEmptyError], [ErrorCode.sessionExpired, SessionExpiredError],
  [ErrorCode.invalidCallback, InvalidCallbackError], [ErrorCode.invalidACL, InvalidAclError],
  [ErrorCode.authFailed, AuthFailedError], [ErrorCode.sessionMoved, SessionMovedError],
  [ErrorCode.notReadOnly, NotReadOnlyError], [ErrorCode.ephemeralOnLocalSession, EphemeralOnLocalSessionError],
  [ErrorCode.noWatcher, NoWatcherError], [ErrorCode.requestTimeout, RequestTimeoutError],
  [ErrorCode.reconfigDisabled, ReconfigDisabledError],
  [ErrorCode.sessionClosedRequireSaslAuth, SessionClosedRequireSaslAuthError],
  [ErrorCode.quotaExceeded, QuotaExceededError], [ErrorCode.throttledOp, ThrottledOpError],
]);

/** The typed error for a ZooKeeper error code (a plain ZooKeeperError for unknown codes). */
export function zooKeeperError(code: number, path?: string, detail?: string): ZooKeeperError {
  const C = BY_CODE.get(code);
  return C ? new C(path, detail) : new ZooKeeperError(code, path, detail);
}

/** One result of a failed multi: what happened to each op (ok, the failing code, or rolled back). */
export type MultiOpOutcome = { ok: true } | { ok: false; error: ZooKeeperError };

/**
 * A multi that failed as a whole. `code` is the first failing op's code (as Java's
 * KeeperException from multi), `failedIndex` its position, `results` one outcome per op.
 */
export class MultiError extends ZooKeeperError {
  constructor(code: number, readonly failedIndex: number, readonly results: MultiOpOutcome[], path?: string) {
    super(code, path, `multi op ${failedIndex} failed`);
    this.name = 'MultiError';
  }
  /** The typed error of the failing op (e.g. a NoNodeError). */
  get opError(): ZooKeeperError {
    const r = this.results[this.failedIndex];
    return r && !r.ok ? r.error : zooKeeperError(this.code, this.path);
  }
}

/** The bounded request queue is full: too many requests are waiting for a reply or a connection. */
export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`request queue full: ${limit} requests are outstanding (maxQueuedRequests); wait for some to finish`);
    this.name = 'QueueFullError';
  }
}

/** The client was closed (close() was called); no more requests are accepted. */
export class ClientClosedError extends ConnectionLossError {
  constructor(path?: string) {
    super(path, 'client closed');
    this.name = 'ClientClosedError';
  }
}
