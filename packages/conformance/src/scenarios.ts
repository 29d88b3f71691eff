// The conformance scripts. Each claim of ZooKeeper's behaviour that the tree, the ACL code and
// the sessions must reproduce appears here as steps; the seeded random section adds breadth.
import { CreateMode, Perms, type ACL } from '@zkts/protocol';
import { OPEN, type MultiStep, type Step } from './script.js';

/** Session timeout asked for by every scripted session (within ZooKeeper's default bounds). */
export const SCRIPT_SESSION_TIMEOUT_MS = 10_000;

const digestId = (user: string, hash: string): ACL => ({ perms: Perms.all, id: { scheme: 'digest', id: `${user}:${hash}` } });
// digest('alice', 'secret') and digest('bob', 'pw') as ZooKeeper's DigestAuthenticationProvider computes them.
export const ALICE_DIGEST = 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=';
export const BOB_DIGEST = 'bob:ikIaKsbtGweaHnb/jKn7OHqbunM=';

function steps(s: number, ...bodies: Array<Omit<Step, 's'> & Record<string, unknown>>): Step[] {
  return bodies.map((b) => ({ ...b, s }) as Step);
}

export function basicScenario(): Step[] {
  const t = SCRIPT_SESSION_TIMEOUT_MS;
  const out: Step[] = [];
  out.push(...steps(0, { op: 'open', timeoutMs: t }), ...steps(1, { op: 'open', timeoutMs: t }), ...steps(2, { op: 'open', timeoutMs: t }));
  // Persistent nodes, data, Stat after create / setData / child changes.
  out.push(
    ...steps(
      0,
      { op: 'create', path: '/app', data: 'root' },
      { op: 'create', path: '/app', data: 'again' },
      { op: 'create', path: '/missing/child', data: 'x' },
      { op: 'create', path: '/app/null', data: null },
      { op: 'create', path: '/app/empty', data: '' },
      { op: 'getData', path: '/app/null' },
      { op: 'getData', path: '/app/empty' },
      { op: 'getData', path: '/app' },
      { op: 'exists', path: '/app' },
      { op: 'exists', path: '/nope' },
      { op: 'getChildren', path: '/app' },
      { op: 'setData', path: '/app', data: 'v1' },
      { op: 'setData', path: '/app', data: 'v2', version: 1 },
      { op: 'setData', path: '/app', data: 'v3', version: 7 },
      { op: 'setData', path: '/nope', data: 'v' },
      { op: 'getData', path: '/app' },
      { op: 'delete', path: '/app' },
      { op: 'delete', path: '/app/empty', version: 3 },
      { op: 'delete', path: '/app/empty', version: 0 },
      { op: 'delete', path: '/app/empty' },
      { op: 'getData', path: '/app' },
      { op: 'getChildren', path: '/' },
      { op: 'getChildren', path: '/zookeeper' },
      { op: 'getData', path: '/zookeeper/config' },
      { op: 'getAllChildrenNumber', path: '/' },
      { op: 'getAllChildrenNumber', path: '/app' },
      { op: 'getAllChildrenNumber', path: '/nope' },
      { op: 'sync', path: '/app' },
    ),
  );
  // Sequential naming from the parent's cversion, including after deletes.
  out.push(
    ...steps(
      0,
      { op: 'create', path: '/seq', data: null },
      { op: 'create', path: '/seq/n-', data: 'a', mode: CreateMode.persistentSequential },
      { op: 'create', path: '/seq/n-', data: 'b', mode: CreateMode.persistentSequential },
      { op: 'create', path: '/seq/plain', data: 'c' },
      { op: 'create', path: '/seq/n-', data: 'd', mode: CreateMode.persistentSequential },
      { op: 'delete', path: '/seq/n-0000000000' },
      { op: 'create', path: '/seq/n-', data: 'e', mode: CreateMode.persistentSequential },
      { op: 'create', path: '/seq/', data: 'f', mode: CreateMode.persistentSequential },
      { op: 'getChildren', path: '/seq' },
      { op: 'exists', path: '/seq' },
    ),
  );
  // Ephemerals: owners, no children, getEphemerals, removal when the session closes.
  out.push(
    ...steps(1, { op: 'create', path: '/eph', data: 'mine', mode: CreateMode.ephemeral }),
    ...steps(1, { op: 'create', path: '/eph/child', data: 'no' }),
    ...steps(1, { op: 'create', path: '/eph/child', data: 'no', mode: CreateMode.ephemeral }),
    ...steps(1, { op: 'create', path: '/seq/e-', data: 'q', mode: CreateMode.ephemeralSequential }),
    ...steps(1, { op: 'getEphemerals', prefix: '/' }),
    ...steps(1, { op: 'getEphemerals', prefix: '/seq' }),
    ...steps(0, { op: 'getEphemerals', prefix: '/' }),
    ...steps(0, { op: 'exists', path: '/eph', watch: true }),
    ...steps(0, { op: 'getChildren', path: '/seq', watch: true }),
    ...steps(0, { op: 'setData', path: '/eph', data: 'theirs' }),
    ...steps(0, { op: 'getData', path: '/eph', watch: true }),
    ...steps(2, { op: 'exists', path: '/eph', watch: true }),
    ...steps(1, { op: 'close' }),
    ...steps(0, { op: 'flush' }),
    ...steps(0, { op: 'exists', path: '/eph' }),
    ...steps(0, { op: 'getChildren', path: '/seq' }),
  );
  // Containers and TTL nodes (extendedTypesEnabled).
  out.push(
    ...steps(
      0,
      { op: 'create', path: '/box', data: null, mode: CreateMode.container },
      { op: 'create', path: '/box/item', data: 'i' },
      { op: 'exists', path: '/box' },
      { op: 'create', path: '/ttl', data: 't', mode: CreateMode.persistentWithTtl, ttl: 60_000 },
      { op: 'create', path: '/ttls-', data: 't', mode: CreateMode.persistentSequentialWithTtl, ttl: 60_000 },
      { op: 'exists', path: '/ttl' },
      { op: 'create', path: '/ttl0', data: 't', mode: CreateMode.persistentWithTtl, ttl: 0 },
      { op: 'create', path: '/box/eph', data: null, mode: CreateMode.ephemeral },
      { op: 'delete', path: '/box/eph' },
      { op: 'delete', path: '/box/item' },
      { op: 'exists', path: '/box' },
      { op: 'getChildren', path: '/box' },
    ),
  );
  // ACLs: digest, read-only world, ip, NoAuth on each permission, InvalidACL, addauth.
  const readOnly: ACL[] = [{ perms: Perms.read, id: { scheme: 'world', id: 'anyone' } }];
  const aliceAll: ACL[] = [digestId('alice', ALICE_DIGEST.split(':')[1]!)];
  const ipLocal: ACL[] = [{ perms: Perms.read | Perms.write, id: { scheme: 'ip', id: '127.0.0.1' } }];
  const ipOther: ACL[] = [{ perms: Perms.all, id: { scheme: 'ip', id: '10.0.0.0/8' } }];
  const creatorAll: ACL[] = [{ perms: Perms.all, id: { scheme: 'auth', id: '' } }];
  out.push(
    ...steps(
      0,
      { op: 'create', path: '/acl', data: null },
      { op: 'create', path: '/acl/ro', data: 'r', acl: readOnly },
      { op: 'setData', path: '/acl/ro', data: 'w' },
      { op: 'create', path: '/acl/ro/kid', data: 'k' },
      { op: 'getData', path: '/acl/ro' },
      { op: 'getACL', path: '/acl/ro' },
      { op: 'setACL', path: '/acl/ro', acl: OPEN },
      { op: 'create', path: '/acl/alice', data: 'a', acl: aliceAll },
      { op: 'getData', path: '/acl/alice' },
      { op: 'getACL', path: '/acl/alice' },
      { op: 'exists', path: '/acl/alice' },
      { op: 'create', path: '/acl/creator', data: 'c', acl: creatorAll },
      { op: 'create', path: '/acl/empty', data: 'c', acl: [] },
      { op: 'create', path: '/acl/badscheme', data: 'c', acl: [{ perms: 31, id: { scheme: 'nosuch', id: 'x' } }] },
      { op: 'create', path: '/acl/baddigest', data: 'c', acl: [{ perms: 31, id: { scheme: 'digest', id: 'nocolon' } }] },
      { op: 'create', path: '/acl/ip', data: 'i', acl: ipLocal },
      { op: 'getData', path: '/acl/ip' },
      { op: 'setData', path: '/acl/ip', data: 'j' },
      { op: 'delete', path: '/acl/ip' },
      { op: 'create', path: '/acl/ip10', data: 'i', acl: ipOther },
      { op: 'getData', path: '/acl/ip10' },
      { op: 'create', path: '/acl/badip', data: 'i', acl: [{ perms: 31, id: { scheme: 'ip', id: '10.0.0.0/99' } }] },
      { op: 'addAuth', scheme: 'digest', auth: 'alice:secret' },
      { op: 'getData', path: '/acl/alice' },
      { op: 'setData', path: '/acl/alice', data: 'b' },
      { op: 'create', path: '/acl/creator', data: 'c', acl: creatorAll },
      { op: 'getACL', path: '/acl/creator' },
      { op: 'create', path: '/acl/alice/kid', data: 'k' },
      { op: 'setACL', path: '/acl/alice', acl: readOnly, version: 5 },
      { op: 'setACL', path: '/acl/alice', acl: [...aliceAll, ...readOnly], version: 0 },
      { op: 'getACL', path: '/acl/alice' },
      { op: 'setACL', path: '/acl/nope', acl: OPEN },
    ),
    ...steps(2, { op: 'getData', path: '/acl/alice' }, { op: 'setData', path: '/acl/alice', data: 'x' }, { op: 'getData', path: '/acl/creator' }),
    ...steps(2, { op: 'delete', path: '/acl/alice/kid' }),
    ...steps(2, { op: 'addAuth', scheme: 'digest', auth: 'bob:pw' }, { op: 'getData', path: '/acl/creator' }),
    ...steps(0, { op: 'delete', path: '/acl/alice/kid' }, { op: 'getChildren', path: '/acl' }),
  );
  // Watches: one-shot data/child/exists, their order on create and delete; persistent ones.
  out.push(
    ...steps(2, { op: 'exists', path: '/w', watch: true }, { op: 'getChildren', path: '/', watch: true }),
    ...steps(0, { op: 'create', path: '/w', data: '1' }),
    ...steps(2, { op: 'getData', path: '/w', watch: true }, { op: 'getChildren', path: '/w', watch: true }, { op: 'exists', path: '/w/c', watch: true }),
    ...steps(0, { op: 'create', path: '/w/c', data: 'c' }, { op: 'setData', path: '/w', data: '2' }),
    ...steps(2, { op: 'flush' }),
    ...steps(2, { op: 'getData', path: '/w/c', watch: true }, { op: 'getChildren', path: '/w', watch: true }, { op: 'getChildren', path: '/w/c', watch: true }),
    ...steps(0, { op: 'delete', path: '/w/c' }),
    ...steps(2, { op: 'flush' }),
    ...steps(2, { op: 'addWatch', path: '/p', recursive: false }, { op: 'addWatch', path: '/r', recursive: true }),
    ...steps(
      0,
      { op: 'create', path: '/p', data: '1' },
      { op: 'create', path: '/p/k', data: '1' },
      { op: 'setData', path: '/p', data: '2' },
      { op: 'setData', path: '/p/k', data: '2' },
      { op: 'create', path: '/r', data: '1' },
      { op: 'create', path: '/r/a', data: '1' },
      { op: 'create', path: '/r/a/b', data: '1' },
      { op: 'setData', path: '/r/a/b', data: '2' },
      { op: 'delete', path: '/r/a/b' },
      { op: 'delete', path: '/p/k' },
    ),
    ...steps(2, { op: 'flush' }),
    ...steps(2, { op: 'removeWatches', path: '/p', type: 3 }, { op: 'removeWatches', path: '/nowatch', type: 2 }, { op: 'getData', path: '/r/a', watch: true }),
    ...steps(2, { op: 'removeWatches', path: '/r/a', type: 2 }, { op: 'removeWatches', path: '/r/a', type: 1 }),
    ...steps(0, { op: 'setData', path: '/p', data: '3' }, { op: 'setData', path: '/r/a', data: '3' }),
    ...steps(2, { op: 'flush' }),
  );
  // Multi: success, failure with per-op results (and nothing applied), multiRead.
  const ok: MultiStep[] = [
    { op: 'create', path: '/m', data: 'm' },
    { op: 'create', path: '/m/a', data: 'a' },
    { op: 'create', path: '/m/s-', data: 's', mode: CreateMode.persistentSequential },
    { op: 'setData', path: '/m', data: 'mm', version: 0 },
    { op: 'check', path: '/m', version: 1 },
    { op: 'delete', path: '/m/a', version: 0 },
  ];
  const failing: MultiStep[] = [
    { op: 'create', path: '/m/b', data: 'b' },
    { op: 'setData', path: '/m', data: 'x', version: 1 },
    { op: 'check', path: '/m', version: 99 },
    { op: 'create', path: '/m/c', data: 'c' },
  ];
  out.push(
    ...steps(2, { op: 'getData', path: '/m', watch: true }, { op: 'exists', path: '/m/b', watch: true }),
    ...steps(
      0,
      { op: 'multi', ops: ok },
      { op: 'getChildren', path: '/m' },
      { op: 'multi', ops: failing },
      { op: 'exists', path: '/m/b' },
      { op: 'getData', path: '/m' },
      { op: 'multi', ops: [{ op: 'create', path: '/m/x', data: 'x' }, { op: 'create', path: '/m/x', data: 'y' }] },
      { op: 'multi', ops: [{ op: 'delete', path: '/m/nope' }, { op: 'create', path: '/m/y', data: 'y' }] },
      { op: 'multi', ops: [{ op: 'create', path: '/m/e', data: 'e', mode: CreateMode.ephemeral }, { op: 'create', path: '/m/e/x', data: 'x' }] },
      { op: 'multi', ops: [{ op: 'create', path: '/acl/ro/x', data: 'x' }] },
      { op: 'multi', ops: [] },
      { op: 'multiRead', ops: [{ op: 'getData', path: '/m' }, { op: 'getChildren', path: '/m' }, { op: 'getData', path: '/nope' }, { op: 'getChildren', path: '/acl/alice' }] },
      { op: 'multi', ops: [{ op: 'create', path: '/m/t', data: 't' }, { op: 'setData', path: '/m/t', data: 'u', version: 0 }, { op: 'delete', path: '/m/t', version: 1 }] },
      { op: 'exists', path: '/m/t' },
    ),
    ...steps(2, { op: 'flush' }),
  );
  return out;
}

