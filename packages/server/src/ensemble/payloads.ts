// The server's payloads inside ZAB messages (ZAB carries them as opaque bytes):
//  - a log entry (the txn of a proposal / commit / inform): txn-log's framed, checksummed entry;
//  - a forwarded client request (learner -> leader): who sent it and the request as sent;
//  - a learner's ping payload: the sessions its clients used since the last ping (ZooKeeper's
//    LearnerSessionTracker touch table), so the leader keeps them alive.
// Every payload starts with a version byte so the format can grow.
import { DecodeError, JuteReader, JuteWriter, type Id } from '@zkts/protocol';
import { encodeEntries, readEntryAt, type LogEntry } from '@zkts/txn-log';
import type { ForwardedRequest } from '../zk-server.js';

export const PAYLOAD_VERSION = 1;
/** Most auth ids a forwarded request may carry (a connection has a handful). */
export const FORWARDED_AUTH_IDS_MAX = 1024;
/** Most session touches one ping carries; the rest go with the next ping. */
export const PING_TOUCHES_MAX = 100_000;

export function encodeEntry(entry: LogEntry): Uint8Array {
  return encodeEntries([entry]);
}

export function decodeEntry(data: Uint8Array): LogEntry {
  const read = readEntryAt(data, 0);
  if (read.kind !== 'entry') throw new DecodeError(`bad log entry in a ZAB message: ${read.kind === 'bad' ? read.reason : 'empty'}`);
  return read.entry;
}

function version(r: JuteReader, what: string): void {
  const v = r.byte();
  if (v !== PAYLOAD_VERSION) throw new DecodeError(`${what}: payload version ${v}, expected ${PAYLOAD_VERSION}`);
}

/** Forwarded request: version, sessionId, timeoutMs (-1: none), auth ids, request bytes. */
export function encodeForwarded(req: ForwardedRequest): Uint8Array {
  if (req.authIds.length > FORWARDED_AUTH_IDS_MAX) throw new RangeError(`forwarded request carries ${req.authIds.length} auth ids, more than ${FORWARDED_AUTH_IDS_MAX}`);
  const w = new JuteWriter(32 + req.payload.length);
  w.byte(PAYLOAD_VERSION);
  w.long(req.sessionId);
  w.int(req.timeoutMs ?? -1);
  w.int(req.authIds.length);
  for (const id of req.authIds) {
    w.string(id.scheme);
    w.string(id.id);
  }
  w.buffer(req.payload);
  return w.toBuffer();
}

export function decodeForwarded(data: Uint8Array): ForwardedRequest {
  const r = new JuteReader(data);
  version(r, 'forwarded request');
  const sessionId = r.longBig();
  const timeoutMs = r.int();
  const count = r.int();
  if (count < 0 || count > FORWARDED_AUTH_IDS_MAX) throw new DecodeError(`forwarded request: ${count} auth ids is outside 0..${FORWARDED_AUTH_IDS_MAX}`);
  const authIds: Id[] = [];
  for (let i = 0; i < count; i++) authIds.push({ scheme: r.string() ?? '', id: r.string() ?? '' });
  const payload = r.buffer() ?? new Uint8Array(0);
  return { sessionId, payload, authIds, timeoutMs: timeoutMs < 0 ? undefined : timeoutMs };
}

export interface SessionTouch {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
}

/** Ping payload: version, count, (sessionId, timeoutMs)*. */
export function encodeTouches(touches: readonly SessionTouch[]): Uint8Array {
  if (touches.length > PING_TOUCHES_MAX) throw new RangeError(`${touches.length} session touches in one ping, more than ${PING_TOUCHES_MAX}`);
  const w = new JuteWriter(8 + touches.length * 12);
  w.byte(PAYLOAD_VERSION);
  w.int(touches.length);
  for (const t of touches) {
    w.long(t.sessionId);
    w.int(t.timeoutMs);
  }
  return w.toBuffer();
}

export function decodeTouches(data: Uint8Array): SessionTouch[] {
  const r = new JuteReader(data);
  version(r, 'ping payload');
  const count = r.int();
  if (count < 0 || count > PING_TOUCHES_MAX) throw new DecodeError(`ping payload: ${count} touches is outside 0..${PING_TOUCHES_MAX}`);
  const out: SessionTouch[] = [];
  for (let i = 0; i < count; i++) out.push({ sessionId: r.longBig(), timeoutMs: r.int() });
  return out;
}
