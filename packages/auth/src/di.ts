// The only tsyringe surface of this package: the AuthRegistry token and registerAuth.
// The AuthRegistry class is its own token (tsyringe accepts a class as an InjectionToken), so
// interface-and-token-share-a-name holds without a second symbol: @inject(AuthRegistry).
import type { DependencyContainer } from 'tsyringe';
import { AuthRegistry, defaultAuthProviders } from './registry.js';
import { AuthProvider } from './types.js';

export interface RegisterAuthOptions {
  /** Enables super: "user:base64(sha1(user:password))", see generateSuperDigest. */
  readonly superDigest?: string | undefined;
  /** Providers beyond the built-ins; one with a built-in scheme replaces the built-in. */
  readonly providers?: readonly AuthProvider[] | undefined;
}

/**
 * Registers the built-in providers and `options.providers` under the multi token AuthProvider,
 * and AuthRegistry as one registry over everything registered under AuthProvider at first
 * resolve (so providers registered after this call, before first use, are included; later ones
 * win on a shared scheme).
 */
export function registerAuth(container: DependencyContainer, options: RegisterAuthOptions = {}): void {
  for (const p of [...defaultAuthProviders(options), ...(options.providers ?? [])]) {
    container.register(AuthProvider, { useValue: p });
  }
  let registry: AuthRegistry | undefined;
  container.register(AuthRegistry, {
    useFactory: (c) => (registry ??= new AuthRegistry(c.resolveAll(AuthProvider))),
  });
}
