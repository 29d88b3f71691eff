// The same script through the real Java client against Apache ZooKeeper and against a zkts
// server, compared field by field (error codes, paths, data, ACLs, every Stat field with zxids,
// times and session ids mapped, watch events and their order).
import { describe, expect, it } from 'vitest';
import { referenceZooKeeperAvailable, startReferenceZooKeeper } from '@zkts/tools';
import { defaultStandaloneConfig, memoryLogger, startStandaloneServer } from '@zkts/server';
import { javaDriverAvailable, runJavaScript } from './java-driver.js';
import { compareTranscripts, formatDifferences } from './compare.js';
import { fullScenario } from './scenarios.js';
import type { Step, Transcript } from './script.js';

async function onReference(steps: readonly Step[]): Promise<Transcript> {
  const zk = await startReferenceZooKeeper({ config: { extendedTypesEnabled: true } });
  try {
    return await runJavaScript(zk.connectString, steps);
  } finally {
    await zk.stop();
  }
}

async function onZkts(steps: readonly Step[]): Promise<Transcript> {
  const logger = memoryLogger('info');
  const server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0, extendedTypesEnabled: true }), { logger });
  try {
    const { host, port } = server.listenAddress!;
    return await runJavaScript(`${host}:${port}`, steps);
  } finally {
    await server.stop();
  }
}

/** Seeds of the random section; a wider sweep: ZKTS_DIFF_SEEDS=1..200 npm test. */
function seeds(): number[] {
  const spec = process.env['ZKTS_DIFF_SEEDS'] ?? '1..6';
  const m = /^(\d+)\.\.(\d+)$/.exec(spec);
  if (!m) throw new Error(`ZKTS_DIFF_SEEDS must look like 1..6, got ${JSON.stringify(spec)}`);
  const out: number[] = [];
  for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(i);
  return out;
}

describe.skipIf(!referenceZooKeeperAvailable() || !javaDriverAvailable())('differential: Java client against Apache ZooKeeper and zkts', () => {
  it.each(seeds())('answers the full script (random section seed %i) exactly as ZooKeeper 3.8 does', async (seed) => {
    const steps = fullScenario(seed, 150);
    expect(steps.length).toBeGreaterThanOrEqual(300);
    const [reference, zkts] = await Promise.all([onReference(steps), onZkts(steps)]);
    expect(reference.outcomes.length).toBe(steps.length);
    const { differences, problems } = compareTranscripts(steps, reference, zkts);
    expect(problems).toEqual([]);
    expect(formatDifferences(differences)).toBe('');
  }, 180_000);
});
