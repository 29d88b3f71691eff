// Runs one kazoo scenario (python/kazoo_scenarios.py) with Debian's /usr/bin/python3 against a
// server and returns its JSON result. The child is killed by pid if it outlives the bound.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter: python3-kazoo is installed for it, not for a pyenv python3 on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const KAZOO_SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'python', 'kazoo_scenarios.py');
/** Upper bound for one scenario run; its own waits are bounded well below this. */
export const KAZOO_SCENARIO_TIMEOUT_MS = 60_000;

let available: boolean | undefined;

/** True when /usr/bin/python3 exists and can import kazoo (checked once). */
export function kazooAvailable(): boolean {
  if (available === undefined) {
    available =
      existsSync(SYSTEM_PYTHON) &&
      spawnSync(SYSTEM_PYTHON, ['-c', 'import kazoo.client, kazoo.recipe.lock'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
  }
  return available;
}

export interface KazooOutcome {
  ok: boolean;
  result?: unknown;
  error?: string;
  trace?: string;
}

export async function runKazooScenario(connectString: string, scenario: string, root: string): Promise<KazooOutcome> {
  const child = spawn(SYSTEM_PYTHON, [KAZOO_SCENARIOS, connectString, scenario, root], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, KAZOO_SCENARIO_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const stdout = Buffer.concat(out).toString('utf8').trim();
  if (timedOut || code !== 0) {
    const why = timedOut ? `timed out after ${KAZOO_SCENARIO_TIMEOUT_MS} ms` : `exited with ${code}`;
    throw new Error(`kazoo scenario ${scenario} ${why}: ${Buffer.concat(err).toString('utf8').slice(-2000)}`);
  }
  const lastLine = stdout.split('\n').pop() ?? '';
  return JSON.parse(lastLine) as KazooOutcome;
}
