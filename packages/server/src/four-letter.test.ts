// Four-letter words on the client port, shaped like Apache ZooKeeper 3.8's answers
// (reference/four-letter-words-3.8.0.txt holds the real server's output).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateMode, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { fourLetterWord } from '@zkts/tools';
import { startTestServer, type TestServer } from './test-support/server.js';
import type { RawClient } from './test-support/raw-client.js';

const REFERENCE = readFileSync(fileURLToPath(new URL('../reference/four-letter-words-3.8.0.txt', import.meta.url)), 'utf8');
/** The reference answer of `word` (each section ends with a blank separator line). */
function reference(word: string): string {
  const section = REFERENCE.split(/^=== /m).find((s) => s.startsWith(`${word}\n`));
  if (section === undefined || !section.endsWith('\n\n')) throw new Error(`no reference section for ${word}`);
  return section.slice(word.length + 1, -2);
}
/** Keys of `key<sep>value` lines. */
const keys = (text: string, sep: string): string[] => text.split('\n').filter((l) => l.includes(sep)).map((l) => l.slice(0, l.indexOf(sep)));

let zk: TestServer;
let client: RawClient;
const ask = (word: string): Promise<string> => fourLetterWord(zk.host, zk.port, word);

beforeAll(async () => {
  zk = await startTestServer();
  client = await zk.connect();
  await client.request(OpCode.create, { path: '/e', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.ephemeral });
  await client.request(OpCode.exists, { path: '/e', watch: true });
});
afterAll(async () => {
  await zk.stop();
});

