// Every knob of a simulated run, its default and its limit, in one place.

export type ElectionName = 'fast' | 'basic';
export const ELECTION_NAMES: readonly ElectionName[] = ['fast', 'basic'];

/**
 * Nemesis faults. crash: kill and later restart a random server; leader: crash the leader;
 * partition: random halves, majority/minority, isolate one, bridge; loss: drop messages;
 * delay: slow links; dup / reorder: duplicate or reorder messages (they break the transport
 * contract, so they are off unless asked for); pause: a GC-like stall of one server; skew: one
 * server's clock runs fast or slow; disk: slow fsyncs and torn unflushed writes at a crash.
 */
export type FaultKind = 'crash' | 'leader' | 'partition' | 'loss' | 'delay' | 'dup' | 'reorder' | 'pause' | 'skew' | 'disk';
export const FAULT_KINDS: readonly FaultKind[] = ['crash', 'leader', 'partition', 'loss', 'delay', 'dup', 'reorder', 'pause', 'skew', 'disk'];
/** What `--faults all` means: every fault the transport contract allows (not dup / reorder). */
export const FAULTS_ALL: readonly FaultKind[] = ['crash', 'leader', 'partition', 'loss', 'delay', 'pause', 'skew', 'disk'];

/** Test-only broken wirings that prove the harness can fail. */
/**
 * commit-without-quorum: the leader's quorum verifier counts the leader alone as a quorum.
 * stale-reads: a server answers a session that has seen a newer zxid than the server applied
 * (ZooKeeper refuses such a connection), so a session can go back in time.
 * election-ignores-zxid: votes carry zxid 0 and epoch 0, so the highest id wins; zab's
 * "learner is ahead of the leader" check keeps this safe: it shows as a liveness failure when a
 * lagging server has the highest id (a scripted scenario in the tests).
 */
export type PlantedBug = 'none' | 'commit-without-quorum' | 'stale-reads' | 'election-ignores-zxid';
export const PLANTED_BUGS: readonly PlantedBug[] = ['none', 'commit-without-quorum', 'stale-reads', 'election-ignores-zxid'];

/**
 * Client workloads, drawn per operation. register: read/write/cas/sync on /r0.. ; counter:
 * read + setData(n+1) at the version read, on /counter; ids: persistent-sequential creates under
 * /ids (unique ids); queue: enqueue = sequential create under /queue, dequeue = list, read the
 * lowest, delete it (Curator's recipe); members: ephemeral nodes under /members, and sessions
 * abandoned now and then (they must expire and take their nodes with them); lock: the
 * ephemeral-sequential lock recipe (acquire when lowest, hold, release).
 */
export type Workload = 'register' | 'counter' | 'ids' | 'queue' | 'members' | 'lock';
export const WORKLOADS: readonly Workload[] = ['register', 'counter', 'ids', 'queue', 'members', 'lock'];

export interface SimOptions {
  workloads: readonly Workload[];
  seed: number;
  servers: number;
  clients: number;
  election: ElectionName;
  faults: readonly FaultKind[];
  /** Client operations invoked in the safety phase. */
  ops: number;
  /** Register paths the workload uses (/r0, /r1, ...). */
  registers: number;
  tickMs: number;
  initLimitTicks: number;
  syncLimitTicks: number;
  /** Network delay per message (uniform). */
  netDelayMsMin: number;
  netDelayMsMax: number;
  /** Disk latency per flush (uniform). */
  diskLatencyMsMin: number;
  diskLatencyMsMax: number;
  /** Session timeout clients ask for; the leader expires a session not heard from for this long. */
  sessionTimeoutMs: number;
  /** A client gives up on an operation after this long: the outcome is unknown (info). */
  clientTimeoutMs: number;
  /** Pause between a client's operations. */
  clientThinkMsMax: number;
  /** Mean time between nemesis actions. */
  nemesisIntervalMs: number;
  /** Virtual time the liveness phase may take to converge. */
  livenessMsMax: number;
  bug: PlantedBug;
  /** A scripted nemesis (see script.ts), run in addition to the seeded one; '' = none. */
  script: string;
  /** Keep every trace line in memory (for --trace). */
  keepTrace: boolean;
  traceTailLines: number;
}

export const SERVERS_MAX = 9;
export const CLIENTS_MAX = 64;
export const OPS_MAX = 1_000_000;
export const REGISTERS_MAX = 100;

