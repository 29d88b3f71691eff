// Helpers for launchers of server processes (the reference ensemble, the benchmark ensembles).
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

// Processes still running when this process exits are killed by pid so none outlive it.
const livePids = new Set<number>();
let exitHookInstalled = false;

/** Kills `child` (SIGKILL, by pid) if this process exits while it still runs. */
export function killOnExit(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  livePids.add(pid);
  child.once('exit', () => livePids.delete(pid));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of livePids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Resolves once `child` has exited; rejects after `timeoutMs`. */
export function childExited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pid ${child.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The last `lines` lines of a log file, or a note that it does not exist. */
export function tailFile(file: string, lines: number): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
