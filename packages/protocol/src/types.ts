// The plain record shapes shared by every package. Longs that are zxids or times are numbers
// (exact below 2^53); session ids and ephemeral owners are bigint (they use all 64 bits).
// Each record's interface has a same-named Codec: `Stat.decode(reader)`, `Stat.encode(writer, s)`.
import type { Codec, JuteReader, JuteWriter } from './jute.js';

/** Reads a ustring where ZooKeeper never sends null; a null on the wire reads as ''. */
export function readText(r: JuteReader): string {
  return r.string() ?? '';
}

export interface Id {
  scheme: string;
  id: string;
}
export const Id: Codec<Id> = {
  encode(w: JuteWriter, v: Id) {
    w.string(v.scheme);
    w.string(v.id);
  },
  decode: (r: JuteReader) => ({ scheme: readText(r), id: readText(r) }),
};

export interface ACL {
  perms: number;
  id: Id;
}
export const ACL: Codec<ACL> = {
  encode(w, v) {
    w.int(v.perms);
    Id.encode(w, v.id);
  },
  decode: (r) => ({ perms: r.int(), id: Id.decode(r) }),
};

/** Writes an ACL list (a jute vector<ACL>). */
export function writeAcl(w: JuteWriter, acl: readonly ACL[] | null): void {
  w.vector(acl, ACL.encode);
}
/** Reads an ACL list; a null vector reads as [] (the server refuses both the same way). */
export function readAcl(r: JuteReader): ACL[] {
  return r.vector(ACL.decode) ?? [];
}
/** Writes a vector<ustring>. */
export function writeStrings(w: JuteWriter, items: readonly string[] | null): void {
  w.vector(items, writeString);
}
/** Reads a vector<ustring>; a null vector reads as []. */
export function readStrings(r: JuteReader): string[] {
  return r.vector(readText) ?? [];
}
function writeString(w: JuteWriter, v: string): void {
  w.string(v);
}

export interface Stat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}
export const Stat: Codec<Stat> = {
  encode(w, v) {
    w.long(v.czxid);
    w.long(v.mzxid);
    w.long(v.ctime);
    w.long(v.mtime);
    w.int(v.version);
    w.int(v.cversion);
    w.int(v.aversion);
    w.long(v.ephemeralOwner);
    w.int(v.dataLength);
    w.int(v.numChildren);
    w.long(v.pzxid);
  },
  decode: (r) => ({
    czxid: r.long(),
    mzxid: r.long(),
    ctime: r.long(),
    mtime: r.long(),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.longBig(),
    dataLength: r.int(),
    numChildren: r.int(),
    pzxid: r.long(),
  }),
};

/** The Stat fields a server stores (no dataLength / numChildren; those are derived). */
export interface StatPersisted {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: number;
}
export const StatPersisted: Codec<StatPersisted> = {
  encode(w, v) {
    w.long(v.czxid);
    w.long(v.mzxid);
    w.long(v.ctime);
    w.long(v.mtime);
    w.int(v.version);
    w.int(v.cversion);
    w.int(v.aversion);
    w.long(v.ephemeralOwner);
    w.long(v.pzxid);
  },
  decode: (r) => ({
    czxid: r.long(),
    mzxid: r.long(),
    ctime: r.long(),
    mtime: r.long(),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.longBig(),
    pzxid: r.long(),
  }),
};

/** An authenticated identity as whoAmI reports it. */
export interface ClientInfo {
  authScheme: string;
  user: string;
}
export const ClientInfo: Codec<ClientInfo> = {
  encode(w, v) {
    w.string(v.authScheme);
    w.string(v.user);
  },
  decode: (r) => ({ authScheme: readText(r), user: readText(r) }),
};

export const Ids = {
  anyoneIdUnsafe: { scheme: 'world', id: 'anyone' } as Id,
  authIds: { scheme: 'auth', id: '' } as Id,
} as const;

export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: 31, id: Ids.anyoneIdUnsafe }]);
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: 31, id: Ids.authIds }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: 1, id: Ids.anyoneIdUnsafe }]);
