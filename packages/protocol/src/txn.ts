// Server-side transaction records (module org.apache.zookeeper.txn of zookeeper.jute): what the
// leader proposes, the log stores and the data tree applies. `Txn` is the typed union keyed by
// the TxnHeader type; encodeTxn / decodeTxn map between it and the record bytes.
import { OpCode } from './constants.js';
import { type Codec, DecodeError, JuteReader, JuteWriter } from './jute.js';
import { type ACL, readAcl, readStrings, readText, writeAcl, writeStrings } from './types.js';

export interface TxnHeader {
  clientId: bigint;
  cxid: number;
  zxid: number;
  time: number;
  type: number;
}
export const TxnHeader: Codec<TxnHeader> = {
  encode(w, v) {
    w.long(v.clientId);
    w.int(v.cxid);
    w.long(v.zxid);
    w.long(v.time);
    w.int(v.type);
  },
  decode: (r) => ({ clientId: r.longBig(), cxid: r.int(), zxid: r.long(), time: r.long(), type: r.int() }),
};

/** The digest of the tree after a txn, logged beside it (digest versions may use all 64 bits). */
export interface TxnDigest {
  version: number;
  treeDigest: bigint;
}
export const TxnDigest: Codec<TxnDigest> = {
  encode(w, v) {
    w.int(v.version);
    w.long(v.treeDigest);
  },
  decode: (r) => ({ version: r.int(), treeDigest: r.longBig() }),
};

export interface CreateTxn {
  path: string;
  data: Uint8Array | null;
  acl: ACL[];
  ephemeral: boolean;
  parentCVersion: number;
}
export const CreateTxn: Codec<CreateTxn> = {
  encode(w, v) {
    w.string(v.path);
    w.buffer(v.data);
    writeAcl(w, v.acl);
    w.bool(v.ephemeral);
    w.int(v.parentCVersion);
  },
  decode: (r) => ({ path: readText(r), data: r.buffer(), acl: readAcl(r), ephemeral: r.bool(), parentCVersion: r.int() }),
};

export interface CreateContainerTxn {
  path: string;
  data: Uint8Array | null;
  acl: ACL[];
  parentCVersion: number;
}
export const CreateContainerTxn: Codec<CreateContainerTxn> = {
  encode(w, v) {
    w.string(v.path);
    w.buffer(v.data);
    writeAcl(w, v.acl);
    w.int(v.parentCVersion);
  },
  decode: (r) => ({ path: readText(r), data: r.buffer(), acl: readAcl(r), parentCVersion: r.int() }),
};

export interface CreateTTLTxn extends CreateContainerTxn {
  ttl: number;
}
export const CreateTTLTxn: Codec<CreateTTLTxn> = {
  encode(w, v) {
    CreateContainerTxn.encode(w, v);
    w.long(v.ttl);
  },
  decode(r) {
    const base = CreateContainerTxn.decode(r);
    return { ...base, ttl: r.long() };
  },
};

export interface DeleteTxn {
  path: string;
}
export const DeleteTxn: Codec<DeleteTxn> = {
  encode: (w, v) => w.string(v.path),
  decode: (r) => ({ path: readText(r) }),
};

export interface SetDataTxn {
  path: string;
  data: Uint8Array | null;
  version: number;
}
export const SetDataTxn: Codec<SetDataTxn> = {
  encode(w, v) {
    w.string(v.path);
    w.buffer(v.data);
    w.int(v.version);
  },
  decode: (r) => ({ path: readText(r), data: r.buffer(), version: r.int() }),
};

export interface CheckVersionTxn {
  path: string;
  version: number;
}
export const CheckVersionTxn: Codec<CheckVersionTxn> = {
  encode(w, v) {
    w.string(v.path);
    w.int(v.version);
  },
  decode: (r) => ({ path: readText(r), version: r.int() }),
};

export interface SetACLTxn {
  path: string;
  acl: ACL[];
  version: number;
}
export const SetACLTxn: Codec<SetACLTxn> = {
  encode(w, v) {
    w.string(v.path);
    writeAcl(w, v.acl);
    w.int(v.version);
  },
  decode: (r) => ({ path: readText(r), acl: readAcl(r), version: r.int() }),
};

export interface ErrorTxn {
  err: number;
}
export const ErrorTxn: Codec<ErrorTxn> = {
  encode: (w, v) => w.int(v.err),
  decode: (r) => ({ err: r.int() }),
};

export interface CreateSessionTxn {
  timeOut: number;
}
export const CreateSessionTxn: Codec<CreateSessionTxn> = {
  encode: (w, v) => w.int(v.timeOut),
  decode: (r) => ({ timeOut: r.int() }),
};

