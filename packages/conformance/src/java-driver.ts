// Runs a script through the real Java ZooKeeper client (Debian's zookeeper.jar) against any
// server, via java/ScriptDriver.java compiled once per source version into the OS temp dir.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTranscript, toDriverLines, type Step, type Transcript } from './script.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'java', 'ScriptDriver.java');
const CLASSPATH_JARS = '/usr/share/java/zookeeper.jar:/usr/share/java/*';
/** Upper bound for one script run; a hung client fails the test instead of hanging CI. */
export const JAVA_DRIVER_TIMEOUT_MS = 120_000;

export function javaDriverAvailable(): boolean {
  return existsSync('/usr/share/java/zookeeper.jar') && existsSync('/usr/bin/javac');
}

function compiledDir(): string {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `zkts-script-driver-${hash}`);
  if (!existsSync(join(dir, 'ScriptDriver.class'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('/usr/bin/javac', ['-nowarn', '-cp', CLASSPATH_JARS, '-d', dir, SOURCE], { stdio: 'pipe' });
  }
  return dir;
}

export async function runJavaScript(connectString: string, steps: readonly Step[]): Promise<Transcript> {
  const dir = compiledDir();
  const log4j = join(dir, 'log4j-quiet.properties');
  if (!existsSync(log4j)) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(log4j, 'log4j.rootLogger=ERROR, N\nlog4j.appender.N=org.apache.log4j.varia.NullAppender\n');
  }
  const child = spawn('/usr/bin/java', ['-Xmx256m', `-Dlog4j.configuration=file:${log4j}`, '-cp', `${dir}:${CLASSPATH_JARS}`, 'ScriptDriver', connectString], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(toDriverLines(steps));
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), JAVA_DRIVER_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(`ScriptDriver exited with ${code}: ${Buffer.concat(err).toString().slice(-2000)}`);
  }
  return parseTranscript(Buffer.concat(out).toString('utf8'));
}
