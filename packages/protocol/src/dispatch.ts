// Which record follows a RequestHeader or ReplyHeader, by opcode, and whole-frame helpers.
// The reply table mirrors what ZooKeeper's FinalRequestProcessor sends for each opcode.
import { OpCode, Xid } from './constants.js';
import { type Codec, JuteReader, type JuteWriter } from './jute.js';
import { MultiRequest, MultiResponse } from './multi.js';
import {
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  CheckWatchesRequest,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  ExistsRequest,
  ExistsResponse,
  GetACLRequest,
  GetACLResponse,
  GetAllChildrenNumberRequest,
  GetAllChildrenNumberResponse,
  GetChildren2Request,
  GetChildren2Response,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  GetSASLRequest,
  ReconfigRequest,
  RemoveWatchesRequest,
  ReplyHeader,
  RequestHeader,
  SetACLRequest,
  SetACLResponse,
  SetDataRequest,
  SetDataResponse,
  SetSASLResponse,
  SetWatches,
  SetWatches2,
  SyncRequest,
  SyncResponse,
  WatcherEvent,
  WhoAmIResponse,
} from './records.js';

/** The request record of each opcode; opcodes missing here have an empty body. */
export interface RequestByOp {
  [OpCode.create]: CreateRequest;
  [OpCode.create2]: CreateRequest;
  [OpCode.createContainer]: CreateRequest;
  [OpCode.createTTL]: CreateTTLRequest;
  [OpCode.delete]: DeleteRequest;
  [OpCode.exists]: ExistsRequest;
  [OpCode.getData]: GetDataRequest;
  [OpCode.setData]: SetDataRequest;
  [OpCode.getACL]: GetACLRequest;
  [OpCode.setACL]: SetACLRequest;
  [OpCode.getChildren]: GetChildrenRequest;
  [OpCode.sync]: SyncRequest;
  [OpCode.getChildren2]: GetChildren2Request;
  [OpCode.check]: CheckVersionRequest;
  [OpCode.multi]: MultiRequest;
  [OpCode.multiRead]: MultiRequest;
  [OpCode.reconfig]: ReconfigRequest;
  [OpCode.checkWatches]: CheckWatchesRequest;
  [OpCode.removeWatches]: RemoveWatchesRequest;
  [OpCode.auth]: AuthPacket;
  [OpCode.setWatches]: SetWatches;
  [OpCode.sasl]: GetSASLRequest;
  [OpCode.getEphemerals]: GetEphemeralsRequest;
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberRequest;
  [OpCode.setWatches2]: SetWatches2;
  [OpCode.addWatch]: AddWatchRequest;
}

/** The success reply record of each opcode; opcodes missing here reply with the header only. */
export interface ResponseByOp {
  [OpCode.create]: CreateResponse;
  [OpCode.create2]: Create2Response;
  [OpCode.createContainer]: Create2Response;
  [OpCode.createTTL]: Create2Response;
  [OpCode.exists]: ExistsResponse;
  [OpCode.getData]: GetDataResponse;
  [OpCode.setData]: SetDataResponse;
  [OpCode.getACL]: GetACLResponse;
  [OpCode.setACL]: SetACLResponse;
  [OpCode.getChildren]: GetChildrenResponse;
  [OpCode.sync]: SyncResponse;
  [OpCode.getChildren2]: GetChildren2Response;
  [OpCode.multi]: MultiResponse;
  [OpCode.multiRead]: MultiResponse;
  [OpCode.reconfig]: GetDataResponse;
  [OpCode.sasl]: SetSASLResponse;
  [OpCode.getEphemerals]: GetEphemeralsResponse;
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberResponse;
  [OpCode.addWatch]: ErrorResponse;
  [OpCode.whoAmI]: WhoAmIResponse;
}

export type RequestOf<Op extends number> = Op extends keyof RequestByOp ? RequestByOp[Op] : undefined;
export type ResponseOf<Op extends number> = Op extends keyof ResponseByOp ? ResponseByOp[Op] : undefined;

const REQUEST_CODECS: { readonly [K in keyof RequestByOp]: Codec<RequestByOp[K]> } = {
  [OpCode.create]: CreateRequest,
  [OpCode.create2]: CreateRequest,
  [OpCode.createContainer]: CreateRequest,
  [OpCode.createTTL]: CreateTTLRequest,
  [OpCode.delete]: DeleteRequest,
  [OpCode.exists]: ExistsRequest,
  [OpCode.getData]: GetDataRequest,
  [OpCode.setData]: SetDataRequest,
  [OpCode.getACL]: GetACLRequest,
  [OpCode.setACL]: SetACLRequest,
  [OpCode.getChildren]: GetChildrenRequest,
  [OpCode.sync]: SyncRequest,
  [OpCode.getChildren2]: GetChildren2Request,
  [OpCode.check]: CheckVersionRequest,
  [OpCode.multi]: MultiRequest,
  [OpCode.multiRead]: MultiRequest,
  [OpCode.reconfig]: ReconfigRequest,
  [OpCode.checkWatches]: CheckWatchesRequest,
  [OpCode.removeWatches]: RemoveWatchesRequest,
  [OpCode.auth]: AuthPacket,
  [OpCode.setWatches]: SetWatches,
  [OpCode.sasl]: GetSASLRequest,
  [OpCode.getEphemerals]: GetEphemeralsRequest,
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberRequest,
  [OpCode.setWatches2]: SetWatches2,
  [OpCode.addWatch]: AddWatchRequest,
};

