// The ip scheme: ACL expressions are an address or a CIDR range ("10.0.0.0/8", "fd00::/8");
// a connection's id is its remote address. IPv4 follows ZooKeeper 3.8 (four decimal octets,
// Java Integer.parseInt per octet); IPv6 follows ZooKeeper 3.9+ and adds what 3.9 lacks:
// an embedded IPv4 tail ("::ffff:1.2.3.4") and a zone suffix ("fe80::1%eth0", ignored).
import type { Id } from '@zkts/protocol';
import { javaParseInt, javaSplitLimit } from './java.js';
import type { AuthConnection, AuthFailed, AuthProvider } from './types.js';

export const IP_SCHEME = 'ip';
const IPV4_BYTES = 4;
const IPV6_BYTES = 16;
const IPV6_GROUPS = 8;
const IPV6_GROUP_HEX_DIGITS_MAX = 4;

/** Four-byte address, or undefined when `s` is not four decimal octets 0..255. */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== IPV4_BYTES) return undefined;
  const out = new Uint8Array(IPV4_BYTES);
  for (let i = 0; i < IPV4_BYTES; i++) {
    const v = javaParseInt(parts[i]);
    if (v === undefined || v < 0 || v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i === parts.length - 1 && p.includes('.')) {
      // An IPv4 tail stands for the last two groups.
      const v4 = parseIpv4(p);
      if (v4 === undefined) return undefined;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      continue;
    }
    if (!/^[0-9a-fA-F]+$/.test(p) || p.length > IPV6_GROUP_HEX_DIGITS_MAX) return undefined;
    groups.push(parseInt(p, 16));
  }
  return groups;
}

/** Sixteen-byte address, or undefined when `s` is not an IPv6 address. */
export function parseIpv6(s: string): Uint8Array | undefined {
  const zone = s.indexOf('%');
  const text = zone >= 0 ? s.slice(0, zone) : s;
  if (zone >= 0 && zone === s.length - 1) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 1) {
    const all = parseGroups(text);
    if (all === undefined || all.length !== IPV6_GROUPS) return undefined;
    groups = all;
  } else {
    const head = parseGroups(halves[0]);
    const tail = parseGroups(halves[1]);
    // "::" stands for at least one zero group.
    if (head === undefined || tail === undefined || head.length + tail.length >= IPV6_GROUPS) return undefined;
    groups = [...head, ...new Array<number>(IPV6_GROUPS - head.length - tail.length).fill(0), ...tail];
  }
  const out = new Uint8Array(IPV6_BYTES);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Address bytes (4 for IPv4, 16 for IPv6), or undefined when `s` is neither. */
export function parseIp(s: string): Uint8Array | undefined {
  return s.includes(':') ? parseIpv6(s) : parseIpv4(s);
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * The id string ZooKeeper would record for a peer address (Java's getHostAddress): IPv4 in
 * dotted form, IPv4-mapped IPv6 (what a dual-stack Node socket reports) as plain IPv4, other
 * IPv6 as eight lowercase hex groups without compression ("0:0:0:0:0:0:0:1").
 */
export function canonicalIp(address: string): string | undefined {
  const b = parseIp(address);
  if (b === undefined) return undefined;
  if (b.length === IPV4_BYTES) return b.join('.');
  if (isV4Mapped(b)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: string[] = [];
  for (let i = 0; i < IPV6_BYTES; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  return groups.join(':');
}

/** Zeroes every bit after the first `bits` (ZooKeeper's mask). */
function mask(b: Uint8Array, bits: number): void {
  for (let i = 0; i < b.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    b[i] &= (0xff00 >> keep) & 0xff;
  }
}

interface IpRange {
  readonly addr: Uint8Array;
  readonly bits: number;
}

/** "addr" or "addr/bits" with 0 <= bits <= address length; undefined when malformed. */
export function parseIpRange(expr: string): IpRange | undefined {
  const [addrText, bitsText] = javaSplitLimit(expr, '/', 2);
  const addr = parseIp(addrText);
  if (addr === undefined) return undefined;
  let bits = addr.length * 8;
  if (bitsText !== undefined) {
    const v = javaParseInt(bitsText);
    if (v === undefined || v < 0 || v > addr.length * 8) return undefined;
    bits = v;
  }
  return { addr, bits };
}

/** Whether address `id` lies in range `aclExpr`; different families never match (as ZooKeeper). */
export function ipMatches(id: string, aclExpr: string): boolean {
  const range = parseIpRange(aclExpr);
  if (range === undefined) return false;
  let remote = parseIp(id);
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; compare those as IPv4.
  if (remote !== undefined && remote.length === IPV6_BYTES && range.addr.length === IPV4_BYTES && isV4Mapped(remote)) {
    remote = remote.slice(12);
  }
  if (remote === undefined || remote.length !== range.addr.length) return false;
  const want = Uint8Array.from(range.addr);
  mask(want, range.bits);
  mask(remote, range.bits);
  return want.every((v, i) => v === remote[i]);
}

export class IpAuthProvider implements AuthProvider {
  readonly scheme = IP_SCHEME;

  /** The connection's own address, whatever authData says (ZooKeeper ignores it too). */
  authenticate(_authData: Uint8Array, conn: AuthConnection): readonly Id[] | AuthFailed {
    const id = canonicalIp(conn.remoteAddress);
    if (id === undefined) return { kind: 'authFailed', reason: `not an IP address: ${conn.remoteAddress}` };
    return [{ scheme: IP_SCHEME, id }];
  }

  matches(id: string, aclExpr: string): boolean {
    return ipMatches(id, aclExpr);
  }

  isValid(expr: string): boolean {
    return parseIpRange(expr) !== undefined;
  }

  isAuthenticated(): boolean {
    return false;
  }
}
