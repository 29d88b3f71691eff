import { it } from 'vitest';
import { SimCluster, str } from './test-support/cluster.js';
import { zxidHex } from './index.js';

it('debug', () => {
  const seed = Number(process.env.SEED ?? 3), voters = Number(process.env.VOTERS ?? 3), observers = Number(process.env.OBS ?? 0);
  const c = new SimCluster({ voters, observers, seed, committedLogMax: 8, partialDelivery: process.env.PARTIAL === '1' });
  const ids = [...c.nodes.keys()];
  const log: string[] = [];
  const dump = () => {
    for (const e of c.roleEvents) log.push(`t${e.tick} ${e.id} ${e.role}/${e.phase} e${e.epoch} L${e.leader} ${e.reason ?? ''}`);
    for (const e of c.syncEvents) log.push(`t${e.tick} sync ${e.leader}->${e.learner} ${e.mode} ${zxidHex(e.zxid)}`);
    const num = (s: string) => Number(s.slice(1, s.indexOf(' ')));
    console.log(log.sort((x, y) => num(x) - num(y)).join('\n'));
    console.log(c.describe());
    for (const n of c.nodes.values()) console.log(n.id, n.log.map((e) => zxidHex(e.zxid)).join(' '));
  };
  for (let t = 0; t < 150; t++) {
    const r = c.prng.next();
    if (r < 0.04) {
      const up = c.upNodes();
      if (up.length > 1) { const id = c.prng.pick(up).id; c.crash(id); log.push(`t${c.now} crash ${id}`); }
    } else if (r < 0.10) {
      const down = [...c.nodes.values()].filter((n) => !n.up);
      if (down.length > 0) { const id = c.prng.pick(down).id; c.restart(id); log.push(`t${c.now} restart ${id}`); }
    } else if (r < 0.13) {
      const shuffled = [...ids].sort(() => c.prng.next() - 0.5);
      const cut = 1 + c.prng.int(ids.length - 1);
      c.partition(shuffled.slice(0, cut), shuffled.slice(cut)); log.push(`t${c.now} partition ${shuffled.slice(0, cut)} | ${shuffled.slice(cut)}`);
    } else if (r < 0.18) { c.heal(); log.push(`t${c.now} heal`); }
    c.dropRate = c.prng.chance(0.1) ? 0.05 : 0;
    c.duplicateRate = c.prng.chance(0.1) ? 0.05 : 0;
    for (const l of c.leaders()) {
      if (c.prng.chance(0.7)) { try { c.write(1 + c.prng.int(3), l); } catch { /* */ } }
    }
    try { c.tick(); } catch (e) { dump(); throw e; }
  }
  c.heal(); c.dropRate = 0; c.duplicateRate = 0; c.partialDeliveryEnabled = false;
  for (const n of c.nodes.values()) if (!n.up) c.restart(n.id);
  c.runTicks(100);
  const nodes = c.upNodes();
  const a = nodes.map((n) => n.applied.map((e) => zxidHex(e.zxid)));
  let i = 0;
  while (a.every((x) => x[i] === a[0]![i]) && i < a[0]!.length) i++;
  console.log('first diff at', i, nodes.map((n, k) => `${n.id}: ${a[k]!.slice(Math.max(0, i - 3), i + 4).join(' ')}`));
  for (const e of c.roleEvents) log.push(`t${e.tick} ${e.id} ${e.role}/${e.phase} e${e.epoch} L${e.leader} ${e.reason ?? ''}`);
  for (const e of c.syncEvents) log.push(`t${e.tick} sync ${e.leader}->${e.learner} ${e.mode} ${zxidHex(e.zxid)}`);
  const num = (s: string) => Number(s.slice(1, s.indexOf(' ')));
  console.log(log.sort((x, y) => num(x) - num(y)).join('\n'));
  console.log(c.describe());
  void str;
});
