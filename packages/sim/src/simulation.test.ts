import { describe, expect, it } from 'vitest';
import { FAULTS_ALL, parseFaults, resolveSimOptions } from './options.js';
import { SimRandom } from './prng.js';
import { electionTrial, formatFailure, simulate } from './simulation.js';
import { toJsonLines, parseJsonLines } from './history.js';
import { checkHistory } from './linearizability.js';

const faulty = { faults: FAULTS_ALL, ops: 200 } as const;

describe('determinism', () => {
  it('the same seed gives the same trace hash, a different seed a different one', () => {
    const a = simulate({ seed: 7, ...faulty });
    const b = simulate({ seed: 7, ...faulty });
    const c = simulate({ seed: 8, ...faulty });
    expect(a.ok).toBe(true);
    expect(a.traceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.traceSha256).toBe(a.traceSha256);
    expect(b.traceLines).toBe(a.traceLines);
    expect(toJsonLines(b.history.events)).toBe(toJsonLines(a.history.events));
    expect(c.traceSha256).not.toBe(a.traceSha256);
    expect(a.nemesis.length).toBeGreaterThan(0);
  });

  it('the PRNG is a pure function of its seed, and forks are independent streams', () => {
    const draw = (r: SimRandom) => Array.from({ length: 5 }, () => r.nextUint32());
    expect(draw(new SimRandom(1))).toEqual(draw(new SimRandom(1)));
    expect(draw(new SimRandom(1))).not.toEqual(draw(new SimRandom(2)));
    expect(draw(new SimRandom(1).fork('a'))).not.toEqual(draw(new SimRandom(1).fork('b')));
    const r = new SimRandom(3);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(2, 4);
      expect(v >= 2 && v <= 4).toBe(true);
    }
    expect(() => new SimRandom(-1)).toThrow(/seed/);
  });
});

describe('runs without bugs pass', () => {
  it.each(['fast', 'basic'] as const)('%s: seeds 1..6 with every fault converge, lose nothing and check linearizable', (election) => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = simulate({ seed, election, ...faulty });
      if (!r.ok) throw new Error(formatFailure(r));
      expect(r.check?.valid).toBe(true);
      expect(r.ops.ok).toBeGreaterThan(0);
    }
  });

  it('every workload runs and is checked (ids unique and kept, queue items neither lost nor doubled)', () => {
    const r = simulate({ seed: 11, ...faulty });
    if (!r.ok) throw new Error(formatFailure(r));
    const fs = new Set(r.history.events.filter((e) => e.type === 'ok').map((e) => `${e.f} ${e.path}`));
    for (const f of ['next-id /ids', 'enqueue /queue', 'dequeue /queue', 'cas /counter', 'read /counter', 'write /r0', 'join /members', 'abandon /members', 'acquire /lock', 'release /lock']) expect(fs).toContain(f);
  });

  it('members: abandoned sessions expire on the leader and take their ephemerals; live members stay', () => {
    const r = simulate({ seed: 5, faults: FAULTS_ALL, ops: 200, workloads: ['members'], keepTrace: true });
    if (!r.ok) throw new Error(formatFailure(r));
    const abandons = r.history.events.filter((e) => e.f === 'abandon' && e.type === 'ok').length;
    const joins = r.history.events.filter((e) => e.f === 'join' && e.type === 'ok').length;
    expect(abandons).toBeGreaterThan(5);
    expect(joins).toBeGreaterThan(50);
    expect(r.trace!.filter((l) => / expires session /.test(l)).length).toBeGreaterThanOrEqual(abandons);
  });

  it('a fault-free run elects once and completes most operations', () => {
    const r = simulate({ seed: 1, faults: [], ops: 200 });
    expect(r.ok).toBe(true);
    expect(r.epochs).toBe(1);
    expect(r.ops.info).toBe(0);
    // The recorded history round-trips and checks the same from outside.
    expect(checkHistory(parseJsonLines(toJsonLines(r.history.events))).valid).toBe(true);
  });
});

