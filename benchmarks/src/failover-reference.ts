// Apache ZooKeeper's failover time, the number zkts ensembles will be held to: in an ensemble of
// 3 (or 5), SIGKILL the leader and time how long until a write succeeds through a survivor.
// Each attempt opens a fresh session on a survivor (round robin) and sends setData; a refused or
// closed connection, an error reply or silence past the attempt timeout moves on to the next.
// A session is itself a write through the leader, so the first accepted session already needs the
// new quorum. The old leader is restarted between trials, so the leader changes every trial.
//   node dist/failover-reference.js [--trials 10] [--servers 3|5] [--tick 2000] [--force-sync yes|no] [--json FILE]
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ConnectRequest, ConnectResponse, ErrorCode, FrameDecoder, JuteReader, JuteWriter, OPEN_ACL_UNSAFE, OpCode, ReplyHeader, encodeFrame, encodeRequest } from '@zkts/protocol';
import { type EnsembleSize, type ReferenceEnsemble, referenceZooKeeperAvailable, startReferenceEnsemble } from '@zkts/tools';

/** One attempt (connect + session + setData) gives up after this long without an answer. */
export const ATTEMPT_TIMEOUT_MS = 1000;
/** Pause after a failed attempt, so a refusing survivor is not hammered in a hot loop. */
export const RETRY_PAUSE_MS = 5;
/** A failover that takes longer than this is reported as a failure. */
export const FAILOVER_DEADLINE_MS = 60_000;
const SESSION_TIMEOUT_MS = 10_000;
const TRIALS_MAX = 1000;
const PROBE_PATH = '/zkts-failover-probe';

export interface Address {
  host: string;
  port: number;
}

type AttemptResult = { ok: true } | { ok: false; why: string };

/** Opens a session on `server` and sends one setData (or create, when `create`); resolves with the outcome. */
export function writeOnce(server: Address, opts: { create?: boolean; timeoutMs?: number } = {}): Promise<AttemptResult> {
  const timeoutMs = opts.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  return new Promise((resolve) => {
    const socket = connect({ host: server.host, port: server.port, noDelay: true });
    const decoder = new FrameDecoder();
    let sessionOpen = false;
    let settled = false;
    const done = (r: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (sessionOpen && r.ok) {
        // Tidy: end the session so probe sessions do not pile up; no need to wait for the reply.
        const w = new JuteWriter(32);
        encodeRequest(w, { xid: 2, type: OpCode.closeSession });
        socket.end(w.toBuffer());
        setTimeout(() => socket.destroy(), 200).unref();
      } else {
        socket.destroy();
      }
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, why: 'timeout' }), timeoutMs);
    socket.on('error', (e) => done({ ok: false, why: (e as NodeJS.ErrnoException).code ?? e.message }));
    socket.on('close', () => done({ ok: false, why: sessionOpen ? 'closed after session' : 'closed before session' }));
    socket.on('connect', () => {
      const w = new JuteWriter(64);
      encodeFrame(w, ConnectRequest, { protocolVersion: 0, lastZxidSeen: 0, timeOut: SESSION_TIMEOUT_MS, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false });
      socket.write(w.toBuffer());
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        done({ ok: false, why: `bad frame: ${(e as Error).message}` });
        return;
      }
      for (const f of frames) {
        if (!sessionOpen) {
          const resp = ConnectResponse.decode(new JuteReader(f));
          if (resp.timeOut <= 0) return done({ ok: false, why: 'session refused' });
          sessionOpen = true;
          const w = new JuteWriter(128);
          if (opts.create) encodeRequest(w, { xid: 1, type: OpCode.create }, { path: PROBE_PATH, data: new Uint8Array(0), acl: [...OPEN_ACL_UNSAFE], flags: 0 });
          else encodeRequest(w, { xid: 1, type: OpCode.setData }, { path: PROBE_PATH, data: new Uint8Array(8), version: -1 });
          socket.write(w.toBuffer());
          continue;
        }
        const header = ReplyHeader.decode(new JuteReader(f));
        if (header.xid !== 1) continue; // a notification or ping
        const okCodes: number[] = opts.create ? [ErrorCode.ok, ErrorCode.nodeExists] : [ErrorCode.ok];
        return done(okCodes.includes(header.err) ? { ok: true } : { ok: false, why: `error ${header.err}` });
      }
    });
  });
}

export interface FailoverSample {
  /** Milliseconds from SIGKILL of the leader to the first successful setData through a survivor. */
  ms: number;
  attempts: number;
  /** Why the failed attempts failed, counted. */
  failures: Record<string, number>;
  oldLeader: number;
  writtenVia: number;
}

