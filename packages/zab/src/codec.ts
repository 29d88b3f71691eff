// Versioned binary encoding of ZabMessage for a PeerTransport:
//   u8 version (ZAB_WIRE_VERSION) | u8 type code | fields, big-endian.
// uint53 fields (zxids, epochs, ids) are u32 high + u32 low; byte fields are u32 length + bytes.
// Decoded byte fields are views into the input (no copy).
import { DecodeError } from './errors.js';
import type { ZabMessage, ZabMessageType } from './messages.js';

export const ZAB_WIRE_VERSION = 1;
/** Largest encoded message accepted (a SNAP carries a whole serialized state). */
export const ZAB_MESSAGE_BYTES_MAX = 512 * 1024 * 1024;

const TYPE_CODES: Record<ZabMessageType, number> = {
  followerInfo: 1, observerInfo: 2, leaderInfo: 3, ackEpoch: 4, diff: 5, trunc: 6, snap: 7,
  proposal: 8, commit: 9, inform: 10, newLeader: 11, ack: 12, upToDate: 13, ping: 14,
  request: 15, sync: 16, syncDone: 17, notLeader: 18,
};
const TYPE_BY_CODE = new Map<number, ZabMessageType>(
  Object.entries(TYPE_CODES).map(([t, c]) => [c, t as ZabMessageType]),
);
const TWO_32 = 2 ** 32;
/** uint53 values keep their high word below 2^21. */
const HIGH_WORD_MAX = 2 ** 21 - 1;

class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  u8(v: number): void { this.view.setUint8(this.pos, v); this.pos += 1; }
  u32(v: number): void { this.view.setUint32(this.pos, v); this.pos += 4; }
  uint53(name: string, v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`zab message field ${name}: ${v} is not a non-negative safe integer`);
    this.u32(Math.floor(v / TWO_32));
    this.u32(v % TWO_32);
  }
  bytes(v: Uint8Array): void { this.u32(v.length); this.buf.set(v, this.pos); this.pos += v.length; }
  done(): Uint8Array { return this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos); }
}

class Reader {
  private readonly view: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) throw new DecodeError(`truncated ${what}`, this.pos);
  }
  u8(what: string): number { this.need(1, what); return this.view.getUint8(this.pos++); }
  u32(what: string): number { this.need(4, what); const v = this.view.getUint32(this.pos); this.pos += 4; return v; }
  uint53(what: string): number {
    const at = this.pos;
    const high = this.u32(what);
    const low = this.u32(what);
    if (high > HIGH_WORD_MAX) throw new DecodeError(`${what} out of range`, at);
    return high * TWO_32 + low;
  }
  bool(what: string): boolean {
    const at = this.pos;
    const v = this.u8(what);
    if (v > 1) throw new DecodeError(`${what} is not a boolean (${v})`, at);
    return v === 1;
  }
  bytes(what: string): Uint8Array {
    const at = this.pos;
    const len = this.u32(`${what} length`);
    if (this.pos + len > this.buf.length) throw new DecodeError(`${what} length ${len} runs past the end`, at);
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
  end(): void {
    if (this.pos !== this.buf.length) throw new DecodeError(`${this.buf.length - this.pos} trailing bytes`, this.pos);
  }
}

function bodySize(msg: ZabMessage): number {
  switch (msg.type) {
    case 'followerInfo': case 'observerInfo': return 24;
    case 'leaderInfo': return 16;
    case 'notLeader': return 8;
    case 'ackEpoch': return 25;
    case 'diff': case 'trunc': case 'commit': case 'ack': case 'sync': case 'syncDone': return 8;
    case 'newLeader': return 16;
    case 'snap': return 12 + (msg.data?.length ?? 0);
    case 'proposal': case 'inform': return 20 + msg.data.length;
    case 'upToDate': return 0;
    case 'ping': return 17 + (msg.payload ? 4 + msg.payload.length : 0);
    case 'request': return 4 + msg.data.length;
  }
}

