// Failover and cold-start timing against a BenchEnsemble (zkts or ZooKeeper), with the same probe
// on both sides: failover-reference's writeOnce (fresh session + one write per attempt) and, for
// one killed member, its measureLeaderFailover itself.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FAILOVER_DEADLINE_MS, RETRY_PAUSE_MS, measureLeaderFailover, writeOnce, type FailoverSample } from '../failover-reference.js';
import type { BenchEnsemble } from './launch.js';

export interface KillSample extends FailoverSample {
  /** Every member SIGKILLed (the leader first). */
  killed: number[];
  /** The election time the survivors logged for this failover (max over them), if found. */
  loggedElectionMs: number | undefined;
}

/** Log lines that report an election's duration: zkts's runtime and ZooKeeper's QuorumPeer. */
const ELECTION_LINE = [
  /election: (?:leading|following|observing), leader \d+ \(.*?, (\d+) ms\)/, // zkts
  /(?:LEADING|FOLLOWING|OBSERVING) - LEADER ELECTION TOOK - (\d+) MS/, // ZooKeeper
];

/** The last election duration a member logged (zkts: stdout.log; ZooKeeper: server.log), with how many were logged. */
export function lastLoggedElection(memberDir: string): { ms: number; count: number } | undefined {
  let last: number | undefined;
  let count = 0;
  for (const file of ['stdout.log', 'server.log']) {
    const path = join(memberDir, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      for (const re of ELECTION_LINE) {
        const m = re.exec(line);
        if (m) {
          last = Number(m[1]);
          count++;
        }
      }
    }
  }
  return last === undefined ? undefined : { ms: last, count };
}

/**
 * Kills the leader and `kills - 1` followers at once (SIGKILL) and times the first write accepted
 * through a survivor. With kills = 1 this is failover-reference's measureLeaderFailover.
 */
export async function measureFailover(ensemble: BenchEnsemble, kills: number): Promise<KillSample> {
  const countsBefore = new Map(ensemble.members.map((m) => [m.id, lastLoggedElection(m.dir)?.count ?? 0]));
  let sample: FailoverSample;
  let killed: number[];
  if (kills === 1) {
    sample = await measureLeaderFailover(ensemble);
    killed = [sample.oldLeader];
  } else {
    const leader = await ensemble.waitForQuorum();
    const followers = ensemble.members.filter((m) => m !== leader);
    const victims = [leader, ...followers.slice(0, kills - 1)];
    const survivors = ensemble.members.filter((m) => !victims.includes(m));
    const start = performance.now();
    const exits = victims.map((v) => v.kill('SIGKILL')); // every signal goes out before the first await
    const failures: Record<string, number> = {};
    let attempts = 0;
    for (let i = 0; ; i++) {
      const via = survivors[i % survivors.length]!;
      attempts++;
      const r = await writeOnce({ host: via.host, port: via.clientPort });
      if (r.ok) {
        sample = { ms: performance.now() - start, attempts, failures, oldLeader: leader.id, writtenVia: via.id };
        break;
      }
      failures[r.why] = (failures[r.why] ?? 0) + 1;
      if (performance.now() - start > FAILOVER_DEADLINE_MS) {
        await Promise.all(exits);
        throw new Error(`no write within ${FAILOVER_DEADLINE_MS} ms of killing ${victims.map((v) => v.id).join(',')} (${JSON.stringify(failures)})`);
      }
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
    await Promise.all(exits);
    killed = victims.map((v) => v.id);
  }
  // The survivors' new election lines (the write proved the election finished; the log may lag a moment).
  let loggedElectionMs: number | undefined;
  for (const m of ensemble.members) {
    if (killed.includes(m.id)) continue;
    const last = lastLoggedElection(m.dir);
    if (last && last.count > (countsBefore.get(m.id) ?? 0)) loggedElectionMs = Math.max(loggedElectionMs ?? 0, last.ms);
  }
  return { ...sample, killed, loggedElectionMs };
}

export interface ColdStartSample {
  /** From spawning every member to the first write accepted by any of them. */
  firstWriteMs: number;
  /** From spawning every member to all of them serving (one leader, the rest following). */
  fullQuorumMs: number;
  /** The longest election any member logged. */
  loggedElectionMs: number | undefined;
}

/** Times a started-with-noWait ensemble from its spawn to a write and to a full quorum. */
export async function measureColdStart(ensemble: BenchEnsemble): Promise<ColdStartSample> {
  const start = ensemble.spawnedAt;
  const members = ensemble.members;
  let firstWriteMs: number | undefined;
  for (let i = 0; firstWriteMs === undefined; i++) {
    const via = members[i % members.length]!;
    const r = await writeOnce({ host: via.host, port: via.clientPort }, { create: true });
    if (r.ok) firstWriteMs = performance.now() - start;
    else {
      if (performance.now() - start > FAILOVER_DEADLINE_MS * 2) throw new Error(`${ensemble.label}: no write within ${FAILOVER_DEADLINE_MS * 2} ms of a cold start`);
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }
  await ensemble.waitForQuorum();
  const fullQuorumMs = performance.now() - start;
  let loggedElectionMs: number | undefined;
  for (const m of members) {
    const last = lastLoggedElection(m.dir);
    if (last) loggedElectionMs = Math.max(loggedElectionMs ?? 0, last.ms);
  }
  return { firstWriteMs, fullQuorumMs, loggedElectionMs };
}
