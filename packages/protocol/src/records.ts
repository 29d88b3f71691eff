// The client-port records of zookeeper.jute (module org.apache.zookeeper.proto), each an
// interface plus a same-named Codec. Field order is the wire order.
import type { Codec } from './jute.js';
import {
  type ACL,
  ClientInfo,
  Stat,
  readAcl,
  readStrings,
  readText,
  writeAcl,
  writeStrings,
} from './types.js';

const EMPTY_BYTES = new Uint8Array(0);

// ---- session handshake -------------------------------------------------------------------

/**
 * The first frame a client sends (it has no RequestHeader). `readOnly` is a trailing byte that
 * clients since 3.3 append; it is decoded only when a byte remains and encoded only when defined.
 * A null passwd on the wire reads as an empty array.
 */
export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  readOnly?: boolean | undefined;
}
export const ConnectRequest: Codec<ConnectRequest> = {
  encode(w, v) {
    w.int(v.protocolVersion);
    w.long(v.lastZxidSeen);
    w.int(v.timeOut);
    w.long(v.sessionId);
    w.buffer(v.passwd);
    if (v.readOnly !== undefined) w.bool(v.readOnly);
  },
  decode(r) {
    const v: ConnectRequest = {
      protocolVersion: r.int(),
      lastZxidSeen: r.long(),
      timeOut: r.int(),
      sessionId: r.longBig(),
      passwd: r.buffer() ?? EMPTY_BYTES,
    };
    if (r.remaining > 0) v.readOnly = r.bool();
    return v;
  },
};

/** The server's answer to ConnectRequest; `readOnly` trails as in the request. */
export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  readOnly?: boolean | undefined;
}
export const ConnectResponse: Codec<ConnectResponse> = {
  encode(w, v) {
    w.int(v.protocolVersion);
    w.int(v.timeOut);
    w.long(v.sessionId);
    w.buffer(v.passwd);
    if (v.readOnly !== undefined) w.bool(v.readOnly);
  },
  decode(r) {
    const v: ConnectResponse = {
      protocolVersion: r.int(),
      timeOut: r.int(),
      sessionId: r.longBig(),
      passwd: r.buffer() ?? EMPTY_BYTES,
    };
    if (r.remaining > 0) v.readOnly = r.bool();
    return v;
  },
};

// ---- headers -----------------------------------------------------------------------------

export interface RequestHeader {
  xid: number;
  type: number;
}
export const RequestHeader: Codec<RequestHeader> = {
  encode(w, v) {
    w.int(v.xid);
    w.int(v.type);
  },
  decode: (r) => ({ xid: r.int(), type: r.int() }),
};

export interface ReplyHeader {
  xid: number;
  zxid: number;
  err: number;
}
export const ReplyHeader: Codec<ReplyHeader> = {
  encode(w, v) {
    w.int(v.xid);
    w.long(v.zxid);
    w.int(v.err);
  },
  decode: (r) => ({ xid: r.int(), zxid: r.long(), err: r.int() }),
};

/** Precedes each op and each result inside multi requests and responses. */
export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}
export const MultiHeader: Codec<MultiHeader> = {
  encode(w, v) {
    w.int(v.type);
    w.bool(v.done);
    w.int(v.err);
  },
  decode: (r) => ({ type: r.int(), done: r.bool(), err: r.int() }),
};

// ---- records made of one path (plus a flag or number) ------------------------------------

/** Builds the codec of a record that holds only a path. */
function pathOnly<K extends string>(key: K): Codec<Record<K, string>> {
  return {
    encode(w, v) {
      w.string(v[key]);
    },
    decode: (r) => ({ [key]: readText(r) }) as Record<K, string>,
  };
}
/** Builds the codec of a record {path, <boolean>}. */
function pathAndBool<K extends string>(key: K): Codec<{ path: string } & Record<K, boolean>> {
  return {
    encode(w, v) {
      w.string(v.path);
      w.bool(v[key]);
    },
    decode: (r) => ({ path: readText(r), [key]: r.bool() }) as { path: string } & Record<K, boolean>,
  };
}
/** Builds the codec of a record {path, <int>}. */
function pathAndInt<K extends string>(key: K): Codec<{ path: string } & Record<K, number>> {
  return {
    encode(w, v) {
      w.string(v.path);
      w.int(v[key]);
    },
    decode: (r) => ({ path: readText(r), [key]: r.int() }) as { path: string } & Record<K, number>,
  };
}
/** Builds the codec of a record that holds only a Stat. */
function statOnly(): Codec<{ stat: Stat }> {
  return { encode: (w, v) => Stat.encode(w, v.stat), decode: (r) => ({ stat: Stat.decode(r) }) };
}
/** Builds the codec of a record that holds only a buffer. */
function bytesOnly<K extends string>(key: K): Codec<Record<K, Uint8Array | null>> {
  return {
    encode(w, v) {
      w.buffer(v[key]);
    },
    decode: (r) => ({ [key]: r.buffer() }) as Record<K, Uint8Array | null>,
  };
}

