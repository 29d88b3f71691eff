// zkCli transcripts: runs a zkCli.sh command script through Apache ZooKeeper's own
// ZooKeeperMain (via zkcli/ZkCliDriver.java, one JVM per script) against any server, and
// normalises the transcript so that two servers' transcripts can be compared line by line.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ZKCLI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'zkcli');
const SOURCE = join(ZKCLI_DIR, 'ZkCliDriver.java');
/** The script the differential test runs; `{server}` stands for the server's host:port. */
export const ZKCLI_SCRIPT = join(ZKCLI_DIR, 'script.zkcli');
/** Hard quotas, for a reference server started with enforceQuota=true. */
export const ZKCLI_QUOTA_ENFORCED_SCRIPT = join(ZKCLI_DIR, 'quota-enforced.zkcli');
const CLASSPATH_JARS = '/usr/share/java/zookeeper.jar:/usr/share/java/*';
/** Upper bound for one script run; a hung client fails the test instead of hanging CI. */
export const ZKCLI_TIMEOUT_MS = 60_000;

export function zkCliAvailable(): boolean {
  return existsSync('/usr/share/java/zookeeper.jar') && existsSync('/usr/bin/java') && existsSync('/usr/bin/javac');
}

function compiledDir(): string {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `zkts-zkcli-driver-${hash}`);
  if (!existsSync(join(dir, 'ZkCliDriver.class'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('/usr/bin/javac', ['-nowarn', '-cp', CLASSPATH_JARS, '-d', dir, SOURCE], { stdio: 'pipe' });
  }
  const log4j = join(dir, 'log4j-quiet.properties');
  if (!existsSync(log4j)) writeFileSync(log4j, 'log4j.rootLogger=ERROR, N\nlog4j.appender.N=org.apache.log4j.varia.NullAppender\n');
  return dir;
}

export interface ZkCliRun {
  /** The driver's transcript (see ZkCliDriver.java for the line prefixes). */
  readonly transcript: string;
  /** The JVM's own stderr (normally empty; zkCli's stderr is in the transcript, prefixed `! `). */
  readonly stderr: string;
}

/** Replaces `{server}` in a script with a connect string. */
export function fillScript(script: string, connectString: string): string {
  return script.replaceAll('{server}', connectString);
}

/** Runs a whole script in one JVM: `ZkCliDriver -server <connectString>` with the script on stdin. */
export async function runZkCli(connectString: string, script: string): Promise<ZkCliRun> {
  const dir = compiledDir();
  const child = spawn(
    '/usr/bin/java',
    ['-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dlog4j.configuration=file:${join(dir, 'log4j-quiet.properties')}`,
      '-cp', `${dir}:${CLASSPATH_JARS}`, 'ZkCliDriver', '-server', connectString],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => undefined);
  child.stdin.end(fillScript(script, connectString));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, ZKCLI_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const transcript = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  if (code !== 0 || timedOut) {
    throw new Error(`ZkCliDriver ${timedOut ? 'timed out' : `exited with ${code}`}: ${stderr.slice(-2000)}\n${transcript.slice(-2000)}`);
  }
  return { transcript, stderr };
}

const EPOCH_DATE = 'Thu Jan 01 00:00:00 UTC 1970';

/**
 * Normalises only what must differ between two servers:
 * - SLF4J / log4j lines (classpath noise printed when the client classes load);
 * - the server's host:port (connection banner `Connecting to ...`, the `connect` command);
 * - ctime/mtime dates (kept when they are the epoch, as /zookeeper's are) -> `<time>`;
 * - cZxid/mZxid/pZxid values -> Z1, Z2, ... in order of first appearance (0x0 is kept);
 * - non-zero ephemeralOwner session ids -> S1, S2, ... in order of first appearance.
 * Everything else (messages, data, ACLs, versions, counts, sequence numbers, event order) stays.
 */
export function normaliseTranscript(transcript: string, connectString: string): string[] {
  const zxids = new Map<string, string>();
  const sessions = new Map<string, string>();
  const rename = (map: Map<string, string>, prefix: string, v: string): string => {
    if (/^0x0+$/.test(v)) return '0x0';
    let n = map.get(v);
    if (n === undefined) map.set(v, (n = `${prefix}${map.size + 1}`));
    return n;
  };
  const out: string[] = [];
  for (const raw of transcript.split('\n')) {
    if (raw === '' || /^! (SLF4J|log4j):/.test(raw)) continue;
    let line = raw.replaceAll(connectString, '<server>');
    line = line.replace(/^\| ([cm]time) = (.*)$/, (_m, k: string, v: string) => `| ${k} = ${v === EPOCH_DATE ? v : '<time>'}`);
    line = line.replace(/^\| ([cmp]Zxid) = (0x[0-9a-f]+)$/, (_m, k: string, v: string) => `| ${k} = ${rename(zxids, 'Z', v)}`);
    line = line.replace(/^\| ephemeralOwner = (0x[0-9a-f]+)$/, (_m, v: string) => `| ephemeralOwner = ${rename(sessions, 'S', v)}`);
    out.push(line);
  }
  return out;
}

export interface Section {
  /** `# --- title` line of the script, or `(start)` for what comes before the first one. */
  readonly title: string;
  readonly lines: readonly string[];
}

/** Splits a normalised transcript at the script's `# --- title` lines. */
export function sections(lines: readonly string[]): Section[] {
  const out: { title: string; lines: string[] }[] = [{ title: '(start)', lines: [] }];
  for (const l of lines) {
    if (l.startsWith('# --- ')) out.push({ title: l.slice('# --- '.length), lines: [] });
    else out[out.length - 1]!.lines.push(l);
  }
  return out;
}

/**
 * A readable line diff (longest common subsequence): `-` lines only ZooKeeper printed, `+` lines
 * only zkts printed, each under the command (`> ...`) it belongs to. Empty when equal.
 */
export function diffTranscripts(expected: readonly string[], actual: readonly string[]): string {
  const n = expected.length;
  const m = actual.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = expected[i] === actual[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let command = '';
  let printed = '';
  const note = (sign: string, line: string): void => {
    if (command !== printed) {
      out.push(command);
      printed = command;
    }
    out.push(`${sign}${line}`);
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      if (expected[i]!.startsWith('> ')) command = expected[i]!;
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      note('-', expected[i++]!);
    } else {
      note('+', actual[j++]!);
    }
  }
  return out.join('\n');
}
