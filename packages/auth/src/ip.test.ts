import { describe, expect, it } from 'vitest';
import { canonicalIp, IpAuthProvider, ipMatches } from './ip.js';

const ip = new IpAuthProvider();

// IPv4 expectations were checked against ZooKeeper 3.8.0's IPAuthenticationProvider.
describe('ip matching, IPv4', () => {
  it('matches an exact address', () => expect(ipMatches('1.2.3.4', '1.2.3.4')).toBe(true));
  it('rejects a different exact address', () => expect(ipMatches('1.2.3.5', '1.2.3.4')).toBe(false));
  it('matches inside a /8', () => expect(ipMatches('10.1.2.3', '10.0.0.0/8')).toBe(true));
  it('rejects outside a /8', () => expect(ipMatches('11.1.2.3', '10.0.0.0/8')).toBe(false));
  it('matches inside a /25 (mask inside a byte)', () => expect(ipMatches('192.168.1.130', '192.168.1.128/25')).toBe(true));
  it('rejects just below a /25', () => expect(ipMatches('192.168.1.127', '192.168.1.128/25')).toBe(false));
  it('matches everything with /0', () => expect(ipMatches('9.9.9.9', '0.0.0.0/0')).toBe(true));
  it('rejects a prefix longer than the address', () => expect(ipMatches('1.2.3.4', '1.2.3.4/33')).toBe(false));
  it('compares an IPv4-mapped IPv6 peer as IPv4', () => expect(ipMatches('::ffff:10.9.8.7', '10.0.0.0/8')).toBe(true));
});

describe('ip matching, IPv6', () => {
  it('matches an exact address written differently', () => expect(ipMatches('0:0:0:0:0:0:0:1', '::1')).toBe(true));
  it('matches inside a /64', () => expect(ipMatches('2001:db8:0:1::42', '2001:db8:0:1::/64')).toBe(true));
  it('rejects outside a /64', () => expect(ipMatches('2001:db8:0:2::42', '2001:db8:0:1::/64')).toBe(false));
  it('matches inside a /12 (mask inside a byte)', () => expect(ipMatches('fd0f::1', 'fd00::/12')).toBe(true));
  it('rejects just outside a /12', () => expect(ipMatches('fd10::1', 'fd00::/12')).toBe(false));
  it('ignores a zone on the peer address', () => expect(ipMatches('fe80::1%eth0', 'fe80::/10')).toBe(true));
  it('never matches an IPv4 range with a plain IPv6 address', () => expect(ipMatches('::1', '0.0.0.0/0')).toBe(false));
  it('never matches an IPv6 range with an IPv4 address', () => expect(ipMatches('1.2.3.4', '::/0')).toBe(false));
});

describe('ip validity', () => {
  it.each(['1.2.3.4', '1.2.3.4/32', '+1.2.3.4', '01.2.3.4', '1.2.3.4/08', '::1', '::', 'fd00::/8', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8/128'])(
    'accepts %s',
    (e) => expect(ip.isValid(e)).toBe(true),
  );
  it.each(['1.2.3.4/', '1.2.3.4/-1', '256.1.1.1', '1.2.3', 'a.b.c.d', '::1/129', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'host.example', ''])(
    'rejects %s',
    (e) => expect(ip.isValid(e)).toBe(false),
  );
});

describe('ip ids', () => {
  it('records an IPv4-mapped peer as plain IPv4', () => expect(canonicalIp('::ffff:127.0.0.1')).toBe('127.0.0.1'));
  it('records IPv6 uncompressed, as Java getHostAddress', () => expect(canonicalIp('::1')).toBe('0:0:0:0:0:0:0:1'));
  it('authenticates as the connection address, ignoring authData', () => {
    expect(ip.authenticate(new TextEncoder().encode('9.9.9.9'), { remoteAddress: '10.0.0.1' })).toEqual([{ scheme: 'ip', id: '10.0.0.1' }]);
  });
  it('is not an authenticated scheme (auth ACLs do not expand to it)', () => expect(ip.isAuthenticated()).toBe(false));
});
