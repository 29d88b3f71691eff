// Election messages and their wire codec. Versioned so a later format can be told apart; every
// field is range-checked on decode, and anything malformed is an ElectionDecodeError.

import { PEER_STATES, type PeerState, type Vote } from './vote.js';

/** FastLeaderElection's notification: the sender's state and its current vote in an election round. */
export interface NotificationMessage {
  readonly type: 'notification';
  readonly state: PeerState;
  /** The sender's logical clock (election instance) when it sent this. */
  readonly electionEpoch: number;
  readonly vote: Vote;
}

/** Basic election: "what is your vote?" for polling round `round` of the asker. */
export interface QueryMessage {
  readonly type: 'query';
  readonly round: number;
}

/** Basic election: the answer to a query, echoing its round. */
export interface AnswerMessage {
  readonly type: 'answer';
  readonly round: number;
  readonly state: PeerState;
  readonly electionEpoch: number;
  readonly vote: Vote;
}

export type ElectionMessage = NotificationMessage | QueryMessage | AnswerMessage;

/** Current wire format version (first byte of every message). */
export const ELECTION_WIRE_VERSION = 1;
/** Largest encoded message accepted; today's messages are at most 43 bytes. */
export const ELECTION_MESSAGE_BYTES_MAX = 256;

const TYPE_CODES = { notification: 1, query: 2, answer: 3 } as const;
const TWO_32 = 2 ** 32;
/** High word bound that keeps a 64-bit field an exact JavaScript number. */
const HIGH_WORD_LIMIT = 2 ** 21;

/** Bytes that are not a valid election message. */
export class ElectionDecodeError extends Error {
  override readonly name = 'ElectionDecodeError';
}

export function encodeElectionMessage(msg: ElectionMessage): Uint8Array {
  const bytes = new Uint8Array(msg.type === 'query' ? 10 : msg.type === 'notification' ? 35 : 43);
  const view = new DataView(bytes.buffer);
  let at = 0;
  const u8 = (v: number) => { view.setUint8(at, v); at += 1; };
  const i64 = (field: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < -1) throw new RangeError(`election message field ${field}: ${v} is not a safe integer >= -1`);
    const high = Math.floor(v / TWO_32);
    view.setInt32(at, high);
    view.setUint32(at + 4, v - high * TWO_32);
    at += 8;
  };
  const state = (s: PeerState) => {
    const code = PEER_STATES.indexOf(s);
    if (code < 0) throw new RangeError(`election message field state: unknown state '${String(s)}'`);
    u8(code);
  };
  const vote = (v: Vote) => { i64('vote.leader', v.leader); i64('vote.zxid', v.zxid); i64('vote.peerEpoch', v.peerEpoch); };
  u8(ELECTION_WIRE_VERSION);
  u8(TYPE_CODES[msg.type]);
  switch (msg.type) {
    case 'notification': state(msg.state); i64('electionEpoch', msg.electionEpoch); vote(msg.vote); break;
    case 'query': i64('round', msg.round); break;
    case 'answer': i64('round', msg.round); state(msg.state); i64('electionEpoch', msg.electionEpoch); vote(msg.vote); break;
    default: throw new RangeError(`election message: unknown type '${String((msg as { type: unknown }).type)}'`);
  }
  return bytes;
}

export function decodeElectionMessage(bytes: Uint8Array): ElectionMessage {
  if (!(bytes instanceof Uint8Array)) throw new ElectionDecodeError('election message: expected bytes');
  if (bytes.length > ELECTION_MESSAGE_BYTES_MAX) {
    throw new ElectionDecodeError(`election message: ${bytes.length} bytes exceeds ELECTION_MESSAGE_BYTES_MAX ${ELECTION_MESSAGE_BYTES_MAX}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number, field: string) => {
    if (at + n > bytes.length) throw new ElectionDecodeError(`election message: truncated at ${field} (offset ${at}, length ${bytes.length})`);
  };
  const u8 = (field: string) => { need(1, field); const v = view.getUint8(at); at += 1; return v; };
  const i64 = (field: string, min: number) => {
    need(8, field);
    const high = view.getInt32(at);
    const low = view.getUint32(at + 4);
    at += 8;
    if (high >= HIGH_WORD_LIMIT || high < -HIGH_WORD_LIMIT) throw new ElectionDecodeError(`election message: field ${field} out of range`);
    const v = high * TWO_32 + low;
    if (!Number.isSafeInteger(v) || v < min) throw new ElectionDecodeError(`election message: field ${field} = ${v} below ${min}`);
    return v;
  };
  const state = (): PeerState => {
    const code = u8('state');
    const s = PEER_STATES[code];
    if (s === undefined) throw new ElectionDecodeError(`election message: unknown state code ${code}`);
    return s;
  };
  // An observer's opening vote is NO_VOTE (-1 in every field), so votes admit -1.
  const vote = (): Vote => ({ leader: i64('vote.leader', -1), zxid: i64('vote.zxid', -1), peerEpoch: i64('vote.peerEpoch', -1) });

  const version = u8('version');
  if (version !== ELECTION_WIRE_VERSION) throw new ElectionDecodeError(`election message: unsupported version ${version}`);
  const typeCode = u8('type');
  let msg: ElectionMessage;
  switch (typeCode) {
    case TYPE_CODES.notification: {
      const s = state();
      const electionEpoch = i64('electionEpoch', 0);
      msg = { type: 'notification', state: s, electionEpoch, vote: vote() };
      break;
    }
    case TYPE_CODES.query:
      msg = { type: 'query', round: i64('round', 0) };
      break;
    case TYPE_CODES.answer: {
      const round = i64('round', 0);
      const s = state();
      const electionEpoch = i64('electionEpoch', 0);
      msg = { type: 'answer', round, state: s, electionEpoch, vote: vote() };
      break;
    }
    default:
      throw new ElectionDecodeError(`election message: unknown type code ${typeCode}`);
  }
  if (at !== bytes.length) throw new ElectionDecodeError(`election message: ${bytes.length - at} trailing bytes`);
  return msg;
}