export function encodeZabMessage(msg: ZabMessage): Uint8Array {
  const code = TYPE_CODES[msg.type];
  if (code === undefined) throw new TypeError(`unknown zab message type ${String((msg as { type: unknown }).type)}`);
  const size = 2 + bodySize(msg);
  if (size > ZAB_MESSAGE_BYTES_MAX) throw new RangeError(`zab ${msg.type} message of ${size} bytes exceeds ZAB_MESSAGE_BYTES_MAX (${ZAB_MESSAGE_BYTES_MAX})`);
  const w = new Writer(size);
  w.u8(ZAB_WIRE_VERSION);
  w.u8(code);
  switch (msg.type) {
    case 'followerInfo': case 'observerInfo':
      w.uint53('attempt', msg.attempt); w.uint53('acceptedEpoch', msg.acceptedEpoch); w.uint53('lastZxid', msg.lastZxid); break;
    case 'leaderInfo': w.uint53('attempt', msg.attempt); w.uint53('epoch', msg.epoch); break;
    case 'notLeader': w.uint53('attempt', msg.attempt); break;
    case 'ackEpoch':
      w.uint53('currentEpoch', msg.currentEpoch); w.uint53('lastZxid', msg.lastZxid); w.u8(msg.epochAlreadyAccepted ? 1 : 0);
      w.uint53('truncFloorZxid', msg.truncFloorZxid); break;
    case 'diff': case 'trunc': case 'commit': case 'ack': w.uint53('zxid', msg.zxid); break;
    case 'newLeader': w.uint53('epoch', msg.epoch); w.uint53('lastZxid', msg.lastZxid); break;
    case 'sync': case 'syncDone': w.uint53('id', msg.id); break;
    case 'snap':
      if (!msg.data) throw new TypeError('zab snap message: the runtime must attach the serialized state (data) before encoding');
      w.uint53('zxid', msg.zxid); w.bytes(msg.data); break;
    case 'proposal': case 'inform': w.uint53('zxid', msg.zxid); w.uint53('prevZxid', msg.prevZxid); w.bytes(msg.data); break;
    case 'upToDate': break;
    case 'ping':
      w.uint53('lastZxid', msg.lastZxid);
      w.uint53('committedZxid', msg.committedZxid);
      w.u8(msg.payload ? 1 : 0);
      if (msg.payload) w.bytes(msg.payload);
      break;
    case 'request': w.bytes(msg.data); break;
  }
  return w.done();
}

export interface DecodeOptions {
  /** Reject larger inputs; default ZAB_MESSAGE_BYTES_MAX. */
  readonly bytesMax?: number | undefined;
}

/** Decodes one whole message; any malformed input throws DecodeError. */
export function decodeZabMessage(bytes: Uint8Array, options: DecodeOptions = {}): ZabMessage {
  const bytesMax = options.bytesMax ?? ZAB_MESSAGE_BYTES_MAX;
  if (bytes.length > bytesMax) throw new DecodeError(`${bytes.length} bytes exceed the limit of ${bytesMax}`, 0);
  const r = new Reader(bytes);
  const version = r.u8('version');
  if (version !== ZAB_WIRE_VERSION) throw new DecodeError(`unsupported version ${version} (this build speaks ${ZAB_WIRE_VERSION})`, 0);
  const code = r.u8('type');
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined) throw new DecodeError(`unknown message type ${code}`, 1);
  let msg: ZabMessage;
  switch (type) {
    case 'followerInfo': case 'observerInfo':
      msg = { type, attempt: r.uint53('attempt'), acceptedEpoch: r.uint53('acceptedEpoch'), lastZxid: r.uint53('lastZxid') };
      break;
    case 'leaderInfo': msg = { type, attempt: r.uint53('attempt'), epoch: r.uint53('epoch') }; break;
    case 'notLeader': msg = { type, attempt: r.uint53('attempt') }; break;
    case 'ackEpoch':
      msg = {
        type, currentEpoch: r.uint53('currentEpoch'), lastZxid: r.uint53('lastZxid'),
        epochAlreadyAccepted: r.bool('epochAlreadyAccepted'), truncFloorZxid: r.uint53('truncFloorZxid'),
      };
      break;
    case 'diff': case 'trunc': case 'commit': case 'ack': msg = { type, zxid: r.uint53('zxid') }; break;
    case 'newLeader': msg = { type, epoch: r.uint53('epoch'), lastZxid: r.uint53('lastZxid') }; break;
    case 'sync': case 'syncDone': msg = { type, id: r.uint53('id') }; break;
    case 'snap': msg = { type, zxid: r.uint53('zxid'), data: r.bytes('data') }; break;
    case 'proposal': case 'inform': msg = { type, zxid: r.uint53('zxid'), prevZxid: r.uint53('prevZxid'), data: r.bytes('data') }; break;
    case 'upToDate': msg = { type }; break;
    case 'ping': {
      const lastZxid = r.uint53('lastZxid');
      const committedZxid = r.uint53('committedZxid');
      msg = r.bool('hasPayload') ? { type, lastZxid, committedZxid, payload: r.bytes('payload') } : { type, lastZxid, committedZxid };
      break;
    }
    case 'request': msg = { type, data: r.bytes('data') }; break;
  }
  r.end();
  return msg;
}
