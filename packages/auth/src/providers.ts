// The built-in schemes besides ip. ZooKeeper 3.8 registers only ip and digest as providers and
// treats world, auth and super inside checkACL / fixupACL; zkts gives those three a provider each
// so the registry can name every scheme, with behaviour chosen to be identical: none of them
// can be used with addauth, and only world:anyone and auth:<anything> are valid in an ACL.
import type { Id } from '@zkts/protocol';
import { generateDigest } from './digest.js';
import { javaSplitDropTrailing } from './java.js';
import { authFailed, type AuthConnection, type AuthFailed, type AuthProvider } from './types.js';

export const WORLD_SCHEME = 'world';
export const WORLD_ANYONE = 'anyone';
export const AUTH_SCHEME = 'auth';
export const DIGEST_SCHEME = 'digest';
export const SUPER_SCHEME = 'super';
/** The id a super session carries: ("super", ""), as ZooKeeper. */
export const SUPER_ID: Id = Object.freeze({ scheme: SUPER_SCHEME, id: '' });

/** world:anyone, the one id everybody has. */
export class WorldAuthProvider implements AuthProvider {
  readonly scheme = WORLD_SCHEME;
  authenticate(): AuthFailed {
    return authFailed('the world scheme cannot be used with addauth');
  }
  matches(_id: string, aclExpr: string): boolean {
    return aclExpr === WORLD_ANYONE;
  }
  isValid(expr: string): boolean {
    return expr === WORLD_ANYONE;
  }
  isAuthenticated(): boolean {
    return false;
  }
}

/** auth: in an ACL, "every authenticated id of the creator"; fixupAcl expands it. */
export class AuthSchemeProvider implements AuthProvider {
  readonly scheme = AUTH_SCHEME;
  authenticate(): AuthFailed {
    return authFailed('the auth scheme cannot be used with addauth');
  }
  matches(): boolean {
    return false;
  }
  /** Any id text: ZooKeeper ignores it when expanding. */
  isValid(): boolean {
    return true;
  }
  isAuthenticated(): boolean {
    return false;
  }
}

/** super: granted by digest credentials equal to the superDigest; never valid in an ACL. */
export class SuperAuthProvider implements AuthProvider {
  readonly scheme = SUPER_SCHEME;
  authenticate(): AuthFailed {
    return authFailed('the super scheme cannot be used with addauth; use digest with the super credentials');
  }
  matches(): boolean {
    return false;
  }
  isValid(): boolean {
    return false;
  }
  isAuthenticated(): boolean {
    return false;
  }
}

export interface DigestAuthProviderOptions {
  /** "user:base64(sha1(user:password))" (see generateSuperDigest); matching credentials add super. */
  readonly superDigest?: string | undefined;
}

/**
 * digest: addauth data "user:password" becomes the id "user:base64(sha1(user:password))".
 * Any text is accepted, as ZooKeeper: "nocolon" becomes "nocolon:<hash of nocolon>".
 */
export class DigestAuthProvider implements AuthProvider {
  readonly scheme = DIGEST_SCHEME;
  private readonly superDigest: string | undefined;

  constructor(options: DigestAuthProviderOptions = {}) {
    this.superDigest = options.superDigest;
  }

  authenticate(authData: Uint8Array, _conn?: AuthConnection): readonly Id[] {
    // Invalid UTF-8 decodes to U+FFFD, as Java's new String(bytes) does.
    const id = generateDigest(new TextDecoder().decode(authData));
    const ids: Id[] = [];
    if (this.superDigest !== undefined && id === this.superDigest) ids.push(SUPER_ID);
    ids.push({ scheme: DIGEST_SCHEME, id });
    return ids;
  }

  matches(id: string, aclExpr: string): boolean {
    return id === aclExpr;
  }

  /** Exactly two ':'-separated parts, by Java's split rules (a trailing ':' is dropped first). */
  isValid(expr: string): boolean {
    return javaSplitDropTrailing(expr, ':').length === 2;
  }

  isAuthenticated(): boolean {
    return true;
  }
}
