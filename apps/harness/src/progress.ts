// A progress bar on stderr for long sweeps: redrawn in place on a terminal, a line per 10% otherwise.
import type { HarnessIo } from './cli.js';

export interface Progress {
  tick(): void;
  done(): void;
}

/** Sweeps shorter than this show no bar. */
export const PROGRESS_MIN_STEPS = 20;
const WIDTH = 30;

export function progressBar(io: HarnessIo, total: number, label: string): Progress {
  let n = 0;
  let lastDecile = -1;
  const tty = io.isTty ?? false;
  const draw = (): void => {
    const filled = Math.round((n / total) * WIDTH);
    const pct = Math.floor((n / total) * 100);
    if (tty) io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${n}/${total} ${pct}%`);
    else if (Math.floor(pct / 10) !== lastDecile) {
      lastDecile = Math.floor(pct / 10);
      io.err(`${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${n}/${total} ${pct}%\n`);
    }
  };
  const enabled = total >= PROGRESS_MIN_STEPS;
  return {
    tick() {
      n++;
      if (enabled) draw();
    },
    done() {
      if (enabled && tty) io.err('\n');
    },
  };
}
