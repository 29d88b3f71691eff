import { describe, expect, it } from 'vitest';
import { SimCluster } from './test-support/cluster.js';
import { str } from './test-support/cluster.js';

function chaos(seed: number, voters: number, observers: number, partialDelivery: boolean): SimCluster {
  const c = new SimCluster({ voters, observers, seed, committedLogMax: 8, partialDelivery, crashBeforePersistRate: 0.01 });
  const ids = [...c.nodes.keys()];
  // Safety phase: faults and writes.
  for (let t = 0; t < 150; t++) {
    const r = c.prng.next();
    if (r < 0.04) {
      const up = c.upNodes();
      if (up.length > 1) c.crash(c.prng.pick(up).id);
    } else if (r < 0.10) {
      const down = [...c.nodes.values()].filter((n) => !n.up);
      if (down.length > 0) c.restart(c.prng.pick(down).id);
    } else if (r < 0.13) {
      const shuffled = [...ids].sort(() => c.prng.next() - 0.5);
      const cut = 1 + c.prng.int(ids.length - 1);
      c.partition(shuffled.slice(0, cut), shuffled.slice(cut));
    } else if (r < 0.18) {
      c.heal();
    }
    c.dropRate = c.prng.chance(0.1) ? 0.05 : 0;
    c.duplicateRate = c.prng.chance(0.1) ? 0.05 : 0;
    for (const l of c.leaders()) {
      if (c.prng.chance(0.7)) {
        try { c.write(1 + c.prng.int(3), l); } catch { /* stepped down */ }
      }
    }
    c.tick();
  }
  // Liveness phase: everything back, no faults.
  c.heal();
  c.dropRate = 0;
  c.duplicateRate = 0;
  c.partialDeliveryEnabled = false;
  for (const n of c.nodes.values()) if (!n.up) c.restart(n.id);
  c.waitForConvergence(400);
  return c;
}

describe('chaos', () => {
  for (const [voters, observers, partial] of [[3, 0, false], [5, 1, false], [3, 1, true], [5, 0, true]] as const) {
    for (let seed = 1; seed <= Number(process.env.ZAB_CHAOS_SEEDS ?? 10); seed++) {
      it(`${voters} voters + ${observers} observers${partial ? ', partial delivery' : ''}, seed ${seed}`, () => {
        const c = chaos(seed, voters, observers, partial);
        const final = c.upNodes()[0]!;
        const applied = new Map(final.applied.map((e) => [e.zxid, str(e.data)]));
        for (const e of c.leaderCommits) expect(applied.get(e.zxid), `commit ${e.zxid}`).toBe(str(e.data));
      });
    }
  }
});

describe('the checks can fail', () => {
  it('catches a planted bug: a quorum rule that accepts the leader alone', () => {
    const c = new SimCluster({ voters: 3, seed: 1, quorum: { containsQuorum: (ids) => ids.size > 0 } });
    c.waitForLeader();
    expect(() => {
      for (let t = 0; t < 20; t++) {
        c.write(1);
        c.tick();
      }
    }).toThrow(/committed 0x[0-9a-f]+ held durably only by \d$/);
  });
});
