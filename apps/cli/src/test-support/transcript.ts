// Transcript tests: one command script through zkCli.sh (one JVM, script piped in) and through
// zkts-cli (in-process, script on a non-TTY stdin) against the same server, then compared after
// normalising only what must differ between two runs (see normalise()).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { NoAuthError, NoNodeError, ZooKeeperClient } from '@zkts/client';
import { runCli } from '../cli.js';

export const ZKCLI_SH = '/usr/share/zookeeper/bin/zkCli.sh';
/** A hung zkCli.sh fails the test instead of hanging CI. */
export const ZKCLI_RUN_TIMEOUT_MS = 60_000;
export const TRANSCRIPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'transcripts');

export function zkCliShAvailable(): boolean {
  return existsSync(ZKCLI_SH) && existsSync('/usr/bin/java');
}

export interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** The marker node of section `i`: `create` prints `Created /m/s<i>` (stderr), `get` its title (stdout). */
const MARKER_PARENT = '/m';

/**
 * Turns a `.zkcli` file into the script both CLIs run: `{server}` filled in, `# --- title`
 * lines replaced by marker commands, other comments and blank lines dropped.
 */
export function prepareScript(text: string, server: string): { script: string; titles: string[] } {
  const titles: string[] = [];
  const out = [`create ${MARKER_PARENT}`];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('# --- ')) {
      const title = line.slice('# --- '.length);
      const node = `${MARKER_PARENT}/s${titles.length}`;
      titles.push(title);
      out.push(`create ${node} "@@ ${title}"`, `get ${node}`);
    } else if (line !== '' && !line.startsWith('#')) {
      out.push(line.replaceAll('{server}', server));
    }
  }
  return { script: `${out.join('\n')}\n`, titles };
}

/** Runs zkCli.sh with the script on stdin (a pipe: zkCli reads it line by line). */
export async function runZkCliSh(server: string, script: string, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(ZKCLI_SH, ['-server', server], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env, JVMFLAGS: '-Xmx256m -XX:TieredStopAtLevel=1' },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => undefined);
  child.stdin.end(script);
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, ZKCLI_RUN_TIMEOUT_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode };
}

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs zkts-cli in-process, as `zkts-cli -server S [args] < script`. */
export async function runZktsCli(args: string[], script: string | undefined): Promise<Run> {
  const out = collector();
  const err = collector();
  const exitCode = await runCli(args, {
    stdin: Readable.from(script === undefined ? [] : [script]),
    stdout: out.stream,
    stderr: err.stream,
    interactive: false,
  });
  return { stdout: out.text(), stderr: err.text(), exitCode };
}

export interface Transcript {
  /** stdout lines of each section (index 0: before the first marker), events removed. */
  stdout: string[][];
  stderr: string[][];
  /** The `WatchedEvent ...` lines in the order printed. */
  events: string[];
  exitCode: number | null;
}

const JAVA_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [A-Za-z0-9+:-]+ \d{4}$/;

/**
 * Normalises one run:
 * - zkCli's banner (`Connecting to`, `Welcome to ZooKeeper!`, `JLine support is ...`, the first
 *   SyncConnected event) and SLF4J lines;
 * - watch events are taken out of stdout (zkCli prints them from another thread, so where they
 *   fall between command outputs is a race) and compared as their own sequence;
 * - in every section except those titled `exact...`: ctime/mtime values in Java's Date format ->
 *   `<time>` (epoch dates kept), cZxid/mZxid/pZxid -> Z1, Z2, ... by first appearance (0x0 kept),
 *   non-zero ephemeralOwner -> S1, S2, ...
 */
export function normalise(run: Run, opts: { zkCliBanner: boolean }): Transcript {
  let out = run.stdout.split('\n');
  if (out.at(-1) === '') out.pop();
  let err = run.stderr.split('\n').filter((l) => !l.startsWith('SLF4J:'));
  if (err.at(-1) === '') err.pop();
  if (opts.zkCliBanner) out = out.filter((l) => !/^(Connecting to |Welcome to ZooKeeper!$|JLine support is )/.test(l));
  const kept: string[] = [];
  const events: string[] = [];
  let bannerEvent = opts.zkCliBanner;
  for (const line of out) {
    if ((line === 'WATCHER::' || line.startsWith('WatchedEvent state:')) && kept.at(-1) === '') {
      kept.pop();
      if (line === 'WATCHER::') continue;
      if (bannerEvent && line === 'WatchedEvent state:SyncConnected type:None path:null') {
        bannerEvent = false;
        continue;
      }
      events.push(line);
      continue;
    }
    kept.push(line);
  }
  const zxids = new Map<string, string>();
  const sessions = new Map<string, string>();
  const rename = (map: Map<string, string>, prefix: string, v: string): string => {
    if (/^0x0+$/.test(v)) return '0x0';
    let n = map.get(v);
    if (n === undefined) map.set(v, (n = `${prefix}${map.size + 1}`));
    return n;
  };
  const stdout: string[][] = [[]];
  let exact = false;
  for (const raw of kept) {
    const marker = /^@@ (.*)$/.exec(raw);
    if (marker) {
      stdout.push([]);
      exact = marker[1]!.startsWith('exact');
      continue;
    }
    let line = raw;
    if (!exact) {
      line = line.replace(/^([cm]time) = (.*)$/, (m, k: string, v: string) => (JAVA_DATE.test(v) && !v.endsWith(' 1970') ? `${k} = <time>` : m));
      line = line.replace(/^([cmp]Zxid) = (0x[0-9a-f]+)$/, (_m, k: string, v: string) => `${k} = ${rename(zxids, 'Z', v)}`);
      line = line.replace(/^ephemeralOwner = (0x[0-9a-f]+)$/, (_m, v: string) => `ephemeralOwner = ${rename(sessions, 'S', v)}`);
    }
    stdout[stdout.length - 1]!.push(line);
  }
  const stderr: string[][] = [[]];
  for (const line of err) {
    if (new RegExp(`^Created ${MARKER_PARENT}/s\\d+$`).test(line)) stderr.push([]);
    else if (line !== `Created ${MARKER_PARENT}`) stderr[stderr.length - 1]!.push(line);
  }
  return { stdout, stderr, events, exitCode: run.exitCode };
}

/** Deletes a subtree if it is there (between runs: every run starts from the same tree). */
export async function deleteTree(zk: ZooKeeperClient, path: string): Promise<void> {
  let children: string[];
  try {
    children = await zk.getChildren(path);
  } catch (e) {
    if (e instanceof NoNodeError) return;
    if (!(e instanceof NoAuthError)) throw e;
    children = []; // unreadable: delete it as a leaf (deleting needs only the parent's permission)
  }
  for (const c of children) await deleteTree(zk, `${path === '/' ? '' : path}/${c}`);
  await zk.delete(path, -1).catch((e: unknown) => {
    if (!(e instanceof NoNodeError)) throw e;
  });
}

/** Removes what a script run leaves behind: /t, /m and /t's quota nodes. */
export async function cleanServer(server: string): Promise<void> {
  const zk = await ZooKeeperClient.connect(server);
  try {
    await zk.addAuth('digest', 'alice:secret'); // the script's digest user owns some ACLs
    await deleteTree(zk, '/t');
    await deleteTree(zk, MARKER_PARENT);
    await deleteTree(zk, '/zookeeper/quota/t');
  } finally {
    await zk.close();
  }
}

export function readTranscriptScript(name: string): string {
  return readFileSync(join(TRANSCRIPTS_DIR, name), 'utf8');
}
