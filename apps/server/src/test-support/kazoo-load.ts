// Runs python/ensemble_client.py (kazoo under Debian's python3) for the ensemble tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'python', 'ensemble_client.py');

let available: boolean | undefined;
export function kazooAvailable(): boolean {
  available ??= spawnSync(SYSTEM_PYTHON, ['-c', 'import kazoo.client'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
  return available;
}

export interface LoadSummary {
  acked: number[];
  session_kept: boolean;
  ephemeral: boolean;
}

export interface KazooLoad {
  readonly child: ChildProcess;
  /** Acknowledged writes so far with the wall time (ms) of each ack. */
  readonly acks: Array<{ i: number; t: number }>;
  /** Resolves once `n` writes in total were acknowledged. */
  acked(n: number, timeoutMs: number): Promise<void>;
  /** Asks the client to stop, returns its summary. */
  finish(timeoutMs?: number): Promise<LoadSummary>;
  output(): string;
  kill(): void;
}

export function startKazooLoad(hosts: string, prefix: string, maxWrites: number): KazooLoad {
  const child = spawn(SYSTEM_PYTHON, [SCRIPT, 'load', hosts, prefix, String(maxWrites)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const acks: Array<{ i: number; t: number }> = [];
  let text = '';
  let summary: LoadSummary | null = null;
  let buffered = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        const ev = JSON.parse(line) as { ack?: number; t?: number; done?: boolean } & LoadSummary;
        if (ev.ack !== undefined) acks.push({ i: ev.ack, t: ev.t! });
        if (ev.done) summary = ev;
      } catch {
        // not JSON: kept in the output
      }
    }
    for (const l of [...listeners]) l();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const waitFor = (cond: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (cond()) return resolve();
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`kazoo load: ${what} not within ${timeoutMs} ms; output:\n${text.split('\n').slice(-20).join('\n')}`));
      }, timeoutMs);
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      void exited.then(() => {
        if (!cond()) {
          clearTimeout(timer);
          reject(new Error(`kazoo load exited before ${what}; output:\n${text.split('\n').slice(-20).join('\n')}`));
        }
      });
    });
  return {
    child,
    acks,
    acked: (n, timeoutMs) => waitFor(() => acks.length >= n, timeoutMs, `${n} acks`),
    async finish(timeoutMs = 30_000) {
      child.stdin!.write('stop\n');
      await waitFor(() => summary !== null, timeoutMs, 'the summary');
      return summary!;
    },
    output: () => text,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** One server's view of PREFIX: name -> [data, mzxid, version], after a sync. */
export function dumpServer(host: string, prefix: string): Promise<Record<string, [string, number, number]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, [SCRIPT, 'dump', host, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(out.trim().split('\n').pop()!) as { nodes: Record<string, [string, number, number]> }).nodes);
      } catch {
        reject(new Error(`dump of ${host} failed (exit ${code}): ${out}${err}`));
      }
    });
  });
}
