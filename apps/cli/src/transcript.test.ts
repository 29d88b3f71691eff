// The same script (transcripts/all-commands.zkcli, every zkCli command) through zkCli.sh and
// through zkts-cli against the same server — a reference Apache ZooKeeper 3.8 and a zkts server —
// must print the same, section by section, after normalising only what two runs cannot share
// (zxids, times, session ids, where zkCli's event thread interleaves its lines).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '@zkts/client';
import { defaultStandaloneConfig, memoryLogger, startStandaloneServer } from '@zkts/server';
import { referenceZooKeeperAvailable, startReferenceZooKeeper } from '@zkts/tools';
import {
  cleanServer, normalise, prepareScript, readTranscriptScript, runZkCliSh, runZktsCli, type Transcript, zkCliShAvailable,
} from './test-support/transcript.js';

const source = readTranscriptScript('all-commands.zkcli');
const zkCliReady = referenceZooKeeperAvailable() && zkCliShAvailable();
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;

interface Pair {
  titles: string[];
  zkCli: Transcript | undefined;
  zkts: Transcript;
}

async function runBoth(server: string): Promise<Pair> {
  const boot = await ZooKeeperClient.connect(server);
  await boot.create('/fixed', 'fixed').catch(() => undefined);
  await boot.close();
  const { script, titles } = prepareScript(source, server);
  let zkCli: Transcript | undefined;
  if (zkCliReady) {
    zkCli = normalise(await runZkCliSh(server, script, { TZ }), { zkCliBanner: true });
    await cleanServer(server);
  }
  const zkts = normalise(await runZktsCli(['-server', server], script), { zkCliBanner: false });
  await cleanServer(server);
  // ZKTS_CLI_DUMP=dir writes both normalised transcripts there, to read a failing section whole
  const dump = process.env.ZKTS_CLI_DUMP;
  if (dump) writeFileSync(join(dump, `transcripts-${server.replace(/[^0-9]/g, '_')}.json`), JSON.stringify({ titles, zkCli, zkts }, null, 1));
  return { titles, zkCli, zkts };
}

function sectionTests(name: string, pair: () => Pair): void {
  it(`${name}: zkts-cli runs the whole script`, () => {
    const p = pair();
    expect(p.zkts.stdout.length).toBe(p.titles.length + 1);
    expect(p.zkts.stderr.length).toBe(p.titles.length + 1);
    // the script really talks to the server: created nodes, errors and watch events
    expect(p.zkts.stderr.flat()).toContain('Created /t/app/child');
    expect(p.zkts.events).toContain('WatchedEvent state:SyncConnected type:NodeDataChanged path:/t/app/child');
  });
  it.skipIf(!zkCliReady).each(prepareScript(source, '').titles.map((title, i) => ({ title, i: i + 1 })))(
    `${name}: section $i ($title) prints the same as zkCli.sh`,
    ({ i }) => {
      const p = pair();
      expect(p.zkCli!.stdout[i]).toBeDefined();
      expect(p.zkts.stdout[i]).toBeDefined();
      expect({ stdout: p.zkts.stdout[i], stderr: p.zkts.stderr[i] }).toEqual({ stdout: p.zkCli!.stdout[i], stderr: p.zkCli!.stderr[i] });
    },
  );
  it.skipIf(!zkCliReady)(`${name}: the same watch events in the same order, and the same exit code`, () => {
    const p = pair();
    expect(p.zkts.events).toEqual(p.zkCli!.events);
    expect(p.zkts.exitCode).toBe(p.zkCli!.exitCode);
  });
}

describe.skipIf(!referenceZooKeeperAvailable())('transcripts against Apache ZooKeeper 3.8', () => {
  let zk: Awaited<ReturnType<typeof startReferenceZooKeeper>> | undefined;
  let pair: Pair;
  beforeAll(async () => {
    zk = await startReferenceZooKeeper({ config: { extendedTypesEnabled: true } });
    pair = await runBoth(zk.connectString);
  }, 120_000);
  afterAll(async () => {
    await zk?.stop();
  });
  sectionTests('ZooKeeper', () => pair);
});

describe('transcripts against zkts', () => {
  let server: Awaited<ReturnType<typeof startStandaloneServer>> | undefined;
  let pair: Pair;
  beforeAll(async () => {
    server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0, extendedTypesEnabled: true }), { logger: memoryLogger() });
    const { host, port } = server.listenAddress!;
    pair = await runBoth(`${host}:${port}`);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  sectionTests('zkts', () => pair);
});
