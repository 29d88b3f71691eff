// The plain record shapes shared by every package. Longs that are zxids or times are numbers
// (exact below 2^53); session ids and ephemeral owners are bigint (they use all 64 bits).

export interface Id {
  scheme: string;
  id: string;
}

export interface ACL {
  perms: number;
  id: Id;
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

export const Ids = {
  anyoneIdUnsafe: { scheme: 'world', id: 'anyone' } as Id,
  authIds: { scheme: 'auth', id: '' } as Id,
} as const;

export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: 31, id: Ids.anyoneIdUnsafe }]);
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: 31, id: Ids.authIds }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: 1, id: Ids.anyoneIdUnsafe }]);
