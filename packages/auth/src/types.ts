// The auth-provider SPI: one provider per scheme, as ZooKeeper's AuthenticationProvider.
import type { InjectionToken } from 'tsyringe';
import type { Id } from '@zkts/protocol';

/** What a provider may know about the connection that sends an addauth packet. */
export interface AuthConnection {
  /** The peer's address as the socket reports it (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly remoteAddress: string;
}

/** A refused addauth. The server answers ErrorCode.authFailed and closes the connection, as ZooKeeper. */
export interface AuthFailed {
  readonly kind: 'authFailed';
  readonly reason: string;
}

export function authFailed(reason: string): AuthFailed {
  return { kind: 'authFailed', reason };
}

export function isAuthFailed(x: unknown): x is AuthFailed {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'authFailed';
}

/**
 * One authentication scheme (ZooKeeper's AuthenticationProvider).
 * - authenticate: the ids an addauth with this scheme adds to the connection, or AuthFailed.
 * - matches: whether an authenticated id (the id part only) satisfies an ACL expression of
 *   this scheme, e.g. ip "10.0.0.7" against "10.0.0.0/8".
 * - isValid: whether an ACL expression is well formed (setACL / create reject it otherwise).
 * - isAuthenticated: whether ids of this scheme stand for a proven identity, so the 'auth'
 *   pseudo-scheme may expand to them (digest: yes; ip: no).
 */
export interface AuthProvider {
  readonly scheme: string;
  authenticate(authData: Uint8Array, conn: AuthConnection): readonly Id[] | AuthFailed;
  matches(id: string, aclExpr: string): boolean;
  isValid(expr: string): boolean;
  isAuthenticated(): boolean;
}
/** Multi-registration token: every provider the composition root offers. */
export const AuthProvider: InjectionToken<AuthProvider> = Symbol('AuthProvider');
