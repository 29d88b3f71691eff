// Real-process ensembles: zkts-server processes on loopback, kazoo writing under bounded load,
// the leader SIGKILLed (by pid), a new leader elected, the client failing over with its session
// and ephemeral, and after the old leader restarts every acknowledged write on every server.
// Prints (does not assert) the time from SIGKILL to the client's next acknowledged write.
import { afterEach, describe, expect, it } from 'vitest';
import { killLeftovers } from './test-support/bin.js';
import { startBinEnsemble, type BinEnsemble } from './test-support/ensemble-bin.js';
import { dumpServer, kazooAvailable, startKazooLoad, type KazooLoad } from './test-support/kazoo-load.js';

const WRITES_MAX = 3000;
const ACK_TIMEOUT_MS = 30_000;

let ensemble: BinEnsemble | null = null;
let load: KazooLoad | null = null;
afterEach(async () => {
  load?.kill();
  load = null;
  await ensemble?.stop();
  ensemble = null;
  killLeftovers();
});

async function failover(servers: 3 | 5, kills: number, election: 'fast' | 'basic'): Promise<void> {
  ensemble = await startBinEnsemble(servers, election);
  const leader = await ensemble.waitForQuorum();
  load = startKazooLoad(ensemble.connectString, '/load', WRITES_MAX);
  await load.acked(30, ACK_TIMEOUT_MS);

  // The leader first, then followers until `kills` members are gone (a quorum remains).
  const victims = [leader, ...ensemble.members.filter((m) => m !== leader).slice(0, kills - 1)];
  const killedAt = Date.now();
  const before = load.acks.length;
  for (const v of victims) await v.kill();
  const next = await ensemble.waitForQuorum();
  expect(victims).not.toContain(next);
  await load.acked(before + 30, ACK_TIMEOUT_MS);
  // The write in flight at the kill may have been committed before it: count from the one after.
  const inFlight = (load.acks[before - 1]?.i ?? -1) + 1;
  const firstAfter = load.acks.find((a) => a.i > inFlight)!;
  console.log(`[failover] ${servers} servers, ${kills} killed, ${election}: SIGKILL -> next kazoo ack ${firstAfter.t - killedAt} ms; new leader server ${next.id}`);

  for (const v of victims) v.start();
  await ensemble.waitForQuorum();
  const summary = await load.finish();
  expect(summary.session_kept).toBe(true);
  expect(summary.ephemeral).toBe(true);
  expect(summary.acked.length).toBeGreaterThanOrEqual(60);

  // Every acknowledged write is on every server, and the servers agree on data and stat.
  const views = await Promise.all(ensemble.members.map((m) => dumpServer(m.connectString, '/load')));
  for (const i of summary.acked) {
    const name = `k-${String(i).padStart(6, '0')}`;
    for (const [n, view] of views.entries()) expect(view[name], `${name} on server ${n + 1}`).toEqual([String(i), expect.any(Number), 0]);
  }
  for (const view of views.slice(1)) expect(view).toEqual(views[0]);
}

describe.skipIf(!kazooAvailable())('zkts-server ensembles (real processes, kazoo)', () => {
  it('3 servers, fast election: the leader is SIGKILLed under load', async () => {
    await failover(3, 1, 'fast');
  }, 120_000);

  it('3 servers, basic election: the leader is SIGKILLed under load', async () => {
    await failover(3, 1, 'basic');
  }, 120_000);

  it('5 servers, fast election: the leader and a follower are SIGKILLed under load', async () => {
    await failover(5, 2, 'fast');
  }, 120_000);
});
