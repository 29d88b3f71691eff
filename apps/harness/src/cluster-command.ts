// zkts-harness cluster: the register workload against a real multi-process zkts ensemble while
// a seeded nemesis SIGKILLs (then restarts) and SIGSTOPs (then SIGCONTs) members. Every op is
// recorded invoke / ok / fail / info (info: outcome unknown — connection loss, timeout); after
// the run the ensemble is healed, each member is read after a sync to compare node data, and
// the history is checked with the 'zookeeper' model (the 'register' model is reported too).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BadVersionError, ConnectionLossError, NoNodeError, NodeExistsError, NO_RETRY, OperationTimeoutError, SessionExpiredError,
  ZooKeeperClient, ZooKeeperError,
} from '@zkts/client';
import { checkHistory, formatCheckResult, HistoryRecorder, SEED_MAX, SimRandom, toJsonLines, type CheckResult, type HistoryEvent, type PendingOp } from '@zkts/sim';
import { choiceFlag, intFlag, parseArgs, UsageError } from './args.js';
import { ClusterEnsemble, type ClusterMember } from './cluster/ensemble.js';
import type { HarnessIo } from './cli.js';

export const CLUSTER_SERVERS = [3, 5] as const;
export const CLUSTER_FAULTS = ['kill', 'stop'] as const;
export type ClusterFault = (typeof CLUSTER_FAULTS)[number];
export const CLUSTER_OPS_MAX = 100_000;
export const CLUSTER_CLIENTS_MAX = 32;
export const CLUSTER_REGISTERS = 3;
/** Ops per second over all clients (paces the run so the nemesis has time to act). */
export const CLUSTER_RATE_DEFAULT = 20;
export const CLUSTER_RATE_MAX = 10_000;
export const CLUSTER_SESSION_TIMEOUT_MS = 4000;
/** An op with no answer within this is recorded as info. */
export const CLUSTER_OP_TIMEOUT_MS = 8000;
export const CLUSTER_QUORUM_TIMEOUT_MS = 60_000;
/** The whole workload phase ends after this, whatever is left. */
export const CLUSTER_RUN_MS_MAX_DEFAULT = 300_000;
/** Nemesis: quiet time before each fault and how long a fault lasts (ms, inclusive ranges). */
export const NEMESIS_GAP_MS: readonly [number, number] = [500, 1500];
export const NEMESIS_HOLD_MS: readonly [number, number] = [1000, 2500];
export const NEMESIS_FAULTS_MAX = 1000;

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ClusterSummary {
  ops: { invoked: number; ok: number; fail: number; info: number };
  faults: string[];
  converged: boolean;
  finalData: Array<Record<string, string | null>>;
  zookeeper: CheckResult;
  register: CheckResult;
}

class OpTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, fail) => (timer = setTimeout(() => fail(new OpTimeout(`no answer within ${ms} ms`)), ms))),
  ]);
}

const text = (data: Uint8Array | null): string | null => (data === null ? null : Buffer.from(data).toString('utf8'));

/** Failures whose outcome is unknown (the op may or may not have happened). */
function unknownOutcome(err: unknown): boolean {
  return err instanceof OpTimeout || err instanceof ConnectionLossError || err instanceof OperationTimeoutError || err instanceof SessionExpiredError || !(err instanceof ZooKeeperError);
}

function errorName(err: unknown): string {
  if (err instanceof ZooKeeperError) return err.codeName;
  if (err instanceof OpTimeout) return 'TIMEOUT';
  return (err as Error)?.name ?? 'ERROR';
}

interface Worker {
  index: number;
  process: number;
  client: ZooKeeperClient | null;
  /** Last value + version read per path (a cas goes from it). */
  known: Map<string, { value: string | null; version: number }>;
}

