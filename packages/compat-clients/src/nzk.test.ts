// node-zookeeper-client 1.1.3 (npm) against Apache ZooKeeper 3.8 and against zkts. Each scenario
// in nzk-scenarios.ts runs on both servers at once (clients chrooted into /nzk-<scenario>); the
// two results must be equal, and equal to what ZooKeeper gives, written out below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NZK_SCENARIOS, runNzkScenario } from './nzk-scenarios.js';
import { referenceZooKeeperAvailable, startReference, startZkts, type RunningServer } from './servers.js';

const stat = (version: number, cversion: number, aversion: number, dataLength: number, numChildren: number, ephemeral = false) => ({
  version, cversion, aversion, dataLength, numChildren, ephemeral,
});
const USER_DIGEST = 'user:5w9W4eL3797Y4Wq8AcKUPPk8ha4='; // digest of user:secret
const READER_DIGEST = 'reader:Pl02CwJo6MmKqz1pMpYrTO4xXpI='; // digest of reader:pw

/** What Apache ZooKeeper 3.8.0 gives for each scenario (observed, and checked against its docs). */
const EXPECTED: Record<string, unknown> = {
  crud: {
    create: '/n',
    create_again: 'NODE_EXISTS',
    create_no_parent: 'NO_NODE',
    exists: stat(0, 0, 0, 2, 0),
    exists_missing: null,
    get: { data: 'd0', stat: stat(0, 0, 0, 2, 0) },
    get_missing: 'NO_NODE',
    set_v0: stat(1, 0, 0, 2, 0),
    set_stale: 'BAD_VERSION',
    set_any: stat(2, 0, 0, 2, 0),
    set_missing: 'NO_NODE',
    children: { children: ['a', 'b'], stat: stat(2, 2, 0, 2, 2) },
    children_missing: 'NO_NODE',
    remove_not_empty: 'NOT_EMPTY',
    remove_bad_version: 'BAD_VERSION',
    remove_v0: 'OK',
    remove_again: 'NO_NODE',
    // Created with null data: the server answers a -1 length, which this client hands back as undefined.
    null_data: { data: 'undefined', dataLength: 0 },
    empty_data: { data: '0 bytes', dataLength: 0 },
    big_roundtrip: true, // 200,000 bytes
    mkdirp: '/deep/er/path',
    mkdirp_children: ['path'],
    acl: { acls: [[31, 'world', 'anyone']], stat: stat(2, 3, 0, 2, 1) },
    root_children: ['big', 'deep', 'empty', 'n', 'null'],
  },
  modes: {
    ephemeral: '/e',
    owner_is_creator: true,
    child_of_ephemeral: 'NO_CHILDREN_FOR_EPHEMERALS',
    sequential: ['/s-0000000001', '/s-0000000002'], // the counter is the parent's cversion (/e made it 1)
    ephemeral_sequential: '/es-0000000003',
    sequential_after: '/s-0000000004',
    events: [
      { watch: 'exists /e', type: 'NODE_DELETED', path: '/e' },
      { watch: 'children /', type: 'NODE_CHILDREN_CHANGED', path: '/' },
    ],
    after_close: ['s-0000000001', 's-0000000002', 's-0000000004'],
  },
  transaction: {
    ok: {
      error: null,
      results: [
        { type: 1, path: '/t/a' },
        { type: 1, path: '/t/s-0000000002' },
        { type: 13 },
        { type: 5, stat: stat(2, 3, 0, 1, 3) },
        { type: 2 },
      ],
    },
    after_ok: ['a', 's-0000000002'],
    // Failed multi: ops before the failure err 0, the failure its code, ops after it -2.
    bad_version: { error: 'BAD_VERSION', results: [{ type: -1, err: 0 }, { type: -1, err: -103 }, { type: -1, err: -2 }] },
    node_exists: { error: 'NODE_EXISTS', results: [{ type: -1, err: 0 }, { type: -1, err: -110 }, { type: -1, err: -2 }] },
    no_node: { error: 'NO_NODE', results: [{ type: -1, err: -101 }] },
    after_failures: { children: ['a', 's-0000000002'], data: 'q', version: 2, a: '1', aVersion: 0 },
  },
  watchers: {
    firstRound: [
      // One NodeDataChanged notification reaches both the data and the exists watcher on /w/a.
      { watch: 'data /w/a', type: 'NODE_DATA_CHANGED', path: '/w/a' },
      { watch: 'exists /w/a', type: 'NODE_DATA_CHANGED', path: '/w/a' },
      { watch: 'exists /w/b', type: 'NODE_CREATED', path: '/w/b' },
      { watch: 'children /w', type: 'NODE_CHILDREN_CHANGED', path: '/w' },
    ],
    secondRound: [
      { watch: 'data /w/b', type: 'NODE_DELETED', path: '/w/b' },
      { watch: 'children /w', type: 'NODE_CHILDREN_CHANGED', path: '/w' },
      { watch: 'children /w (self)', type: 'NODE_DELETED', path: '/w' },
    ],
  },
  acl: {
    create: '/secret',
    stranger_get: 'NO_AUTH',
    stranger_getACL: 'NO_AUTH',
    stranger_set: 'NO_AUTH',
    wrong_password_get: 'NO_AUTH',
    reader_get: 's',
    reader_set: 'NO_AUTH',
    reader_acl: [[31, 'digest', 'user:x'], [1, 'digest', 'reader:x']], // no ADMIN: digests redacted
    owner_acl: [[31, 'digest', USER_DIGEST], [1, 'digest', READER_DIGEST]],
    owner_set: stat(1, 0, 0, 1, 0),
    creator_all: '/creator',
    creator_acl: [[31, 'digest', USER_DIGEST]],
    reader_creator_get: 'NO_AUTH',
    anon_creator_all: 'INVALID_ACL',
    setACL_v0: stat(0, 0, 1, 0, 0),
    setACL_stale: 'BAD_VERSION',
    anon_set_read_only: 'NO_AUTH',
    bad_acl: 'INVALID_ACL',
  },
  authFailed: { states: ['SYNC_CONNECTED', 'AUTH_FAILED'] },
  reconnect: {
    same_session: true,
    during_outage: 'OK',
    // setWatches with the client's last zxid: watches whose target changed while away fire at once.
    events: [
      { watch: 'data /data', type: 'NODE_DATA_CHANGED', path: '/data' },
      { watch: 'exists /later', type: 'NODE_CREATED', path: '/later' },
      { watch: 'children /', type: 'NODE_CHILDREN_CHANGED', path: '/' },
    ],
    events_after_roundtrip: 3,
    ephemeral_survives: true,
    auth_resent: 'g',
    unchanged_watch_still_armed: { watch: 'data /same', type: 'NODE_DATA_CHANGED', path: '/same' },
    states: ['SYNC_CONNECTED', 'DISCONNECTED', 'SYNC_CONNECTED'],
  },
};

