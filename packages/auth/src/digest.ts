// ZooKeeper's digest scheme: the id is "user:" + base64(SHA-1("user:password")), standard
// base64 with padding, of the UTF-8 bytes of the whole "user:password" string.
import { createHash } from 'node:crypto';
import { javaSplitLimit } from './java.js';

/** The user name ZooKeeper's documentation uses for the super digest. */
export const SUPER_USER_DEFAULT = 'super';

/**
 * ZooKeeper's DigestAuthenticationProvider.generateDigest: the user is the text before the first
 * ':' (the whole text when there is none), the hash covers the whole text.
 */
export function generateDigest(idPassword: string): string {
  const user = javaSplitLimit(idPassword, ':', 2)[0];
  const hash = createHash('sha1').update(idPassword, 'utf8').digest('base64');
  return `${user}:${hash}`;
}

/** The digest id ("user:base64(sha1(user:password))") for a user and password. */
export function digest(user: string, password: string): string {
  return generateDigest(`${user}:${password}`);
}

/**
 * The value for the superDigest option (ZooKeeper's
 * -Dzookeeper.DigestAuthenticationProvider.superDigest): a session that runs
 * `addauth digest <user>:<password>` with these credentials becomes super.
 */
export function generateSuperDigest(password: string, user: string = SUPER_USER_DEFAULT): string {
  return digest(user, password);
}