export async function clusterCommand(argv: readonly string[], io: HarnessIo): Promise<number> {
  const args = parseArgs(argv, ['servers', 'election', 'ops', 'clients', 'faults', 'seed', 'history', 'rate', 'time-ms', 'connect'], ['keep']);
  const connectMode = choiceFlag(args, 'connect', 'all', ['all', 'one'] as const);
  const servers = Number(choiceFlag(args, 'servers', '3', CLUSTER_SERVERS.map(String)));
  const election = choiceFlag(args, 'election', 'fast', ['fast', 'basic'] as const);
  const ops = intFlag(args, 'ops', 500, 1, CLUSTER_OPS_MAX);
  const clients = intFlag(args, 'clients', 3, 1, CLUSTER_CLIENTS_MAX);
  const seed = intFlag(args, 'seed', 1, 0, SEED_MAX);
  const rate = intFlag(args, 'rate', CLUSTER_RATE_DEFAULT, 1, CLUSTER_RATE_MAX);
  const timeMs = intFlag(args, 'time-ms', CLUSTER_RUN_MS_MAX_DEFAULT, 1000, 24 * 3600_000);
  const faults = parseClusterFaults(args.flags.get('faults') ?? 'kill,stop');
  const keep = args.flags.get('keep') === 'true';
  const historyFile = args.flags.get('history');
  if (args.positionals.length) throw new UsageError(`cluster takes no positional arguments (got "${args.positionals[0]}")`);

  const started = Date.now();
  const ensemble = await ClusterEnsemble.create(servers, election);
  const onSignal = (): void => {
    ensemble.killAllNow();
    if (!keep) ensemble.removeFiles();
    process.exit(130);
  };
  const onExit = (): void => ensemble.killAllNow();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  try {
    await ensemble.waitForQuorum(CLUSTER_QUORUM_TIMEOUT_MS, wait);
    io.err(`cluster: ${servers} members up (${ensemble.connectString}) in ${Date.now() - started} ms; data in ${ensemble.root}\n`);
    const summary = await runWorkload(ensemble, { ops, clients, seed, rate, faults, timeMs, connectMode }, io);
    if (historyFile) {
      const file = resolve(io.cwd ?? '.', historyFile);
      try {
        await writeFile(file, toJsonLines(summary.events));
      } catch (err) {
        io.err(`zkts-harness: --history: cannot write ${file}: ${(err as Error).message}\n`);
      }
    }
    printSummary(io, { servers, election, clients, seed, connectMode }, summary, Date.now() - started);
    const ok = summary.zookeeper.valid !== false && summary.converged;
    return ok ? (summary.zookeeper.valid === true ? 0 : 3) : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    await ensemble.killAll();
    if (keep) io.err(`cluster: kept ${ensemble.root}\n`);
    else ensemble.removeFiles();
  }
}

export function parseClusterFaults(raw: string): ClusterFault[] {
  if (raw === 'none') return [];
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const f of list) if (!(CLUSTER_FAULTS as readonly string[]).includes(f)) throw new UsageError(`--faults: "${f}" is not one of ${CLUSTER_FAULTS.join(',')} (or none)`);
  return [...new Set(list)] as ClusterFault[];
}

interface RunOptions {
  ops: number;
  clients: number;
  seed: number;
  rate: number;
  faults: ClusterFault[];
  timeMs: number;
  /** all: every client knows every member (and fails over); one: client i stays on member i mod N. */
  connectMode: 'all' | 'one';
}

