import { describe, expect, it } from 'vitest';
import { ErrorCode, EventType, KeeperState, OpCode, Xid } from './constants.js';
import {
  decodeReply,
  decodeRequest,
  encodeNotification,
  encodeReply,
  encodeRequest,
  requestCodec,
  responseCodec,
} from './dispatch.js';
import { FrameDecoder } from './frame.js';
import { JuteWriter } from './jute.js';
import { CreateRequest, Create2Response, ErrorResponse, GetDataResponse } from './records.js';
import { OPEN_ACL_UNSAFE, type Stat } from './types.js';

const stat: Stat = {
  czxid: 5, mzxid: 6, ctime: 1700000000000, mtime: 1700000000001, version: 1, cversion: 0, aversion: 0,
  ephemeralOwner: 0n, dataLength: 3, numChildren: 0, pzxid: 5,
};
const payloads = (w: JuteWriter) => new FrameDecoder().push(w.toBuffer());

describe('codec tables', () => {
  it('map opcodes to the records ZooKeeper uses', () => {
    expect(requestCodec(OpCode.create2)).toBe(CreateRequest);
    expect(requestCodec(OpCode.createContainer)).toBe(CreateRequest);
    expect(responseCodec(OpCode.createTTL)).toBe(Create2Response);
    expect(responseCodec(OpCode.reconfig)).toBe(GetDataResponse);
    expect(responseCodec(OpCode.addWatch)).toBe(ErrorResponse);
  });
  it('have no record for empty bodies and unknown opcodes', () => {
    for (const op of [OpCode.ping, OpCode.closeSession, OpCode.whoAmI, 9999]) expect(requestCodec(op)).toBeUndefined();
    for (const op of [OpCode.delete, OpCode.check, OpCode.setWatches, OpCode.ping, OpCode.auth, 9999]) {
      expect(responseCodec(op)).toBeUndefined();
    }
    expect(requestCodec('toString' as unknown as number)).toBeUndefined();
  });
});

describe('requests', () => {
  it('encode as whole frames and decode back', () => {
    const w = new JuteWriter();
    const body = { path: '/a', data: Buffer.from('xyz'), acl: [...OPEN_ACL_UNSAFE], flags: 0 };
    encodeRequest(w, { xid: 1, type: OpCode.create }, body);
    encodeRequest(w, { xid: Xid.ping, type: OpCode.ping });
    const [create, ping] = payloads(w);
    expect(decodeRequest(create!)).toEqual({ header: { xid: 1, type: OpCode.create }, body: { ...body, data: expect.anything() } });
    expect(decodeRequest(ping!)).toEqual({ header: { xid: -2, type: OpCode.ping }, body: undefined });
  });
  it('an unknown opcode decodes with an undefined body instead of throwing', () => {
    const w = new JuteWriter();
    encodeRequest(w, { xid: 3, type: 4242 });
    w.int(99); // stray bytes after the header are not read
    expect(decodeRequest(w.toBuffer().subarray(4))).toEqual({ header: { xid: 3, type: 4242 }, body: undefined });
  });
  it('refuse to encode an opcode that needs a body without one', () => {
    expect(() => encodeRequest(new JuteWriter(), { xid: 1, type: OpCode.getData })).toThrow(TypeError);
  });
});

describe('replies', () => {
  it('carry the body only on success', () => {
    const w = new JuteWriter();
    encodeReply(w, { xid: 7, zxid: 9, err: 0 }, OpCode.getData, { data: Buffer.from('abc'), stat });
    encodeReply(w, { xid: 8, zxid: 9, err: ErrorCode.noNode }, OpCode.getData, { data: null, stat });
    const [ok, failed] = payloads(w);
    expect(failed).toHaveLength(16);
    const ops = new Map([[7, OpCode.getData], [8, OpCode.getData]]);
    const decoded = decodeReply(ok!, (xid) => ops.get(xid));
    expect(decoded.op).toBe(OpCode.getData);
    expect((decoded.body as GetDataResponse).stat).toEqual(stat);
    expect(decodeReply(failed!, (xid) => ops.get(xid))).toEqual({ header: { xid: 8, zxid: 9, err: -101 }, op: OpCode.getData, body: undefined });
  });
  it('decode notifications, pings, auth and setWatches replies without a lookup', () => {
    const w = new JuteWriter();
    encodeNotification(w, { type: EventType.nodeCreated, state: KeeperState.syncConnected, path: '/n' });
    encodeReply(w, { xid: Xid.ping, zxid: 3, err: 0 }, OpCode.ping);
    encodeReply(w, { xid: Xid.auth, zxid: 0, err: ErrorCode.authFailed }, OpCode.auth);
    encodeReply(w, { xid: Xid.setWatches, zxid: 3, err: 0 }, OpCode.setWatches);
    const lookup = () => {
      throw new Error('reserved xids need no lookup');
    };
    const [event, ping, auth, setWatches] = payloads(w).map((p) => decodeReply(p, lookup));
    expect(event).toEqual({
      header: { xid: -1, zxid: -1, err: 0 },
      op: OpCode.notification,
      body: { type: EventType.nodeCreated, state: KeeperState.syncConnected, path: '/n' },
    });
    expect(ping!.op).toBe(OpCode.ping);
    expect(auth).toEqual({ header: { xid: -4, zxid: 0, err: -115 }, op: OpCode.auth, body: undefined });
    expect(setWatches!.op).toBe(OpCode.setWatches);
  });
  it('an xid nobody asked about decodes with no op and no body', () => {
    const w = new JuteWriter();
    encodeReply(w, { xid: 44, zxid: 1, err: 0 }, OpCode.delete);
    expect(decodeReply(payloads(w)[0]!, () => undefined)).toEqual({ header: { xid: 44, zxid: 1, err: 0 }, op: undefined, body: undefined });
  });
});