/** Scenarios where zkts is known to differ from ZooKeeper (server bugs for the lead); run as it.fails. */
const KNOWN_ZKTS_DIFFERENCES = new Set<string>([]);

describe.skipIf(!referenceZooKeeperAvailable())('node-zookeeper-client against Apache ZooKeeper and zkts', () => {
  let zkts: RunningServer | undefined;
  let reference: RunningServer | undefined;

  beforeAll(async () => {
    [zkts, reference] = await Promise.all([startZkts(), startReference()]);
  });
  afterAll(async () => {
    await Promise.all([zkts?.stop(), reference?.stop()]);
  });

  it('every scenario has an expected result', () => {
    expect(Object.keys(NZK_SCENARIOS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    const test = KNOWN_ZKTS_DIFFERENCES.has(name) ? it.fails : it;
    test(`${name}: zkts answers node-zookeeper-client as ZooKeeper does`, async () => {
      const [onReference, onZkts] = await Promise.allSettled([
        runNzkScenario(reference!.connectString, name),
        runNzkScenario(zkts!.connectString, name),
      ]);
      if (onReference.status === 'rejected') throw new Error(`on Apache ZooKeeper: ${String(onReference.reason)}`);
      expect(onReference.value).toEqual(expected);
      if (onZkts.status === 'rejected') throw new Error(`on zkts: ${String(onZkts.reason)}`);
      expect(onZkts.value).toEqual(onReference.value);
    }, 60_000);
  }
});
