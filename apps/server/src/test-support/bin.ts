// Runs the built zkts-server bin as a child process for tests: its output, a wait for a line,
// its exit code; every child still running after a test is killed by its pid (killLeftovers).
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'zkts-server.js');

export interface BinRun {
  child: ChildProcess;
  output: () => string;
  waitFor: (re: RegExp) => Promise<void>;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every bin a test started and left running (call from afterEach). */
export function killLeftovers(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

export function startBin(args: string[]): BinRun {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let text = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  const onData = (c: Buffer): void => {
    text += c.toString();
    for (const w of waiters.splice(0)) (w.re.test(text) ? w.resolve : () => waiters.push(w))();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor: (re) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(text)) return resolve();
        waiters.push({ re, resolve });
        void exited.then(() => reject(new Error(`exited before ${re}: ${text}`)));
      }),
  };
}