export interface ExistsRequest { path: string; watch: boolean }
export const ExistsRequest: Codec<ExistsRequest> = pathAndBool('watch');
export interface GetDataRequest { path: string; watch: boolean }
export const GetDataRequest: Codec<GetDataRequest> = pathAndBool('watch');
export interface GetChildrenRequest { path: string; watch: boolean }
export const GetChildrenRequest: Codec<GetChildrenRequest> = pathAndBool('watch');
export interface GetChildren2Request { path: string; watch: boolean }
export const GetChildren2Request: Codec<GetChildren2Request> = pathAndBool('watch');

export interface DeleteRequest { path: string; version: number }
export const DeleteRequest: Codec<DeleteRequest> = pathAndInt('version');
export interface CheckVersionRequest { path: string; version: number }
export const CheckVersionRequest: Codec<CheckVersionRequest> = pathAndInt('version');
export interface AddWatchRequest { path: string; mode: number }
export const AddWatchRequest: Codec<AddWatchRequest> = pathAndInt('mode');
export interface CheckWatchesRequest { path: string; type: number }
export const CheckWatchesRequest: Codec<CheckWatchesRequest> = pathAndInt('type');
export interface RemoveWatchesRequest { path: string; type: number }
export const RemoveWatchesRequest: Codec<RemoveWatchesRequest> = pathAndInt('type');

export interface GetACLRequest { path: string }
export const GetACLRequest: Codec<GetACLRequest> = pathOnly('path');
export interface SyncRequest { path: string }
export const SyncRequest: Codec<SyncRequest> = pathOnly('path');
export interface SyncResponse { path: string }
export const SyncResponse: Codec<SyncResponse> = pathOnly('path');
export interface CreateResponse { path: string }
export const CreateResponse: Codec<CreateResponse> = pathOnly('path');
export interface GetAllChildrenNumberRequest { path: string }
export const GetAllChildrenNumberRequest: Codec<GetAllChildrenNumberRequest> = pathOnly('path');
export interface GetEphemeralsRequest { prefixPath: string }
export const GetEphemeralsRequest: Codec<GetEphemeralsRequest> = pathOnly('prefixPath');

export interface ExistsResponse { stat: Stat }
export const ExistsResponse: Codec<ExistsResponse> = statOnly();
export interface SetDataResponse { stat: Stat }
export const SetDataResponse: Codec<SetDataResponse> = statOnly();
export interface SetACLResponse { stat: Stat }
export const SetACLResponse: Codec<SetACLResponse> = statOnly();

/** SASL token exchange (opcode sasl): the request is GetSASLRequest, the reply SetSASLResponse. */
export interface GetSASLRequest { token: Uint8Array | null }
export const GetSASLRequest: Codec<GetSASLRequest> = bytesOnly('token');
export interface SetSASLResponse { token: Uint8Array | null }
export const SetSASLResponse: Codec<SetSASLResponse> = bytesOnly('token');

// ---- writes ------------------------------------------------------------------------------

export interface CreateRequest {
  path: string;
  data: Uint8Array | null;
  acl: ACL[];
  flags: number;
}
export const CreateRequest: Codec<CreateRequest> = {
  encode(w, v) {
    w.string(v.path);
    w.buffer(v.data);
    writeAcl(w, v.acl);
    w.int(v.flags);
  },
  decode: (r) => ({ path: readText(r), data: r.buffer(), acl: readAcl(r), flags: r.int() }),
};

export interface CreateTTLRequest extends CreateRequest {
  ttl: number;
}
export const CreateTTLRequest: Codec<CreateTTLRequest> = {
  encode(w, v) {
    CreateRequest.encode(w, v);
    w.long(v.ttl);
  },
  decode(r) {
    const base = CreateRequest.decode(r);
    return { ...base, ttl: r.long() };
  },
};

export interface Create2Response {
  path: string;
  stat: Stat;
}
export const Create2Response: Codec<Create2Response> = {
  encode(w, v) {
    w.string(v.path);
    Stat.encode(w, v.stat);
  },
  decode: (r) => ({ path: readText(r), stat: Stat.decode(r) }),
};

export interface SetDataRequest {
  path: string;
  data: Uint8Array | null;
  version: number;
}
export const SetDataRequest: Codec<SetDataRequest> = {
  encode(w, v) {
    w.string(v.path);
    w.buffer(v.data);
    w.int(v.version);
  },
  decode: (r) => ({ path: readText(r), data: r.buffer(), version: r.int() }),
};

export interface SetACLRequest {
  path: string;
  acl: ACL[];
  version: number;
}
export const SetACLRequest: Codec<SetACLRequest> = {
  encode(w, v) {
    w.string(v.path);
    writeAcl(w, v.acl);
    w.int(v.version);
  },
  decode: (r) => ({ path: readText(r), acl: readAcl(r), version: r.int() }),
};

