// @zkts/auth: ACL evaluation and the auth-provider SPI (world, auth, digest, ip, super).
export { AuthProvider, authFailed, isAuthFailed } from './types.js';
export type { AuthConnection, AuthFailed } from './types.js';
export { digest, generateDigest, generateSuperDigest, SUPER_USER_DEFAULT } from './digest.js';
export { IpAuthProvider, IP_SCHEME, canonicalIp, ipMatches, parseIp, parseIpRange } from './ip.js';
export {
  AUTH_SCHEME,
  AuthSchemeProvider,
  DIGEST_SCHEME,
  DigestAuthProvider,
  SUPER_ID,
  SUPER_SCHEME,
  SuperAuthProvider,
  WORLD_ANYONE,
  WORLD_SCHEME,
  WorldAuthProvider,
} from './providers.js';
export type { DigestAuthProviderOptions } from './providers.js';
export { AUTH_SCHEMES_MAX, AuthRegistry, defaultAuthProviders } from './registry.js';
export type { DefaultAuthOptions } from './registry.js';
export {
  ACL_ENTRIES_MAX,
  ACL_REQUIREMENTS,
  CONFIG_NODE,
  checkAcl,
  fixupAcl,
  initialAuthIds,
  redactAcl,
  requiredPermission,
} from './acl.js';
export type { AclRequirement, AclTarget } from './acl.js';
export { registerAuth } from './di.js';
export type { RegisterAuthOptions } from './di.js';
export { javaIdHash, userNameOf, zooKeeperAuthOrder } from './order.js';
