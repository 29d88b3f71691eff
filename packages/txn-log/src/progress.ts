// Progress of a long recovery (a big snapshot, a long log), reported through a callback at most
// once per interval of an injected clock: no timers, so the caller decides what time is.

/** Where a recovery is and how far it got. */
export interface RecoveryProgress {
  /** 'snapshot': decoding a snapshot; 'replay': applying log entries after it. */
  readonly phase: 'snapshot' | 'replay';
  /** True for the one report that closes a phase (with its total time); false for interim ones. */
  readonly done: boolean;
  /** The snapshot's file or key name (snapshot phase), or the zxid replay started from as hex. */
  readonly source: string;
  /** Snapshot: nodes decoded so far. Replay: nodes in the state, when the target can count them. */
  readonly nodes: number;
  /** Snapshot: bytes decoded so far (of `totalBytes`). Replay: 0 (log entries carry no size). */
  readonly bytes: number;
  readonly totalBytes: number;
  /** Log entries replayed so far (replay phase). */
  readonly entries: number;
  /** Time since the phase started, by the injected clock. */
  readonly elapsedMs: number;
}

export type RecoveryProgressListener = (progress: RecoveryProgress) => void;

/** Interim reports come at most this often (ms of the injected clock). */
export const PROGRESS_INTERVAL_MS_DEFAULT = 1000;
/** The snapshot decoder reports (and the clock is read) once per this many nodes. */
export const SNAPSHOT_PROGRESS_NODES = 1024;

/** What the snapshot decoder reports while it runs. */
export interface SnapshotDecodeProgress {
  readonly nodes: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface SnapshotLoadOptions {
  /** Called every SNAPSHOT_PROGRESS_NODES nodes while the snapshot is decoded. */
  readonly onProgress?: ((progress: SnapshotDecodeProgress) => void) | undefined;
}

/** Throttles progress reports to one per `intervalMs` of `now()`; `finish` always reports. */
export class ProgressMeter {
  private readonly started: number;
  private last: number;

  constructor(
    private readonly now: () => number,
    private readonly listener: RecoveryProgressListener,
    private readonly intervalMs: number = PROGRESS_INTERVAL_MS_DEFAULT,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`progressIntervalMs ${intervalMs} must be > 0`);
    this.started = now();
    this.last = this.started;
  }

  /** Reports when an interval has passed since the last report; `make` runs only then. */
  tick(make: () => Omit<RecoveryProgress, 'done' | 'elapsedMs'>): void {
    const t = this.now();
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    this.listener({ ...make(), done: false, elapsedMs: t - this.started });
  }

  finish(progress: Omit<RecoveryProgress, 'done' | 'elapsedMs'>): void {
    this.listener({ ...progress, done: true, elapsedMs: this.now() - this.started });
  }
}

/** "12.3 MB/s" from bytes over milliseconds ("-" when no time has passed). */
export function megabytesPerSecond(bytes: number, ms: number): string {
  return ms > 0 ? `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s` : '- MB/s';
}

/** One log line for a progress report (the server's startup log uses it). */
export function formatRecoveryProgress(p: RecoveryProgress): string {
  if (p.phase === 'snapshot') {
    const mb = (p.bytes / 1e6).toFixed(1);
    const total = (p.totalBytes / 1e6).toFixed(1);
    return p.done
      ? `loaded ${p.source}: ${p.nodes} nodes, ${total} MB in ${p.elapsedMs} ms (${megabytesPerSecond(p.totalBytes, p.elapsedMs)})`
      : `loading ${p.source}: ${p.nodes} nodes so far, ${mb} of ${total} MB (${megabytesPerSecond(p.bytes, p.elapsedMs)})`;
  }
  const rate = p.elapsedMs > 0 ? `${Math.round(p.entries / (p.elapsedMs / 1000))} entries/s` : '- entries/s';
  return p.done
    ? `replayed ${p.entries} log entries after ${p.source} in ${p.elapsedMs} ms (${rate}); ${p.nodes} nodes`
    : `replaying log after ${p.source}: ${p.entries} entries so far, ${p.nodes} nodes (${rate})`;
}