/** Kills the leader of `ensemble` and times the first successful write through a survivor. */
export async function measureLeaderFailover(ensemble: ReferenceEnsemble): Promise<FailoverSample> {
  const leader = await ensemble.waitForQuorum();
  const survivors = ensemble.members.filter((m) => m !== leader && m.role === 'participant');
  const start = performance.now();
  const killed = leader.kill('SIGKILL'); // the signal goes out synchronously, before the first await
  const failures: Record<string, number> = {};
  let attempts = 0;
  for (let i = 0; ; i++) {
    const via = survivors[i % survivors.length]!;
    attempts++;
    const r = await writeOnce({ host: via.host, port: via.clientPort });
    if (r.ok) {
      const ms = performance.now() - start;
      await killed;
      return { ms, attempts, failures, oldLeader: leader.id, writtenVia: via.id };
    }
    failures[r.why] = (failures[r.why] ?? 0) + 1;
    if (performance.now() - start > FAILOVER_DEADLINE_MS) {
      await killed;
      throw new Error(`no write within ${FAILOVER_DEADLINE_MS} ms of killing leader ${leader.id} (${JSON.stringify(failures)})`);
    }
    await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
  }
}

interface Plan {
  trials: number;
  servers: EnsembleSize;
  tickTimeMs: number;
  forceSync: 'yes' | 'no';
  json: string | undefined;
}

const USAGE = 'usage: node dist/failover-reference.js [--trials 10] [--servers 3|5] [--tick 2000] [--force-sync yes|no] [--json FILE]';

function parsePlan(argv: readonly string[]): Plan {
  const plan: Plan = { trials: 10, servers: 3, tickTimeMs: 2000, forceSync: 'no', json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const int = (name: string, min: number, max: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: expected an integer in ${min}..${max}, got ${value}\n${USAGE}`);
      return n;
    };
    switch (flag) {
      case '--trials': plan.trials = int('--trials', 1, TRIALS_MAX); i++; break;
      case '--tick': plan.tickTimeMs = int('--tick', 1, 60_000); i++; break;
      case '--servers':
        if (value !== '3' && value !== '5') throw new Error(`--servers: expected 3 or 5, got ${value}\n${USAGE}`);
        plan.servers = Number(value) as EnsembleSize; i++; break;
      case '--force-sync':
        if (value !== 'yes' && value !== 'no') throw new Error(`--force-sync: expected yes or no, got ${value}\n${USAGE}`);
        plan.forceSync = value; i++; break;
      case '--json':
        if (!value) throw new Error(`--json: expected a file name\n${USAGE}`);
        plan.json = value; i++; break;
      case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  return plan;
}

const fmt = (ms: number): string => ms.toFixed(0);

async function main(): Promise<void> {
  let plan: Plan;
  try {
    plan = parsePlan(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  if (!referenceZooKeeperAvailable()) {
    process.stderr.write('Apache ZooKeeper is not installed (bash tools/install-reference.sh)\n');
    process.exit(2);
  }
  const say = (s: string): boolean => process.stdout.write(s + '\n');
  say(`Apache ZooKeeper ${plan.servers}-server ensemble, tickTime=${plan.tickTimeMs}, forceSync=${plan.forceSync}: SIGKILL the leader -> first setData accepted by a survivor (fresh session per attempt, attempt timeout ${ATTEMPT_TIMEOUT_MS} ms)`);
  const ensemble = await startReferenceEnsemble({ servers: plan.servers, tickTimeMs: plan.tickTimeMs, extraConfig: { forceSync: plan.forceSync } });
  const samples: FailoverSample[] = [];
  try {
    const created = await writeOnce({ host: ensemble.members[0]!.host, port: ensemble.members[0]!.clientPort }, { create: true, timeoutMs: 10_000 });
    if (!created.ok) throw new Error(`could not create ${PROBE_PATH}: ${created.why}`);
    for (let t = 1; t <= plan.trials; t++) {
      const s = await measureLeaderFailover(ensemble);
      samples.push(s);
      say(`  trial ${t}: ${fmt(s.ms)} ms (leader ${s.oldLeader} killed, write via ${s.writtenVia}, ${s.attempts} attempts; failed: ${JSON.stringify(s.failures)})`);
      await ensemble.member(s.oldLeader).restart();
      await ensemble.waitForQuorum();
    }
  } finally {
    await ensemble.stop();
  }
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  say(`failover over ${sorted.length} trials: median ${fmt(median)} ms, min ${fmt(sorted[0]!)} ms, max ${fmt(sorted[sorted.length - 1]!)} ms`);
  if (plan.json) writeFileSync(plan.json, JSON.stringify({ plan, samples, medianMs: median, maxMs: sorted[sorted.length - 1] }, null, 2) + '\n');
}

// Run as a script (not when imported for its measuring functions).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
