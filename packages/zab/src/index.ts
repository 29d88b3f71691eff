export { ZabPeer, type ZabStatus } from './peer.js';
export {
  COMMITTED_LOG_MAX_DEFAULT, COMMITTED_LOG_MAX_LIMIT, OUTSTANDING_PROPOSALS_MAX_DEFAULT, ZXID_COUNTER_LAST_DEFAULT,
  LIMIT_TICKS_MAX, EMPTY_RECOVERED_STATE,
  type Entry, type HardState, type RecoveredState, type ZabConfig,
} from './config.js';
export type { Ready, RoleChange, OutboundMessage, ZabRole, ZabPhase } from './ready.js';
export type * from './messages.js';
export { encodeZabMessage, decodeZabMessage, ZAB_WIRE_VERSION, ZAB_MESSAGE_BYTES_MAX, type DecodeOptions } from './codec.js';
export { MajorityQuorum, type QuorumVerifier } from './quorum.js';
export {
  ZabError, NotLeaderError, ZxidRolloverError, NotSyncedError, TooManyOutstandingError, ZabConfigError, ZabUsageError, DecodeError,
} from './errors.js';
export { EPOCH_MAX, ZXID_COUNTER_MAX, makeZxid, zxidEpoch, zxidCounter, zxidHex, isZxid, type Zxid } from './zxid.js';
export type { SyncMode } from './learner.js';
export type { LearnerView } from './leader.js';
