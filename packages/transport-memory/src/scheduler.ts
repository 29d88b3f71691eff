// Time for the in-memory network: an interface, a virtual clock driven by hand (deterministic)
// and a wall-clock one over setTimeout (for ordinary async tests).

/** Cancels a scheduled call; calling it after the call ran, or twice, does nothing. */
export type Cancel = () => void;

/** Where the network reads the time and schedules deliveries. Times are milliseconds. */
export interface Scheduler {
  now(): number;
  /** Runs fn once, delayMs from now (0 = as soon as possible, never inside this call). */
  schedule(delayMs: number, fn: () => void): Cancel;
}

/** Most events one ManualScheduler.run* call executes before it gives up (a livelock guard). */
export const MANUAL_SCHEDULER_RUN_EVENTS_MAX = 10_000_000;

interface Entry {
  readonly at: number;
  readonly seq: number;
  fn: (() => void) | null;
}

/**
 * A virtual clock. Nothing runs until the test says so: advance(ms) runs every event due up to
 * now + ms in time order, ties in the order they were scheduled, moving now() to each event's time
 * as it runs. Events scheduled while running (at a due time) run in the same call. Same inputs,
 * same order: that is what makes a simulated run reproducible.
 */
export class ManualScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private readonly heap: Entry[] = [];
  private live = 0;

  constructor(startMs = 0) {
    if (!Number.isFinite(startMs)) throw new RangeError(`ManualScheduler startMs: ${startMs} is not a finite number`);
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): Cancel {
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw new RangeError(`ManualScheduler.schedule delayMs: ${delayMs} is not a finite number >= 0`);
    }
    const entry: Entry = { at: this.time + delayMs, seq: this.seq++, fn };
    this.push(entry);
    this.live++;
    return () => {
      if (entry.fn !== null) {
        entry.fn = null;
        this.live--;
      }
    };
  }

  /** Events scheduled and neither run nor cancelled. */
  get pending(): number {
    return this.live;
  }

  /** When the next live event is due, or undefined when nothing is scheduled. */
  nextDueAt(): number | undefined {
    this.dropCancelledHead();
    return this.heap[0]?.at;
  }

  /** Runs everything due up to now + ms (ms may be 0: only what is due now), then sets now to it. */
  advance(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`ManualScheduler.advance ms: ${ms} is not a finite number >= 0`);
    const until = this.time + ms;
    const ran = this.runWhile((at) => at <= until);
    this.time = until;
    return ran;
  }

  /** Runs the next event (jumping the clock to it); false when nothing is scheduled. */
  runNext(): boolean {
    return this.runWhile(() => true, 1) === 1;
  }

  /**
   * Runs events until none is left, jumping the clock; returns how many ran. Throws if more than
   * maxEvents would run (something reschedules itself forever, e.g. a timer loop).
   */
  runUntilIdle(maxEvents = MANUAL_SCHEDULER_RUN_EVENTS_MAX): number {
    const ran = this.runWhile(() => true, maxEvents);
    if (this.nextDueAt() !== undefined) {
      throw new Error(`ManualScheduler.runUntilIdle: still busy after ${maxEvents} events`);
    }
    return ran;
  }

  private runWhile(due: (at: number) => boolean, maxEvents = MANUAL_SCHEDULER_RUN_EVENTS_MAX): number {
    let ran = 0;
    while (ran < maxEvents) {
      this.dropCancelledHead();
      const head = this.heap[0];
      if (head === undefined || !due(head.at)) break;
      this.pop();
      const fn = head.fn!;
      head.fn = null;
      this.live--;
      if (head.at > this.time) this.time = head.at;
      ran++;
      fn();
    }
    return ran;
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && this.heap[0]!.fn === null) this.pop();
  }

  private before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/**
 * The wall clock: now() is Date.now(), schedule() is setTimeout. Not deterministic; for tests that
 * await real events. Timers are unref'd so a forgotten network does not keep a process alive.
 */
export class RealScheduler implements Scheduler {
  now(): number {
    return Date.now();
  }

  schedule(delayMs: number, fn: () => void): Cancel {
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw new RangeError(`RealScheduler.schedule delayMs: ${delayMs} is not a finite number >= 0`);
    }
    const timer = setTimeout(fn, delayMs);
    timer.unref?.();
    return () => clearTimeout(timer);
  }
}

/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence, values in [0, 1).
 * Good enough for simulation choices; not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new RangeError(`seededRandom seed: ${seed} is not an integer`);
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
