import { describe, expect, it } from 'vitest';
import { digest, generateDigest, generateSuperDigest } from './digest.js';

// Reference values from Apache ZooKeeper 3.8.0:
//   java -cp '/usr/share/java/*' org.apache.zookeeper.server.auth.DigestAuthenticationProvider <user:pass>
describe('digest', () => {
  it('equals ZooKeeper for user:pass', () => {
    expect(digest('user', 'pass')).toBe('user:smGaoVKd/cQkjm7b88GyorAUz20=');
  });
  it('equals ZooKeeper for super:secret', () => {
    expect(digest('super', 'secret')).toBe('super:lK75jTNcA+U9vtVEw5vB51mj/w4=');
  });
  it('equals ZooKeeper for an empty password', () => {
    expect(digest('bob', '')).toBe('bob:tK1fpNO1hB0F++FhHpSq0Fa4tv0=');
  });
  it('hashes the whole text when the password holds a colon', () => {
    expect(digest('alice', 'p@ss:word')).toBe('alice:8Ebu3DVf9bTwRnmYwgleXcenZLk=');
  });
  it('hashes UTF-8 bytes as ZooKeeper does', () => {
    expect(digest('ünï', 'cødé')).toBe('ünï:xQllqDAJT4MXfIfWHQyzwXoGn8M=');
  });
  it('takes the whole text as the user when there is no colon', () => {
    expect(generateDigest('nocolon')).toBe('nocolon:Ra+cHr2ZoHvBjtNArFGNGlVie4g=');
  });
  it('builds the super digest for the super user by default', () => {
    expect(generateSuperDigest('secret')).toBe('super:lK75jTNcA+U9vtVEw5vB51mj/w4=');
  });
});