describe('planted bugs are found (the harness can fail)', () => {
  it('a leader that commits before a quorum acks: a safety check fails within 30 seeds', () => {
    const found: string[] = [];
    for (let seed = 1; seed <= 30 && found.length === 0; seed++) {
      const r = simulate({ seed, faults: FAULTS_ALL, ops: 300, workloads: ['register'], bug: 'commit-without-quorum' });
      // It can also wedge the cluster (a liveness failure); the claim here is about safety.
      if (!r.ok && r.failure!.kind !== 'liveness') found.push(formatFailure(r));
    }
    expect(found.length).toBe(1);
    expect(found[0]).toMatch(/FAILED \((invariant|linearizability)\)/);
    expect(found[0]).toContain('reproduce: zkts-harness sim --seed');
    expect(found[0]).toContain('trace lines:');
  });

  it('a server answering a session that saw newer data (stale reads): the checker fails within 30 seeds', () => {
    let failure: string | undefined;
    for (let seed = 1; seed <= 30 && !failure; seed++) {
      const r = simulate({ seed, ...faulty, workloads: ['register'], bug: 'stale-reads' });
      if (!r.ok) failure = formatFailure(r);
    }
    expect(failure).toBeDefined();
    expect(failure).toContain('FAILED (linearizability)');
    expect(failure).toMatch(/cannot linearize read \/r\d/);
  });
});

describe('planted election bug (scripted)', () => {
  // Server 5 misses writes, comes back isolated, and rejoins just as the others look for a new
  // leader. An election that ignores zxids picks 5 (the highest id); zab's "learner is ahead of
  // the leader" check refuses it every time, so no leader is ever established: a liveness failure.
  const script = '200:crash 5; 1400:isolate 5; 1450:restart 5; 1500:crash-leader; 1550:heal';
  it.each(['fast', 'basic'] as const)('%s: election-ignores-zxid never converges; the real wiring does', (election) => {
    const options = { seed: 1, election, faults: [], ops: 300, workloads: ['register' as const], script };
    expect(simulate(options).ok).toBe(true);
    const broken = simulate({ ...options, bug: 'election-ignores-zxid' });
    expect(broken.ok).toBe(false);
    expect(broken.failure!.kind).toBe('liveness');
    expect(formatFailure(broken)).toContain(`--script '${script}'`);
  });
});

describe('scripted nemesis', () => {
  it('runs a script on its own (no seeded faults) and the cluster survives it', () => {
    const script = '300:crash-leader; 600:partition 1,2|3,4,5; 900:heal; 1000:pause 3; 1300:resume 3; 1400:loss 0.1; 1700:loss 0';
    const r = simulate({ seed: 4, faults: [], script, ops: 300 });
    if (!r.ok) throw new Error(formatFailure(r));
    expect(r.nemesis.slice(0, 7).map((l) => l.replace(/^\d+ms /, ''))).toEqual([
      expect.stringMatching(/^crash leader \d$/), 'partition [1,2] [3,4,5]', 'heal network', 'pause 3', 'resume 3', 'loss 0.1', 'loss 0',
    ]);
    expect(r.epochs).toBeGreaterThanOrEqual(2);
  });
  it('names the bad step', () => {
    expect(() => simulate({ seed: 1, script: '100:crash 9', servers: 5 })).toThrow(/step "100:crash 9": server must be in 1..5/);
    expect(() => simulate({ seed: 1, script: 'soon:heal' })).toThrow(/expected "atMs:action args"/);
    expect(() => simulate({ seed: 1, script: '5:explode' })).toThrow(/unknown action "explode"/);
  });
});

describe('options', () => {
  it('rejects bad values naming the option', () => {
    expect(() => resolveSimOptions({ seed: 1, servers: 0 })).toThrow(/servers: 0/);
    expect(() => resolveSimOptions({ seed: 1, election: 'raft' as never })).toThrow(/election: "raft"/);
    expect(() => parseFaults('crash,flood')).toThrow(/faults: "flood"/);
    expect(parseFaults('none')).toEqual([]);
    expect(parseFaults('all')).toEqual([...FAULTS_ALL]);
  });
});

describe('election trials', () => {
  it.each(['fast', 'basic'] as const)('%s: measures a cold start and a failover; deterministic per seed', (election) => {
    const a = electionTrial({ seed: 3, election }, 'none');
    expect(a.cold!.ms).toBeGreaterThan(0);
    expect(a.cold!.messages).toBeGreaterThan(0);
    expect(a.failover!.ms).toBeGreaterThan(0);
    expect(electionTrial({ seed: 3, election }, 'none')).toEqual(a);
    const lossy = electionTrial({ seed: 3, election }, 'loss');
    expect(lossy.cold).toBeDefined();
    const split = electionTrial({ seed: 3, election }, 'partition');
    expect(split.cold).toBeDefined();
  });
});