describe('four-letter words', () => {
  test('ruok answers imok', async () => {
    expect(await ask('ruok')).toBe(reference('ruok'));
  });

  test('isro answers rw', async () => {
    expect(await ask('isro')).toBe(reference('isro'));
  });

  test('srvr has ZooKeeper\'s lines in the same order with the same keys', async () => {
    const got = await ask('srvr');
    expect(keys(got, ': ')).toEqual(keys(reference('srvr'), ': '));
    expect(got).toMatch(/^Zookeeper version: 3\.8\.0-/);
    expect(got).toMatch(/\nMode: standalone\n/);
    expect(got.endsWith('\n') && !got.endsWith('\n\n')).toBe(reference('srvr').endsWith('\n') && !reference('srvr').endsWith('\n\n'));
  });

  test('stat lists the clients between "Clients:" and a blank line, then srvr\'s lines', async () => {
    const got = await ask('stat');
    const lines = got.split('\n');
    expect(lines[1]).toBe('Clients:');
    const blank = lines.indexOf('', 2);
    const clients = lines.slice(2, blank);
    expect(clients.length).toBeGreaterThanOrEqual(2); // our raw client and this 4lw connection
    for (const l of clients) expect(l).toMatch(/^ \/127\.0\.0\.1:\d+\[[01]\]\(queued=\d+,recved=\d+,sent=\d+\)$/);
    expect(keys(got, ': ')).toEqual(keys(reference('stat'), ': '));
  });

  test('mntr is tab-separated key/value lines whose keys are ZooKeeper\'s', async () => {
    const got = await ask('mntr');
    const lines = got.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^zk_[a-z_]+\t\S.*$/);
    const ours = lines.map((l) => l.split('\t')[0]!);
    const theirs = new Set(keys(reference('mntr'), '\t'));
    expect(ours.filter((k) => !theirs.has(k))).toEqual([]);
    expect(ours.slice(0, 4)).toEqual(['zk_version', 'zk_server_state', 'zk_ephemerals_count', 'zk_num_alive_connections']);
    expect(got).toContain('zk_ephemerals_count\t1\n');
  });

  test('conf prints ZooKeeper\'s keys in ZooKeeper\'s order, with the bound port', async () => {
    const got = await ask('conf');
    const ref = keys(reference('conf'), '=');
    const ours = keys(got, '=');
    expect(ours.filter((k) => ref.includes(k))).toEqual(ref.filter((k) => ours.includes(k)));
    expect(ours).toContain('clientPort');
    expect(got).toContain(`clientPort=${zk.port}\n`);
  });

  test('cons lists each connection with its session details, then a blank line', async () => {
    const got = await ask('cons');
    expect(got.endsWith('\n\n')).toBe(true);
    const lines = got.trimEnd().split('\n');
    const withSession = lines.filter((l) => l.includes('sid='));
    expect(withSession).toHaveLength(1);
    expect(withSession[0]).toMatch(/^ \/127\.0\.0\.1:\d+\[1\]\(queued=0,recved=\d+,sent=\d+,sid=0x[0-9a-f]+,lop=\w+,est=\d+,to=\d+,lcxid=0x[0-9a-f]+,lzxid=0x[0-9a-f]+,lresp=\d+,llat=\d+,minlat=\d+,avglat=\d+,maxlat=\d+\)$/);
    expect(reference('cons').endsWith('\n\n')).toBe(true);
  });

  test('wchs summarises the watches', async () => {
    const got = await ask('wchs');
    expect(got).toBe('1 connections watching 1 paths\nTotal watches:1\n');
    expect(got.split('\n').length).toBe(reference('wchs').split('\n').length);
  });

  test('wchc lists the watched paths under each session id', async () => {
    expect(await ask('wchc')).toBe(`0x${client.session.sessionId.toString(16)}\n\t/e\n\n`);
  });

  test('wchp lists the watching sessions under each path', async () => {
    expect(await ask('wchp')).toBe(`/e\n\t0x${client.session.sessionId.toString(16)}\n\n`);
  });

  test('dump has ZooKeeper\'s sections, with connections grouped under an expiry line', async () => {
    const got = await ask('dump');
    const heads = (t: string) => t.split('\n').filter((l) => !l.startsWith('\t') && !/^\d+ expire at /.test(l) && !/^0x[0-9a-f]+:$/.test(l)).map((l) => l.replace(/\(\d+\)/g, '(n)'));
    expect(heads(got)).toEqual(heads(reference('dump')));
    expect(got).toContain(`\t/e\n`);
    // Connections sit under "<n> expire at <date>:" as in ZooKeeper (Java's Date format).
    const conns = got.slice(got.indexOf('Connections dump:'));
    expect(conns).toMatch(/\n\d+ expire at \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}:\n\tip: \/127\.0\.0\.1:\d+ sessionId: 0x/);
    expect(got).toMatch(/\n\d+ expire at \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}:\n\t0x[0-9a-f]+\n/);
  });

  test('envi starts with "Environment:" and lists key=value lines', async () => {
    const got = await ask('envi');
    const lines = got.trimEnd().split('\n');
    expect(lines[0]).toBe('Environment:');
    expect(lines[1]).toMatch(/^zookeeper\.version=3\.8\.0-/);
    for (const l of lines.slice(1)) expect(l).toMatch(/^[a-z.]+=/);
    const ref = keys(reference('envi'), '=');
    for (const k of ['host.name', 'os.name', 'os.arch', 'os.version', 'user.name', 'user.home', 'user.dir', 'os.memory.free', 'os.memory.max', 'os.memory.total']) {
      expect(ref).toContain(k);
      expect(keys(got, '=')).toContain(k);
    }
  });

  test('srst resets the server counters', async () => {
    expect(await ask('srst')).toBe(`${reference('srst')}\n`.replace(/\n\n$/, '\n'));
    expect(await ask('srvr')).toMatch(/\nReceived: [01]\n/);
  });

  test('crst resets the connection counters', async () => {
    expect(await ask('crst')).toBe(`${reference('crst')}\n`.replace(/\n\n$/, '\n'));
    const cons = await ask('cons');
    const line = cons.split('\n').find((l) => l.includes('sid='))!;
    expect(line).toMatch(/recved=0,sent=0/);
  });
});

test('a word not in the whitelist gets ZooKeeper\'s refusal and the connection closes', async () => {
  const other = await startTestServer({ enabledFourLetterWords: ['ruok'], fourLetterWordWhitelist: ['ruok'] } as never);
  try {
    expect(await fourLetterWord(other.host, other.port, 'ruok')).toBe('imok');
    expect(await fourLetterWord(other.host, other.port, 'srvr')).toBe('srvr is not executed because it is not in the whitelist.\n');
    expect(await fourLetterWord(other.host, other.port, 'dump')).toBe('dump is not executed because it is not in the whitelist.\n');
  } finally {
    await other.stop();
  }
});