const RESPONSE_CODECS: { readonly [K in keyof ResponseByOp]: Codec<ResponseByOp[K]> } = {
  [OpCode.create]: CreateResponse,
  [OpCode.create2]: Create2Response,
  [OpCode.createContainer]: Create2Response,
  [OpCode.createTTL]: Create2Response,
  [OpCode.exists]: ExistsResponse,
  [OpCode.getData]: GetDataResponse,
  [OpCode.setData]: SetDataResponse,
  [OpCode.getACL]: GetACLResponse,
  [OpCode.setACL]: SetACLResponse,
  [OpCode.getChildren]: GetChildrenResponse,
  [OpCode.sync]: SyncResponse,
  [OpCode.getChildren2]: GetChildren2Response,
  [OpCode.multi]: MultiResponse,
  [OpCode.multiRead]: MultiResponse,
  [OpCode.reconfig]: GetDataResponse,
  [OpCode.sasl]: SetSASLResponse,
  [OpCode.getEphemerals]: GetEphemeralsResponse,
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberResponse,
  [OpCode.addWatch]: ErrorResponse,
  [OpCode.whoAmI]: WhoAmIResponse,
};

/** The record that follows a RequestHeader of opcode `op`, or undefined (empty body / unknown). */
export function requestCodec<Op extends number>(op: Op): Codec<RequestOf<Op>> | undefined {
  return Object.hasOwn(REQUEST_CODECS, op)
    ? (REQUEST_CODECS[op as keyof RequestByOp] as unknown as Codec<RequestOf<Op>>)
    : undefined;
}

/** The record that follows a successful ReplyHeader for opcode `op`, or undefined. */
export function responseCodec<Op extends number>(op: Op): Codec<ResponseOf<Op>> | undefined {
  return Object.hasOwn(RESPONSE_CODECS, op)
    ? (RESPONSE_CODECS[op as keyof ResponseByOp] as unknown as Codec<ResponseOf<Op>>)
    : undefined;
}

/** Writes one length-prefixed frame holding `value`. */
export function encodeFrame<T>(w: JuteWriter, codec: Codec<T>, value: T): void {
  w.beginFrame();
  codec.encode(w, value);
  w.endFrame();
}

/** Writes a whole request frame: length, RequestHeader, then the opcode's record if it has one. */
export function encodeRequest(w: JuteWriter, header: RequestHeader, body?: unknown): void {
  const codec = requestCodec(header.type) as Codec<unknown> | undefined;
  if (codec !== undefined && body === undefined) {
    throw new TypeError(`encodeRequest: opcode ${header.type} needs a request body`);
  }
  w.beginFrame();
  RequestHeader.encode(w, header);
  if (codec !== undefined) codec.encode(w, body);
  w.endFrame();
}

export interface DecodedRequest {
  header: RequestHeader;
  /** The opcode's record; undefined for empty-bodied and unknown opcodes. */
  body: unknown;
}

/** Reads a request frame's payload (the bytes after the length). Unknown opcodes are not errors. */
export function decodeRequest(payload: Uint8Array): DecodedRequest {
  const r = new JuteReader(payload);
  const header = RequestHeader.decode(r);
  const codec = requestCodec(header.type) as Codec<unknown> | undefined;
  return { header, body: codec === undefined ? undefined : codec.decode(r) };
}

/** Writes a whole reply frame; the body goes out only on success, as ZooKeeper does. */
export function encodeReply(w: JuteWriter, header: ReplyHeader, op: number, body?: unknown): void {
  const codec = header.xid === Xid.notification ? WatcherEvent : responseCodec(op);
  w.beginFrame();
  ReplyHeader.encode(w, header);
  if (header.err === 0 && codec !== undefined) {
    if (body === undefined) throw new TypeError(`encodeReply: opcode ${op} needs a reply body`);
    codec.encode(w, body as never);
  }
  w.endFrame();
}

/** Writes a watch notification frame (xid -1, zxid -1, err 0, WatcherEvent). */
export function encodeNotification(w: JuteWriter, event: WatcherEvent): void {
  encodeReply(w, { xid: Xid.notification, zxid: -1, err: 0 }, OpCode.notification, event);
}

export interface DecodedReply {
  header: ReplyHeader;
  /** The opcode the reply answers, when known (notification for xid -1). */
  op: number | undefined;
  /** The reply record: a WatcherEvent on xid -1, undefined on errors and empty bodies. */
  body: unknown;
}

/**
 * Reads a reply frame's payload. `opForXid` tells which opcode an xid was sent with; the reserved
 * xids (notification, ping, auth, setWatches) need no lookup.
 */
export function decodeReply(payload: Uint8Array, opForXid: (xid: number) => number | undefined): DecodedReply {
  const r = new JuteReader(payload);
  const header = ReplyHeader.decode(r);
  switch (header.xid) {
    case Xid.notification:
      return { header, op: OpCode.notification, body: WatcherEvent.decode(r) };
    case Xid.ping:
      return { header, op: OpCode.ping, body: undefined };
    case Xid.auth:
      return { header, op: OpCode.auth, body: undefined };
    case Xid.setWatches:
      return { header, op: OpCode.setWatches, body: undefined };
  }
  const op = opForXid(header.xid);
  const codec = op === undefined || header.err !== 0 ? undefined : responseCodec(op);
  return { header, op, body: codec === undefined ? undefined : codec.decode(r) };
}
