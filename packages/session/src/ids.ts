// Session ids and passwords, bit for bit as ZooKeeper makes them.

/** Largest server id that fits the top byte of a session id. */
export const SERVER_ID_MAX = 255;
/** ZooKeeper's ZooKeeperServer.superSecret, the default secret mixed into session passwords. */
export const SESSION_SECRET_DEFAULT = 0xb3415c00n;
/** Length of a session password (ConnectResponse.passwd). */
export const SESSION_PASSWORD_BYTES = 16;
/** EphemeralType.CONTAINER_EPHEMERAL_OWNER (Long.MIN_VALUE): never a session id. */
export const CONTAINER_EPHEMERAL_OWNER = -(1n << 63n);

/**
 * The first session id of a server (SessionTrackerImpl.initializeNextSessionId): the low 40
 * bits of the start time in bits 16..55, the server id in bits 56..63, as a signed 64-bit value
 * (Java's long; server ids >= 128 give negative ids). Later ids count up from it.
 */
export function initialSessionId(serverId: number, nowMs: number): bigint {
  if (!Number.isInteger(serverId) || serverId < 0 || serverId > SERVER_ID_MAX) {
    throw new RangeError(`serverId must be an integer in 0..${SERVER_ID_MAX}, got ${serverId}`);
  }
  if (!Number.isSafeInteger(nowMs)) throw new RangeError(`nowMs must be a safe integer, got ${nowMs}`);
  const shifted = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  let id = BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
  if (id === CONTAINER_EPHEMERAL_OWNER) id += 1n;
  return id;
}

/** The server id in a session id's top byte. */
export function serverIdOf(sessionId: bigint): number {
  return Number(BigInt.asUintN(64, sessionId) >> 56n);
}

/** Session ids as ZooKeeper logs them: "0x" and unsigned lowercase hex. */
export function sessionIdHex(sessionId: bigint): string {
  return `0x${BigInt.asUintN(64, sessionId).toString(16)}`;
}

const JAVA_RANDOM_MULTIPLIER = 0x5deece66dn;
const JAVA_RANDOM_ADDEND = 0xbn;
const JAVA_RANDOM_MASK = (1n << 48n) - 1n;

/** java.util.Random(seed).nextBytes(new byte[length]): the same 48-bit LCG, the same byte order. */
export function javaRandomBytes(seed: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = (seed ^ JAVA_RANDOM_MULTIPLIER) & JAVA_RANDOM_MASK;
  let i = 0;
  while (i < length) {
    s = (s * JAVA_RANDOM_MULTIPLIER + JAVA_RANDOM_ADDEND) & JAVA_RANDOM_MASK;
    let rnd = Number(BigInt.asIntN(32, s >> 16n)); // next(32)
    for (let n = Math.min(length - i, 4); n > 0; n--, rnd >>= 8) out[i++] = rnd & 0xff;
  }
  return out;
}

/**
 * A session's password: ZooKeeper's generatePasswd, the first 16 bytes of
 * java.util.Random(sessionId ^ secret). Deterministic, so every server of an ensemble (sharing
 * the secret) can check it on reconnect without storing it. Note java.util.Random keeps only
 * the low 48 bits of its seed, so the server-id byte does not change the password, and with the
 * default (public) secret anyone who knows a session id can compute its password; ZooKeeper has
 * the same property. Pass a private secret to the tracker to avoid it.
 */
export function sessionPassword(sessionId: bigint, secret: bigint = SESSION_SECRET_DEFAULT): Uint8Array {
  return javaRandomBytes(sessionId ^ secret, SESSION_PASSWORD_BYTES);
}