export const SIM_DEFAULTS: Omit<SimOptions, 'seed'> = Object.freeze({
  servers: 5,
  clients: 5,
  election: 'fast' as ElectionName,
  faults: FAULTS_ALL,
  workloads: WORKLOADS,
  ops: 1000,
  registers: 3,
  tickMs: 20,
  initLimitTicks: 10,
  syncLimitTicks: 5,
  netDelayMsMin: 1,
  netDelayMsMax: 5,
  diskLatencyMsMin: 0,
  diskLatencyMsMax: 2,
  clientTimeoutMs: 1000,
  sessionTimeoutMs: 3000,
  clientThinkMsMax: 10,
  nemesisIntervalMs: 400,
  livenessMsMax: 60_000,
  bug: 'none' as PlantedBug,
  script: '',
  keepTrace: false,
  traceTailLines: 40,
});

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`sim option ${name}: ${String(v)} is not an integer in [${min}, ${max}]`);
  }
  return v;
}

export function resolveSimOptions(partial: Partial<SimOptions> & { seed: number }): SimOptions {
  const o: SimOptions = { ...SIM_DEFAULTS, ...partial } as SimOptions;
  int('seed', o.seed, 0, 0xffff_ffff);
  int('servers', o.servers, 1, SERVERS_MAX);
  int('clients', o.clients, 1, CLIENTS_MAX);
  int('ops', o.ops, 0, OPS_MAX);
  int('registers', o.registers, 1, REGISTERS_MAX);
  int('tickMs', o.tickMs, 1, 10_000);
  int('initLimitTicks', o.initLimitTicks, 1, 10_000);
  int('syncLimitTicks', o.syncLimitTicks, 1, 10_000);
  int('netDelayMsMin', o.netDelayMsMin, 0, 10_000);
  int('netDelayMsMax', o.netDelayMsMax, o.netDelayMsMin, 10_000);
  int('diskLatencyMsMin', o.diskLatencyMsMin, 0, 10_000);
  int('diskLatencyMsMax', o.diskLatencyMsMax, o.diskLatencyMsMin, 10_000);
  int('clientTimeoutMs', o.clientTimeoutMs, 1, 3_600_000);
  int('sessionTimeoutMs', o.sessionTimeoutMs, 1, 3_600_000);
  int('clientThinkMsMax', o.clientThinkMsMax, 0, 60_000);
  int('nemesisIntervalMs', o.nemesisIntervalMs, 1, 3_600_000);
  int('livenessMsMax', o.livenessMsMax, 1, 3_600_000);
  int('traceTailLines', o.traceTailLines, 1, 100_000);
  if (!ELECTION_NAMES.includes(o.election)) throw new RangeError(`sim option election: "${o.election}" is not one of ${ELECTION_NAMES.join('|')}`);
  for (const f of o.faults) if (!FAULT_KINDS.includes(f)) throw new RangeError(`sim option faults: "${f}" is not one of ${FAULT_KINDS.join(',')}`);
  if (o.workloads.length === 0) throw new RangeError('sim option workloads: at least one workload');
  for (const w of o.workloads) if (!WORKLOADS.includes(w)) throw new RangeError(`sim option workloads: "${w}" is not one of ${WORKLOADS.join(',')}`);
  if (!PLANTED_BUGS.includes(o.bug)) throw new RangeError(`sim option bug: "${o.bug}" is not one of ${PLANTED_BUGS.join('|')}`);
  return o;
}

/** "crash,partition,loss" | "all" | "none" -> kinds; an unknown name is a RangeError naming it. */
export function parseFaults(text: string): FaultKind[] {
  if (text === 'none' || text === '') return [];
  if (text === 'all') return [...FAULTS_ALL];
  return text.split(',').map((s) => {
    const f = s.trim() as FaultKind;
    if (!FAULT_KINDS.includes(f)) throw new RangeError(`faults: "${s}" is not one of ${FAULT_KINDS.join(',')}|all|none`);
    return f;
  });
}

/** "register,queue" | "all" -> workloads; an unknown name is a RangeError naming it. */
export function parseWorkloads(text: string): Workload[] {
  if (text === 'all') return [...WORKLOADS];
  return text.split(',').map((s) => {
    const w = s.trim() as Workload;
    if (!WORKLOADS.includes(w)) throw new RangeError(`workloads: "${s}" is not one of ${WORKLOADS.join(',')}|all`);
    return w;
  });
}