/** Dynamic reconfiguration; unset member lists travel as null. curConfigId -1 means "any". */
export interface ReconfigRequest {
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: number;
}
export const ReconfigRequest: Codec<ReconfigRequest> = {
  encode(w, v) {
    w.string(v.joiningServers);
    w.string(v.leavingServers);
    w.string(v.newMembers);
    w.long(v.curConfigId);
  },
  decode: (r) => ({
    joiningServers: r.string(),
    leavingServers: r.string(),
    newMembers: r.string(),
    curConfigId: r.long(),
  }),
};

// ---- read responses ----------------------------------------------------------------------

export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}
export const GetDataResponse: Codec<GetDataResponse> = {
  encode(w, v) {
    w.buffer(v.data);
    Stat.encode(w, v.stat);
  },
  decode: (r) => ({ data: r.buffer(), stat: Stat.decode(r) }),
};

export interface GetACLResponse {
  acl: ACL[];
  stat: Stat;
}
export const GetACLResponse: Codec<GetACLResponse> = {
  encode(w, v) {
    writeAcl(w, v.acl);
    Stat.encode(w, v.stat);
  },
  decode: (r) => ({ acl: readAcl(r), stat: Stat.decode(r) }),
};

export interface GetChildrenResponse {
  children: string[];
}
export const GetChildrenResponse: Codec<GetChildrenResponse> = {
  encode: (w, v) => writeStrings(w, v.children),
  decode: (r) => ({ children: readStrings(r) }),
};

export interface GetChildren2Response {
  children: string[];
  stat: Stat;
}
export const GetChildren2Response: Codec<GetChildren2Response> = {
  encode(w, v) {
    writeStrings(w, v.children);
    Stat.encode(w, v.stat);
  },
  decode: (r) => ({ children: readStrings(r), stat: Stat.decode(r) }),
};

export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}
export const GetAllChildrenNumberResponse: Codec<GetAllChildrenNumberResponse> = {
  encode: (w, v) => w.int(v.totalNumber),
  decode: (r) => ({ totalNumber: r.int() }),
};

export interface GetEphemeralsResponse {
  ephemerals: string[];
}
export const GetEphemeralsResponse: Codec<GetEphemeralsResponse> = {
  encode: (w, v) => writeStrings(w, v.ephemerals),
  decode: (r) => ({ ephemerals: readStrings(r) }),
};

export interface WhoAmIResponse {
  clientInfo: ClientInfo[];
}
export const WhoAmIResponse: Codec<WhoAmIResponse> = {
  encode: (w, v) => w.vector(v.clientInfo, ClientInfo.encode),
  decode: (r) => ({ clientInfo: r.vector(ClientInfo.decode) ?? [] }),
};

/** The body of addWatch replies and of failed results inside a multi. */
export interface ErrorResponse {
  err: number;
}
export const ErrorResponse: Codec<ErrorResponse> = {
  encode: (w, v) => w.int(v.err),
  decode: (r) => ({ err: r.int() }),
};

// ---- session-level packets ---------------------------------------------------------------

/** addauth (xid -4, opcode auth); `type` is always 0 in practice. */
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array | null;
}
export const AuthPacket: Codec<AuthPacket> = {
  encode(w, v) {
    w.int(v.type);
    w.string(v.scheme);
    w.buffer(v.auth);
  },
  decode: (r) => ({ type: r.int(), scheme: readText(r), auth: r.buffer() }),
};

/** Re-registers watches after a reconnect (xid -8). */
export interface SetWatches {
  relativeZxid: number;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
}
export const SetWatches: Codec<SetWatches> = {
  encode(w, v) {
    w.long(v.relativeZxid);
    writeStrings(w, v.dataWatches);
    writeStrings(w, v.existWatches);
    writeStrings(w, v.childWatches);
  },
  decode: (r) => ({
    relativeZxid: r.long(),
    dataWatches: readStrings(r),
    existWatches: readStrings(r),
    childWatches: readStrings(r),
  }),
};

export interface SetWatches2 extends SetWatches {
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}
export const SetWatches2: Codec<SetWatches2> = {
  encode(w, v) {
    SetWatches.encode(w, v);
    writeStrings(w, v.persistentWatches);
    writeStrings(w, v.persistentRecursiveWatches);
  },
  decode(r) {
    const base = SetWatches.decode(r);
    return { ...base, persistentWatches: readStrings(r), persistentRecursiveWatches: readStrings(r) };
  },
};

/** A watch notification (xid -1): an EventType, a KeeperState and the znode path. */
export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}
export const WatcherEvent: Codec<WatcherEvent> = {
  encode(w, v) {
    w.int(v.type);
    w.int(v.state);
    w.string(v.path);
  },
  decode: (r) => ({ type: r.int(), state: r.int(), path: readText(r) }),
};
