// fast-check generators for every record, shared by the round-trip and fuzz tests.
import fc from 'fast-check';
import { OpCode } from '../constants.js';
import type { MultiOp, OpResult } from '../multi.js';
import type { Txn } from '../txn.js';
import type { ACL, Stat } from '../types.js';

export const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
export const long = fc.maxSafeInteger();
export const long64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
export const text = fc.string({ unit: 'binary', maxLength: 12 });
export const nullableText = fc.option(text, { nil: null });
export const bytes = fc.uint8Array({ maxLength: 24 });
export const nullableBytes = fc.option(bytes, { nil: null });
export const texts = fc.array(text, { maxLength: 4 });

export const id = fc.record({ scheme: text, id: text });
export const acl: fc.Arbitrary<ACL> = fc.record({ perms: int32, id });
export const acls = fc.array(acl, { maxLength: 3 });
export const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: long,
  mzxid: long,
  ctime: long,
  mtime: long,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: long64,
  dataLength: int32,
  numChildren: int32,
  pzxid: long,
});
export const statPersisted = stat.map(({ dataLength: _d, numChildren: _n, ...rest }) => rest);

export const createRequest = fc.record({ path: text, data: nullableBytes, acl: acls, flags: int32 });
export const createTTLRequest = fc.record({ path: text, data: nullableBytes, acl: acls, flags: int32, ttl: long });
const pathVersion = fc.record({ path: text, version: int32 });
const pathWatch = fc.record({ path: text, watch: fc.boolean() });

export const multiOp: fc.Arbitrary<MultiOp> = fc.oneof(
  fc.record({ type: fc.constantFrom(OpCode.create, OpCode.create2, OpCode.createContainer), request: createRequest }),
  fc.record({ type: fc.constant(OpCode.createTTL), request: createTTLRequest }),
  fc.record({ type: fc.constant(OpCode.delete), request: pathVersion }),
  fc.record({ type: fc.constant(OpCode.setData), request: fc.record({ path: text, data: nullableBytes, version: int32 }) }),
  fc.record({ type: fc.constant(OpCode.check), request: pathVersion }),
  fc.record({ type: fc.constant(OpCode.getChildren), request: pathWatch }),
  fc.record({ type: fc.constant(OpCode.getData), request: pathWatch }),
);

export const opResult: fc.Arbitrary<OpResult> = fc.oneof(
  fc.record({ type: fc.constant(OpCode.create), path: text }),
  fc.record({ type: fc.constant(OpCode.create2), path: text, stat }),
  fc.record({ type: fc.constantFrom(OpCode.delete, OpCode.check) }),
  fc.record({ type: fc.constant(OpCode.setData), stat }),
  fc.record({ type: fc.constant(OpCode.getChildren), children: texts }),
  fc.record({ type: fc.constant(OpCode.getData), data: nullableBytes, stat }),
  fc.record({ type: fc.constant(OpCode.error), err: int32 }),
) as fc.Arbitrary<OpResult>;

const simpleTxn: fc.Arbitrary<Txn> = fc.oneof(
  fc.record({ type: fc.constantFrom(OpCode.create, OpCode.create2), path: text, data: nullableBytes, acl: acls, ephemeral: fc.boolean(), parentCVersion: int32 }),
  fc.record({ type: fc.constant(OpCode.createContainer), path: text, data: nullableBytes, acl: acls, parentCVersion: int32 }),
  fc.record({ type: fc.constant(OpCode.createTTL), path: text, data: nullableBytes, acl: acls, parentCVersion: int32, ttl: long }),
  fc.record({ type: fc.constantFrom(OpCode.delete, OpCode.deleteContainer), path: text }),
  fc.record({ type: fc.constantFrom(OpCode.setData, OpCode.reconfig), path: text, data: nullableBytes, version: int32 }),
  fc.record({ type: fc.constant(OpCode.setACL), path: text, acl: acls, version: int32 }),
  fc.record({ type: fc.constant(OpCode.check), path: text, version: int32 }),
  fc.record({ type: fc.constant(OpCode.error), err: int32 }),
  fc.record({ type: fc.constant(OpCode.createSession), timeOut: int32 }),
  fc.record({ type: fc.constant(OpCode.closeSession), paths2Delete: texts }),
  fc.constant({ type: OpCode.closeSession } as Txn),
) as fc.Arbitrary<Txn>;

export const txn: fc.Arbitrary<Txn> = fc.oneof(
  simpleTxn,
  fc.record({ type: fc.constant(OpCode.multi), txns: fc.array(simpleTxn, { maxLength: 4 }) }) as fc.Arbitrary<Txn>,
);

/** Replaces every typed array by a plain Uint8Array so Buffer views compare equal to inputs. */
export function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}
