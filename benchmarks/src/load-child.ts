// Runs a load generator script in its own child process (so it never shares an event loop with a
// server) and hands back its JSON result; a failure comes back as a result with no ops.
import { spawn } from 'node:child_process';
import type { LoadResult } from './loadgen.js';

/** `script` gets `options` as JSON in argv and prints one LoadResult as JSON; killed by pid after `hardTimeoutMs`. */
export function runLoadChild(script: string, options: unknown, hardTimeoutMs: number): Promise<LoadResult | { failure: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    }, hardTimeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          resolve(JSON.parse(out) as LoadResult);
          return;
        } catch {
          /* fall through */
        }
      }
      const name = script.split('/').at(-1)!.replace(/(-main)?\.js$/, '');
      resolve({ failure: (err.trim() || `${name} exited with ${code}`).split('\n')[0]! });
    });
  });
}
