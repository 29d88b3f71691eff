// Runs one scenario of java/CuratorScenarios.java (Apache Curator 5.4 from Debian) against any
// server. The program is compiled once per source version into the OS temp dir and prints one
// line "RESULT {json}" with what it observed.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'java', 'CuratorScenarios.java');

/**
 * An exact class path: '/usr/share/java/*' would also bring in several SLF4J bindings and
 * duplicate versioned jars. slf4j-nop keeps Curator and the ZooKeeper client quiet.
 */
export const CURATOR_JARS = [
  'curator-client', 'curator-framework', 'curator-recipes', 'curator-x-discovery',
  'zookeeper', 'zookeeper-jute', 'guava', 'jackson-databind', 'jackson-core', 'jackson-annotations',
  'slf4j-api', 'slf4j-nop',
].map((n) => `/usr/share/java/${n}.jar`);
const CLASSPATH = CURATOR_JARS.join(':');

/** Upper bound for one scenario run: a hung client fails the test instead of hanging CI. */
export const CURATOR_SCENARIO_TIMEOUT_MS = 90_000;

export const SCENARIOS = [
  'connection', 'mutex', 'leaderLatch', 'barrier', 'sharedCount', 'curatorCache', 'discovery', 'framework', 'sessionExpiry',
  // interop with the TypeScript recipes (extra arguments: base path, contenders[, rounds])
  'mutexInterop', 'latchInterop',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function curatorAvailable(): boolean {
  return existsSync('/usr/bin/javac') && existsSync('/usr/bin/java') && CURATOR_JARS.every((j) => existsSync(j));
}

function compiledDir(): string {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `zkts-curator-scenarios-${hash}`);
  if (!existsSync(join(dir, 'CuratorScenarios.class'))) {
    // Compile into a private dir and rename it into place, so parallel runs never see half a build.
    const work = mkdtempSync(join(tmpdir(), 'zkts-curator-build-'));
    execFileSync('/usr/bin/javac', ['-nowarn', '-cp', CLASSPATH, '-d', work, SOURCE], { stdio: 'pipe' });
    mkdirSync(dirname(dir), { recursive: true });
    try {
      renameSync(work, dir);
    } catch (e) {
      if (!existsSync(join(dir, 'CuratorScenarios.class'))) throw e;
    }
  }
  return dir;
}

export interface ScenarioRun {
  /** What the scenario observed (has `error` when it threw). */
  result: Record<string, unknown>;
  exitCode: number | null;
  stderr: string;
}

export async function runCuratorScenario(connectString: string, scenario: ScenarioName, args: readonly string[] = []): Promise<ScenarioRun> {
  const dir = compiledDir();
  const child = spawn('/usr/bin/java', ['-Xmx256m', '-cp', `${dir}:${CLASSPATH}`, 'CuratorScenarios', connectString, scenario, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), CURATOR_SCENARIO_TIMEOUT_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const stdout = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    throw new Error(`CuratorScenarios ${scenario} exited with ${exitCode} and no result: ${stderr.slice(-2000)}`);
  }
  return { result: JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>, exitCode, stderr };
}
