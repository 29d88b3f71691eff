import 'reflect-metadata';
import { container as rootContainer } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { digest, generateSuperDigest } from './digest.js';
import { registerAuth } from './di.js';
import { DigestAuthProvider } from './providers.js';
import { AuthRegistry } from './registry.js';
import { AuthProvider, isAuthFailed } from './types.js';

const conn = { remoteAddress: '10.0.0.1' };
const bytes = (s: string) => new TextEncoder().encode(s);

describe('AuthRegistry.authenticate (addauth)', () => {
  const registry = AuthRegistry.withDefaults({ superDigest: generateSuperDigest('secret') });

  it('adds the digest id for digest credentials', () => {
    expect(registry.authenticate('digest', bytes('user:pass'), conn)).toEqual([{ scheme: 'digest', id: digest('user', 'pass') }]);
  });
  it('adds super before the digest id for the super credentials', () => {
    expect(registry.authenticate('digest', bytes('super:secret'), conn)).toEqual([
      { scheme: 'super', id: '' },
      { scheme: 'digest', id: digest('super', 'secret') },
    ]);
  });
  it('does not add super for a wrong super password', () => {
    const ids = registry.authenticate('digest', bytes('super:wrong'), conn);
    expect(Array.isArray(ids) && ids.some((i) => i.scheme === 'super')).toBe(false);
  });
  it('accepts digest data without a colon, as ZooKeeper', () => {
    expect(isAuthFailed(registry.authenticate('digest', bytes('nocolon'), conn))).toBe(false);
  });
  it('fails an unknown scheme', () => expect(isAuthFailed(registry.authenticate('kerberos', bytes('x'), conn))).toBe(true));
  it('fails addauth world', () => expect(isAuthFailed(registry.authenticate('world', bytes('anyone'), conn))).toBe(true));
  it('fails addauth super', () => expect(isAuthFailed(registry.authenticate('super', bytes('secret'), conn))).toBe(true));
  it('fails when a provider throws', () => {
    const r = new AuthRegistry([{ scheme: 'boom', authenticate: () => { throw new Error('x'); }, matches: () => false, isValid: () => true, isAuthenticated: () => true }]);
    expect(isAuthFailed(r.authenticate('boom', bytes(''), conn))).toBe(true);
  });
  it('fails when a provider returns no ids', () => {
    const r = new AuthRegistry([{ scheme: 'none', authenticate: () => [], matches: () => false, isValid: () => true, isAuthenticated: () => true }]);
    expect(isAuthFailed(r.authenticate('none', bytes(''), conn))).toBe(true);
  });
});

describe('AuthRegistry contents', () => {
  it('has the five built-in schemes', () => {
    expect(AuthRegistry.withDefaults().schemes().sort()).toEqual(['auth', 'digest', 'ip', 'super', 'world']);
  });
  it('lets a later provider replace a built-in scheme', () => {
    const mine = new DigestAuthProvider();
    expect(AuthRegistry.withDefaults({ providers: [mine] }).get('digest')).toBe(mine);
  });
});

describe('registerAuth', () => {
  it('resolves one registry holding built-ins, the super digest and extra providers', () => {
    const c = rootContainer.createChildContainer();
    const extra: AuthProvider = { scheme: 'token', authenticate: () => [{ scheme: 'token', id: 't' }], matches: (a, b) => a === b, isValid: () => true, isAuthenticated: () => true };
    registerAuth(c, { superDigest: generateSuperDigest('s3'), providers: [extra] });
    const r = c.resolve(AuthRegistry);
    expect(r).toBe(c.resolve(AuthRegistry));
    expect(r.get('token')).toBe(extra);
    expect(r.authenticate('digest', bytes('super:s3'), conn)).toContainEqual({ scheme: 'super', id: '' });
  });
  it('registers every provider under the multi token', () => {
    const c = rootContainer.createChildContainer();
    registerAuth(c);
    expect(c.resolveAll(AuthProvider).map((p) => p.scheme).sort()).toEqual(['auth', 'digest', 'ip', 'super', 'world']);
  });
});
