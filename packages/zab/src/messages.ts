// The peer-to-peer messages of ZAB 1.0 (ZooKeeper's Leader.* packet types), as a typed union.
// `attempt` stands in for ZooKeeper's TCP connection: a learner numbers each attempt to join a
// leader, the leader echoes it in LEADERINFO, and the learner ignores everything from its leader
// until the LEADERINFO of its current attempt arrives (per-link FIFO puts stale traffic first).
import type { Zxid } from './zxid.js';

/** Learner -> leader, first message of a follower's attempt. */
export interface FollowerInfoMessage { readonly type: 'followerInfo'; readonly attempt: number; readonly acceptedEpoch: number; readonly lastZxid: Zxid }
/** Learner -> leader, first message of an observer's attempt. */
export interface ObserverInfoMessage { readonly type: 'observerInfo'; readonly attempt: number; readonly acceptedEpoch: number; readonly lastZxid: Zxid }
/**
 * Reply to a FOLLOWERINFO / OBSERVERINFO from a peer that is not leading (it follows or observes
 * someone): the learner looks again at once instead of waiting initLimit (issue 5, the straggler).
 * `attempt` echoes the learner's attempt.
 */
export interface NotLeaderMessage { readonly type: 'notLeader'; readonly attempt: number }
/** Leader -> learner: the proposed new epoch. */
export interface LeaderInfoMessage { readonly type: 'leaderInfo'; readonly attempt: number; readonly epoch: number }
/** Learner -> leader: epoch accepted; `epochAlreadyAccepted` = it had accepted it before (not counted). */
export interface AckEpochMessage {
  readonly type: 'ackEpoch';
  readonly currentEpoch: number;
  readonly lastZxid: Zxid;
  readonly epochAlreadyAccepted: boolean;
  /** The learner cannot rebuild its state below this zxid (its oldest snapshot): TRUNC below it becomes SNAP. */
  readonly truncFloorZxid: Zxid;
}
/** Leader -> learner: sync by sending what you miss after your last zxid. */
export interface DiffMessage { readonly type: 'diff'; readonly zxid: Zxid }
/** Leader -> learner: drop your log after `zxid` (and rebuild state to it), then diff. */
export interface TruncMessage { readonly type: 'trunc'; readonly zxid: Zxid }
/** Leader -> learner: install the state at `zxid`. The core leaves `data` out; the runtime fills it in. */
export interface SnapMessage { readonly type: 'snap'; readonly zxid: Zxid; readonly data?: Uint8Array | undefined }
/** `prevZxid`: the entry before this one in the leader's log (lets a learner notice a lost message). */
export interface ProposalMessage { readonly type: 'proposal'; readonly zxid: Zxid; readonly prevZxid: Zxid; readonly data: Uint8Array }
/** Commits every entry up to and including `zxid`. */
export interface CommitMessage { readonly type: 'commit'; readonly zxid: Zxid }
/** Leader -> observer: a committed entry. */
export interface InformMessage { readonly type: 'inform'; readonly zxid: Zxid; readonly prevZxid: Zxid; readonly data: Uint8Array }
/** `lastZxid`: the last entry the leader sent in this sync: the learner must hold exactly that much. */
export interface NewLeaderMessage { readonly type: 'newLeader'; readonly epoch: number; readonly lastZxid: Zxid }
/** Learner -> leader: persisted `zxid` (a proposal), or makeZxid(epoch, 0) for NEWLEADER. */
export interface AckMessage { readonly type: 'ack'; readonly zxid: Zxid }
export interface UpToDateMessage { readonly type: 'upToDate' }
/**
 * Both ways; the payload is the runtime's (session touches). From the leader: the last zxid it sent
 * this learner and its last committed zxid (0 before it is established); from a learner: its last
 * logged and last committed zxids. On a lossless FIFO link they tell nothing new; they let a peer
 * notice a lost message (a learner missing proposals goes back to looking; a lost COMMIT or ACK is
 * covered by the next ping).
 */
export interface PingMessage {
  readonly type: 'ping';
  readonly lastZxid: Zxid;
  readonly committedZxid: Zxid;
  readonly payload?: Uint8Array | undefined;
}
/** Learner -> leader: a forwarded client request. */
export interface RequestMessage { readonly type: 'request'; readonly data: Uint8Array }
/** Learner -> leader: sync request `id`. */
export interface SyncMessage { readonly type: 'sync'; readonly id: number }
/** Leader -> learner: everything proposed before sync `id` arrived is committed (and sent). */
export interface SyncDoneMessage { readonly type: 'syncDone'; readonly id: number }

export type ZabMessage =
  | FollowerInfoMessage
  | ObserverInfoMessage
  | LeaderInfoMessage
  | NotLeaderMessage
  | AckEpochMessage
  | DiffMessage
  | TruncMessage
  | SnapMessage
  | ProposalMessage
  | CommitMessage
  | InformMessage
  | NewLeaderMessage
  | AckMessage
  | UpToDateMessage
  | PingMessage
  | RequestMessage
  | SyncMessage
  | SyncDoneMessage;

export type ZabMessageType = ZabMessage['type'];