async function runWorkload(ensemble: ClusterEnsemble, o: RunOptions, io: HarnessIo): Promise<ClusterSummary & { events: HistoryEvent[] }> {
  const start = Date.now();
  const history = new HistoryRecorder(() => Date.now() - start);
  const random = new SimRandom(o.seed);
  const opRandom = random.fork('ops');
  const nemesisRandom = random.fork('nemesis');
  const paths = Array.from({ length: CLUSTER_REGISTERS }, (_, i) => `/r${i}`);
  const deadline = start + o.timeMs;
  let issued = 0;
  let nextProcess = o.clients;
  let valueCounter = 0;
  const intervalMs = 1000 / o.rate;
  let nextSlot = Date.now();
  let done = false;

  const connect = (w: Worker): ZooKeeperClient => {
    // Each client knows every member, in its own seeded order, and fails over between them
    // (or, with --connect one, only its own member).
    const order = o.connectMode === 'one' ? [ensemble.members[w.index % ensemble.members.length]!.connectString] : ensemble.members.map((m) => m.connectString);
    for (let i = order.length - 1; i > 0; i--) {
      const j = opRandom.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const client = new ZooKeeperClient(order.join(','), { sessionTimeoutMs: CLUSTER_SESSION_TIMEOUT_MS, retry: NO_RETRY, reconnectDelayMs: 100 });
    client.state$.subscribe((s) => {
      if (s === 'expired' && w.client === client) w.client = null;
    });
    return client;
  };

  const runOne = async (w: Worker): Promise<void> => {
    w.client ??= connect(w);
    const client = w.client;
    const path = paths[opRandom.int(0, paths.length - 1)]!;
    const roll = opRandom.float();
    const known = w.known.get(path);
    let op: PendingOp;
    if (roll < 0.4) {
      op = history.invoke(w.process, 'read', path, null);
      try {
        const { data, stat } = await withTimeout(client.getData(path), CLUSTER_OP_TIMEOUT_MS);
        const value = text(data);
        w.known.set(path, { value, version: stat.version });
        history.ok(op, value);
      } catch (err) {
        if (err instanceof NoNodeError) {
          w.known.delete(path);
          history.ok(op, null);
        } else {
          history.fail(op, errorName(err)); // a read changes nothing: failing it is exact
          if (unknownOutcome(err)) w.process = nextProcess++;
        }
      }
      return;
    }
    const value = `${w.index}-${++valueCounter}`;
    const cas = roll < 0.7 && known !== undefined;
    const create = !cas && known === undefined && opRandom.chance(0.5);
    if (cas) op = history.invoke(w.process, 'cas', path, [known!.value, value]);
    else op = history.invoke(w.process, create ? 'create' : 'write', path, value);
    try {
      if (create) await withTimeout(client.create(path, value), CLUSTER_OP_TIMEOUT_MS);
      else {
        const stat = await withTimeout(client.setData(path, value, cas ? known!.version : -1), CLUSTER_OP_TIMEOUT_MS);
        w.known.set(path, { value, version: stat.version });
      }
      history.ok(op, cas ? [known!.value, value] : value);
    } catch (err) {
      if (err instanceof BadVersionError || err instanceof NoNodeError || err instanceof NodeExistsError) {
        history.fail(op, errorName(err));
        w.known.delete(path);
      } else if (unknownOutcome(err)) {
        history.info(op, errorName(err));
        w.process = nextProcess++; // the op may still happen: this process never returns
        w.known.delete(path);
      } else {
        history.fail(op, errorName(err));
      }
    }
  };

  const worker = async (index: number): Promise<void> => {
    const w: Worker = { index, process: index, client: null, known: new Map() };
    try {
      while (!done && issued < o.ops && Date.now() < deadline) {
        issued++;
        // Pacing: one slot per op over all clients.
        const slot = Math.max(nextSlot, Date.now());
        nextSlot = slot + intervalMs;
        if (slot > Date.now()) await wait(slot - Date.now());
        await runOne(w);
      }
    } finally {
      await w.client?.close().catch(() => undefined);
    }
  };

  const faultLog: string[] = [];
  const nemesis = async (): Promise<void> => {
    if (!o.faults.length) return;
    const order = [...o.faults];
    for (let n = 0; !done && n < NEMESIS_FAULTS_MAX; n++) {
      if (n % order.length === 0) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = nemesisRandom.int(0, i);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      await wait(nemesisRandom.int(NEMESIS_GAP_MS[0], NEMESIS_GAP_MS[1]));
      if (done) return;
      const fault = order[n % order.length]!;
      const member: ClusterMember = ensemble.members[nemesisRandom.int(0, ensemble.members.length - 1)]!;
      const hold = nemesisRandom.int(NEMESIS_HOLD_MS[0], NEMESIS_HOLD_MS[1]);
      const at = Date.now() - start;
      if (fault === 'kill') {
        await member.kill();
        await wait(hold);
        member.start();
        faultLog.push(`${at} ms: SIGKILL server ${member.id}, restarted after ${hold} ms`);
      } else {
        member.pause();
        await wait(hold);
        member.resume();
        faultLog.push(`${at} ms: SIGSTOP server ${member.id}, SIGCONT after ${hold} ms`);
      }
      io.err(`cluster: ${faultLog.at(-1)}\n`);
    }
  };

  const nemesisDone = nemesis();
  await Promise.all(Array.from({ length: o.clients }, (_, i) => worker(i)));
  done = true;
  await nemesisDone;
  history.closeAll('run-ended');

  // Heal and converge: every member up and serving, then each one read after a sync.
  ensemble.heal();
  await ensemble.waitForQuorum(CLUSTER_QUORUM_TIMEOUT_MS, wait);
  const finalData: Array<Record<string, string | null>> = [];
  for (const m of ensemble.members) finalData.push(await readAll(m, paths, history, nextProcess++));
  const converged = finalData.every((d) => JSON.stringify(d) === JSON.stringify(finalData[0]));

  const events = history.events;
  const count = (t: string): number => events.filter((e) => e.type === t).length;
  return {
    ops: { invoked: count('invoke'), ok: count('ok'), fail: count('fail'), info: count('info') },
    faults: faultLog,
    converged,
    finalData,
    zookeeper: checkHistory(events, { model: 'zookeeper' }),
    register: checkHistory(events, { model: 'register' }),
    events,
  };
}

/** A fresh session on one member only: sync, then read every path (recorded as reads). */
async function readAll(member: ClusterMember, paths: readonly string[], history: HistoryRecorder, processId: number): Promise<Record<string, string | null>> {
  const client = new ZooKeeperClient(member.connectString, { sessionTimeoutMs: CLUSTER_SESSION_TIMEOUT_MS, retry: NO_RETRY });
  const result: Record<string, string | null> = {};
  try {
    await withTimeout(client.waitConnected(), CLUSTER_OP_TIMEOUT_MS);
    for (const path of paths) {
      const sync = history.invoke(processId, 'sync', path, null);
      await withTimeout(client.sync(path), CLUSTER_OP_TIMEOUT_MS);
      history.ok(sync, null);
      const op = history.invoke(processId, 'read', path, null);
      try {
        result[path] = text((await withTimeout(client.getData(path), CLUSTER_OP_TIMEOUT_MS)).data);
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err;
        result[path] = null;
      }
      history.ok(op, result[path]);
    }
  } finally {
    history.closeAll('final-read-failed');
    await client.close().catch(() => undefined);
  }
  return result;
}

function printSummary(
  io: HarnessIo,
  run: { servers: number; election: string; clients: number; seed: number; connectMode: string },
  s: ClusterSummary,
  wallMs: number,
): void {
  const verdict = (r: CheckResult): string => (r.valid === true ? 'valid' : r.valid === false ? 'NOT linearizable' : 'unknown');
  const failed = s.zookeeper.valid === false || !s.converged;
  const lines = [
    `cluster seed ${run.seed}: ${failed ? 'VIOLATION' : 'ok'}`,
    `  ${run.servers} zkts-server processes, ${run.clients} clients (connected to ${run.connectMode === 'all' ? 'every member' : 'one member each'}), election ${run.election}`,
    `  operations: ${s.ops.invoked} invoked, ${s.ops.ok} ok, ${s.ops.fail} fail, ${s.ops.info} info`,
    `  faults: ${s.faults.length}${s.faults.map((f) => `\n    ${f}`).join('')}`,
    `  convergence: ${s.converged ? 'every member has the same data' : 'MEMBERS DIFFER'}${s.finalData.map((d, i) => `\n    server ${i + 1}: ${JSON.stringify(d)}`).join('')}`,
    `  history check (zookeeper model): ${verdict(s.zookeeper)}`,
    `  history check (register model, reads may be stale under ZooKeeper's guarantee): ${verdict(s.register)}`,
    `  wall time ${(wallMs / 1000).toFixed(1)} s`,
  ];
  io.out(lines.join('\n') + '\n');
  if (s.zookeeper.valid !== true) io.out(formatCheckResult(s.zookeeper) + '\n');
}
