// Providers by scheme (ZooKeeper's ProviderRegistry, minus its global state and system properties).
import type { Id } from '@zkts/protocol';
import { IpAuthProvider } from './ip.js';
import {
  AuthSchemeProvider,
  DigestAuthProvider,
  SuperAuthProvider,
  WorldAuthProvider,
} from './providers.js';
import { authFailed, type AuthConnection, type AuthFailed, type AuthProvider } from './types.js';

/** Upper bound on registered schemes; a registry larger than this is a configuration bug. */
export const AUTH_SCHEMES_MAX = 64;

export interface DefaultAuthOptions {
  /** Enables super: "user:base64(sha1(user:password))", see generateSuperDigest. */
  readonly superDigest?: string | undefined;
  /** More providers; one with a built-in scheme replaces the built-in. */
  readonly providers?: readonly AuthProvider[] | undefined;
}

/** The built-in providers: world, auth, digest (with the super digest), ip, super. */
export function defaultAuthProviders(options: { superDigest?: string | undefined } = {}): AuthProvider[] {
  return [
    new WorldAuthProvider(),
    new AuthSchemeProvider(),
    new DigestAuthProvider({ superDigest: options.superDigest }),
    new IpAuthProvider(),
    new SuperAuthProvider(),
  ];
}

export class AuthRegistry {
  private readonly byScheme = new Map<string, AuthProvider>();

  constructor(providers: Iterable<AuthProvider> = []) {
    for (const p of providers) this.register(p);
  }

  /** A registry with the built-in providers, then `options.providers` on top. */
  static withDefaults(options: DefaultAuthOptions = {}): AuthRegistry {
    return new AuthRegistry([...defaultAuthProviders(options), ...(options.providers ?? [])]);
  }

  /** Adds a provider; a later provider for the same scheme replaces the earlier one. */
  register(provider: AuthProvider): this {
    if (typeof provider.scheme !== 'string' || provider.scheme === '') {
      throw new Error('AuthProvider.scheme must be a non-empty string');
    }
    if (!this.byScheme.has(provider.scheme) && this.byScheme.size >= AUTH_SCHEMES_MAX) {
      throw new Error(`more than AUTH_SCHEMES_MAX=${AUTH_SCHEMES_MAX} auth schemes`);
    }
    this.byScheme.set(provider.scheme, provider);
    return this;
  }

  get(scheme: string): AuthProvider | undefined {
    return this.byScheme.get(scheme);
  }

  has(scheme: string): boolean {
    return this.byScheme.has(scheme);
  }

  schemes(): string[] {
    return [...this.byScheme.keys()];
  }

  /**
   * The addauth flow: the ids to add to the connection, or AuthFailed for an unknown scheme, a
   * provider that refuses or returns no ids, or a provider that throws (ZooKeeper turns a RuntimeException into
   * AUTHFAILED as well).
   */
  authenticate(scheme: string, authData: Uint8Array, conn: AuthConnection): readonly Id[] | AuthFailed {
    const provider = this.byScheme.get(scheme);
    if (provider === undefined) return authFailed(`no authentication provider for scheme '${scheme}'`);
    try {
      const ids = provider.authenticate(authData, conn);
      // ZooKeeper's providers report failure as an empty id list too.
      if (Array.isArray(ids) && ids.length === 0) return authFailed(`provider '${scheme}' returned no ids`);
      return ids;
    } catch (e) {
      return authFailed(`provider '${scheme}' threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
