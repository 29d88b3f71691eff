// ZooKeeper's EphemeralType: the 64-bit ephemeralOwner also encodes containers and TTL nodes.

export const EphemeralKind = { void: 0, normal: 1, container: 2, ttl: 3 } as const;
export type EphemeralKind = (typeof EphemeralKind)[keyof typeof EphemeralKind];

/** Long.MIN_VALUE marks a container. */
export const CONTAINER_EPHEMERAL_OWNER = -(1n << 63n);
const EXTENDED_MASK = 0xff00000000000000n;
const RESERVED_BITS_MASK = 0x00ffff0000000000n;
const EXTENDED_BIT_TTL = 0n;
/** Largest TTL in ms: the low 40 bits of the owner. */
export const TTL_MS_MAX = 0xffffffffff;

export function toSigned64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Classifies an owner. Invalid extended owners count as normal ephemerals (ZooKeeper throws). */
export function ephemeralKind(owner: bigint, extendedTypesEnabled: boolean): EphemeralKind {
  const u = BigInt.asUintN(64, owner);
  if (extendedTypesEnabled && (u & EXTENDED_MASK) === EXTENDED_MASK) {
    if ((u & RESERVED_BITS_MASK) >> 40n === EXTENDED_BIT_TTL) return EphemeralKind.ttl;
  }
  if (toSigned64(owner) === CONTAINER_EPHEMERAL_OWNER) return EphemeralKind.container;
  return owner === 0n ? EphemeralKind.void : EphemeralKind.normal;
}

export function ttlToEphemeralOwner(ttlMs: number): bigint {
  if (!(ttlMs > 0 && ttlMs <= TTL_MS_MAX) || !Number.isInteger(ttlMs)) {
    throw new RangeError(`ttl must be positive and at most ${TTL_MS_MAX}`);
  }
  return toSigned64(EXTENDED_MASK | EXTENDED_BIT_TTL | BigInt(ttlMs));
}

export function ttlOf(owner: bigint): number {
  return Number(BigInt.asUintN(64, owner) & ~(EXTENDED_MASK | RESERVED_BITS_MASK) & 0xffffffffffffffffn);
}

/** The owner a client sees in Stat: 0 for containers and TTL nodes. */
export function clientEphemeralOwner(owner: bigint, extendedTypesEnabled: boolean): bigint {
  return ephemeralKind(owner, extendedTypesEnabled) === EphemeralKind.normal ? owner : 0n;
}
