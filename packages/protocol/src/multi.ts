// multi and multiRead: a run of (MultiHeader, record) pairs closed by a header with done = true.
import { OpCode } from './constants.js';
import { type Codec, DecodeError, type JuteReader, type JuteWriter } from './jute.js';
import {
  CheckVersionRequest,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  MultiHeader,
  SetDataRequest,
  SetDataResponse,
} from './records.js';
import type { Stat } from './types.js';

/** The header that ends both a multi request and a multi response. */
const END_HEADER: MultiHeader = Object.freeze({ type: -1, done: true, err: -1 });
/** Requests carry err -1 in every op header (the field only means something in responses). */
const REQUEST_HEADER_ERR = -1;

/** One operation of a multi (writes) or multiRead (getData / getChildren). */
export type MultiOp =
  | { type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer; request: CreateRequest }
  | { type: typeof OpCode.createTTL; request: CreateTTLRequest }
  | { type: typeof OpCode.delete; request: DeleteRequest }
  | { type: typeof OpCode.setData; request: SetDataRequest }
  | { type: typeof OpCode.check; request: CheckVersionRequest }
  | { type: typeof OpCode.getChildren; request: GetChildrenRequest }
  | { type: typeof OpCode.getData; request: GetDataRequest };

export interface MultiRequest {
  ops: MultiOp[];
}

function opCodec(type: number): Codec<unknown> | undefined {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return CreateRequest;
    case OpCode.createTTL:
      return CreateTTLRequest;
    case OpCode.delete:
      return DeleteRequest;
    case OpCode.setData:
      return SetDataRequest;
    case OpCode.check:
      return CheckVersionRequest;
    case OpCode.getChildren:
      return GetChildrenRequest;
    case OpCode.getData:
      return GetDataRequest;
    default:
      return undefined;
  }
}

/**
 * Mixing reads and writes in one multi is refused by ZooKeeper's server; that check belongs to
 * the server, so the codec accepts any mix.
 */
export const MultiRequest: Codec<MultiRequest> = {
  encode(w: JuteWriter, v: MultiRequest) {
    for (const op of v.ops) {
      const codec = opCodec(op.type);
      if (codec === undefined) throw new RangeError(`MultiRequest: opcode ${op.type} cannot be part of a multi`);
      MultiHeader.encode(w, { type: op.type, done: false, err: REQUEST_HEADER_ERR });
      codec.encode(w, op.request);
    }
    MultiHeader.encode(w, END_HEADER);
  },
  decode(r: JuteReader) {
    const ops: MultiOp[] = [];
    for (let h = MultiHeader.decode(r); !h.done; h = MultiHeader.decode(r)) {
      const codec = opCodec(h.type);
      if (codec === undefined) throw new DecodeError(`MultiRequest: opcode ${h.type} cannot be part of a multi`);
      ops.push({ type: h.type, request: codec.decode(r) } as MultiOp);
    }
    return { ops };
  },
};

/** One result of a multi; a failed op (and every op of a failed multi) is an error result. */
export type OpResult =
  | { type: typeof OpCode.create; path: string }
  | { type: typeof OpCode.create2; path: string; stat: Stat }
  | { type: typeof OpCode.delete }
  | { type: typeof OpCode.check }
  | { type: typeof OpCode.setData; stat: Stat }
  | { type: typeof OpCode.getChildren; children: string[] }
  | { type: typeof OpCode.getData; data: Uint8Array | null; stat: Stat }
  | { type: typeof OpCode.error; err: number };

export interface MultiResponse {
  results: OpResult[];
}

export const MultiResponse: Codec<MultiResponse> = {
  encode(w: JuteWriter, v: MultiResponse) {
    for (const res of v.results) {
      MultiHeader.encode(w, { type: res.type, done: false, err: res.type === OpCode.error ? res.err : 0 });
      switch (res.type) {
        case OpCode.create:
          CreateResponse.encode(w, res);
          break;
        case OpCode.create2:
          Create2Response.encode(w, res);
          break;
        case OpCode.delete:
        case OpCode.check:
          break;
        case OpCode.setData:
          SetDataResponse.encode(w, res);
          break;
        case OpCode.getChildren:
          GetChildrenResponse.encode(w, res);
          break;
        case OpCode.getData:
          GetDataResponse.encode(w, res);
          break;
        case OpCode.error:
          ErrorResponse.encode(w, res);
          break;
        default:
          throw new RangeError(`MultiResponse: result type ${(res as { type: number }).type} is not valid`);
      }
    }
    MultiHeader.encode(w, END_HEADER);
  },
  decode(r: JuteReader) {
    const results: OpResult[] = [];
    for (let h = MultiHeader.decode(r); !h.done; h = MultiHeader.decode(r)) {
      results.push(decodeResult(h.type, r));
    }
    return { results };
  },
};

function decodeResult(type: number, r: JuteReader): OpResult {
  switch (type) {
    case OpCode.create:
      return { type, ...CreateResponse.decode(r) };
    case OpCode.create2:
      return { type, ...Create2Response.decode(r) };
    case OpCode.delete:
    case OpCode.check:
      return { type };
    case OpCode.setData:
      return { type, ...SetDataResponse.decode(r) };
    case OpCode.getChildren:
      return { type, ...GetChildrenResponse.decode(r) };
    case OpCode.getData:
      return { type, ...GetDataResponse.decode(r) };
    case OpCode.error:
      return { type, ...ErrorResponse.decode(r) };
    default:
      throw new DecodeError(`MultiResponse: result type ${type} is not valid`);
  }
}