/** The ephemeral paths a closing session deletes. */
export interface CloseSessionTxn {
  paths2Delete: string[];
}
export const CloseSessionTxn: Codec<CloseSessionTxn> = {
  encode: (w, v) => writeStrings(w, v.paths2Delete),
  decode: (r) => ({ paths2Delete: readStrings(r) }),
};

/** One sub-transaction of a multi, its record already encoded. */
export interface SubTxn {
  type: number;
  data: Uint8Array;
}
export const SubTxn: Codec<SubTxn> = {
  encode(w, v) {
    w.int(v.type);
    w.buffer(v.data);
  },
  decode: (r) => ({ type: r.int(), data: r.buffer() ?? new Uint8Array(0) }),
};

export interface MultiTxn {
  txns: SubTxn[];
}
export const MultiTxn: Codec<MultiTxn> = {
  encode: (w, v) => w.vector(v.txns, SubTxn.encode),
  decode: (r) => ({ txns: r.vector(SubTxn.decode) ?? [] }),
};

/**
 * A transaction body keyed by its TxnHeader type. create2 shares CreateTxn with create;
 * deleteContainer shares DeleteTxn; reconfig is a SetDataTxn on the config znode.
 * closeSession has paths2Delete only when the server logs it (ZooKeeper's
 * closeSessionTxn.enabled). A multi holds its sub-transactions decoded.
 */
export type Txn =
  | ({ type: typeof OpCode.create | typeof OpCode.create2 } & CreateTxn)
  | ({ type: typeof OpCode.createContainer } & CreateContainerTxn)
  | ({ type: typeof OpCode.createTTL } & CreateTTLTxn)
  | ({ type: typeof OpCode.delete | typeof OpCode.deleteContainer } & DeleteTxn)
  | ({ type: typeof OpCode.setData | typeof OpCode.reconfig } & SetDataTxn)
  | ({ type: typeof OpCode.setACL } & SetACLTxn)
  | ({ type: typeof OpCode.check } & CheckVersionTxn)
  | ({ type: typeof OpCode.error } & ErrorTxn)
  | ({ type: typeof OpCode.createSession } & CreateSessionTxn)
  | { type: typeof OpCode.closeSession; paths2Delete?: string[] | undefined }
  | { type: typeof OpCode.multi; txns: Txn[] };

/** The codec of each non-multi txn type; closeSession is handled apart (its body is optional). */
function txnCodec(type: number): Codec<unknown> | undefined {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
      return CreateTxn;
    case OpCode.createContainer:
      return CreateContainerTxn;
    case OpCode.createTTL:
      return CreateTTLTxn;
    case OpCode.delete:
    case OpCode.deleteContainer:
      return DeleteTxn;
    case OpCode.setData:
    case OpCode.reconfig:
      return SetDataTxn;
    case OpCode.setACL:
      return SetACLTxn;
    case OpCode.check:
      return CheckVersionTxn;
    case OpCode.error:
      return ErrorTxn;
    case OpCode.createSession:
      return CreateSessionTxn;
    default:
      return undefined;
  }
}

/** Writes the record of `txn` (not its header). A multi nests each sub-txn as {type, bytes}. */
export function encodeTxn(w: JuteWriter, txn: Txn): void {
  if (txn.type === OpCode.multi) {
    w.int(txn.txns.length);
    for (const sub of txn.txns) {
      const inner = new JuteWriter();
      encodeTxn(inner, sub);
      SubTxn.encode(w, { type: sub.type, data: inner.toBuffer() });
    }
    return;
  }
  if (txn.type === OpCode.closeSession) {
    if (txn.paths2Delete !== undefined) CloseSessionTxn.encode(w, { paths2Delete: txn.paths2Delete });
    return;
  }
  const codec = txnCodec(txn.type);
  if (codec === undefined) throw new RangeError(`encodeTxn: no txn record for type ${(txn as { type: number }).type}`);
  codec.encode(w, txn);
}

/** Reads the record of a txn whose header says `type`; an unknown type is a DecodeError. */
export function decodeTxn(type: number, r: JuteReader): Txn {
  if (type === OpCode.multi) {
    const { txns } = MultiTxn.decode(r);
    return {
      type,
      txns: txns.map((sub) => {
        // ZooKeeper never nests a multi; refusing it also bounds the recursion on hostile input.
        if (sub.type === OpCode.multi) throw new DecodeError('decodeTxn: a multi inside a multi');
        return decodeTxn(sub.type, new JuteReader(sub.data));
      }),
    };
  }
  if (type === OpCode.closeSession) {
    return r.remaining > 0 ? { type, paths2Delete: CloseSessionTxn.decode(r).paths2Delete } : { type };
  }
  const codec = txnCodec(type);
  if (codec === undefined) throw new DecodeError(`decodeTxn: no txn record for type ${type}`);
  return { type, ...(codec.decode(r) as object) } as Txn;
}
