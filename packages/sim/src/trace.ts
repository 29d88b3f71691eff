// The event trace of a run: one line per event, hashed as it is written (sha256), with the last
// lines kept for failure reports. Same seed and same code give byte-identical lines.
import { createHash, type Hash } from 'node:crypto';

/** Lines kept for the shortened trace printed with a failure. */
export const TRACE_TAIL_LINES_DEFAULT = 40;

export class Trace {
  private readonly hash: Hash = createHash('sha256');
  private readonly tail: string[] = [];
  private tailStart = 0;
  lines = 0;
  /** Every line, when asked for (memory grows with the run). */
  readonly all: string[] | undefined;

  constructor(private readonly clock: () => number, readonly tailLines = TRACE_TAIL_LINES_DEFAULT, keepAll = false) {
    if (!Number.isInteger(tailLines) || tailLines < 1) throw new RangeError(`Trace tailLines: ${tailLines} must be a positive integer`);
    this.all = keepAll ? [] : undefined;
  }

  add(text: string): void {
    const line = `${this.clock().toFixed(0).padStart(8)} ${text}`;
    this.hash.update(line + '\n');
    this.lines++;
    this.all?.push(line);
    if (this.tail.length < this.tailLines) this.tail.push(line);
    else {
      this.tail[this.tailStart] = line;
      this.tailStart = (this.tailStart + 1) % this.tailLines;
    }
  }

  /** The last lines, oldest first. */
  last(): string[] {
    return [...this.tail.slice(this.tailStart), ...this.tail.slice(0, this.tailStart)];
  }

  /** sha256 of every line so far (the hash object stays usable). */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }
}