/** A tiny deterministic PRNG (mulberry32), so the random section is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded random operations over a small namespace, so that creates, deletes, version checks,
 * sequential and ephemeral nodes and multis collide often. Opens sessions 3 and 4 itself.
 * One-shot watches are set only by session 3 and persistent ones only by session 4: on a path
 * where one session holds both kinds, ZooKeeper 3.8 keeps only the newer one while 3.9 (and
 * zkts) keep both, so mixing them would compare two ZooKeeper versions, not zkts. For the same
 * reason each path gets one persistent mode (persistent or recursive), never both.
 */
export function randomScenario(seed: number, count: number): Step[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const paths = ['/rnd', '/rnd/a', '/rnd/b', '/rnd/a/x', '/rnd/a/y', '/rnd/b/z', '/rnd/c'];
  const versions = [-1, -1, 0, 1, 2];
  const modes = [CreateMode.persistent, CreateMode.persistent, CreateMode.ephemeral, CreateMode.persistentSequential, CreateMode.ephemeralSequential, CreateMode.container];
  const out: Step[] = [
    { s: 3, op: 'open', timeoutMs: SCRIPT_SESSION_TIMEOUT_MS },
    { s: 4, op: 'open', timeoutMs: SCRIPT_SESSION_TIMEOUT_MS },
    { s: 3, op: 'create', path: '/rnd', data: 'r' },
  ];
  const write = (): MultiStep => {
    const r = rnd();
    const path = pick(paths);
    if (r < 0.4) return { op: 'create', path, data: pick(['', 'x', 'yy', null]), mode: pick(modes) };
    if (r < 0.65) return { op: 'setData', path, data: pick(['1', '22', '']), version: pick(versions) };
    if (r < 0.9) return { op: 'delete', path, version: pick(versions) };
    return { op: 'check', path, version: pick(versions) };
  };
  for (let i = 0; i < count; i++) {
    const s = pick([3, 3, 4]);
    const r = rnd();
    const path = pick(paths);
    if (r < 0.45) {
      const w = write();
      out.push(w.op === 'check' ? { s, op: 'exists', path: w.path, watch: s === 3 && rnd() < 0.5 } : ({ s, ...w } as Step));
    } else if (r < 0.6) {
      out.push({ s, op: pick(['exists', 'getData', 'getChildren'] as const), path, watch: s === 3 && rnd() < 0.5 });
    } else if (r < 0.75) {
      const n = 1 + Math.floor(rnd() * 4);
      out.push({ s, op: 'multi', ops: Array.from({ length: n }, write) });
    } else if (r < 0.8) {
      out.push({ s, op: 'getAllChildrenNumber', path });
    } else if (r < 0.85) {
      out.push({ s, op: 'getEphemerals', prefix: pick(['/rnd', '/rnd/a', '/']) });
    } else if (r < 0.9) {
      // One mode per path for the same reason: 3.8 replaces a path's persistent mode, 3.9 adds to it.
      out.push({ s: 4, op: 'addWatch', path, recursive: path.split('/').length % 2 === 0 });
    } else {
      out.push({ s, op: 'flush' });
    }
  }
  out.push({ s: 4, op: 'close' }, { s: 3, op: 'flush' }, { s: 3, op: 'getChildren', path: '/rnd' }, { s: 3, op: 'getAllChildrenNumber', path: '/rnd' });
  return out;
}

/** The full differential script: the scripted claims, then the seeded random section. */
export function fullScenario(seed = 1, randomCount = 150): Step[] {
  return [...basicScenario(), ...randomScenario(seed, randomCount)];
}
