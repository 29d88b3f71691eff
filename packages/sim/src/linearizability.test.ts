import { describe, expect, it } from 'vitest';
import { HistoryRecorder, parseJsonLines, toEdn, toJsonLines, toPorcupineJson, type HistoryEvent } from './history.js';
import { checkHistory, formatCheckResult, HistoryError } from './linearizability.js';

type Ev = [process: number, type: HistoryEvent['type'], f: string, value?: unknown, path?: string];
const h = (...evs: Ev[]): HistoryEvent[] =>
  evs.map(([process, type, f, value = null, path = '/r']) => ({ process, type, f, path, value }));

describe('register model', () => {
  it('accepts a sequential history and concurrent overlapping ones', () => {
    expect(checkHistory(h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [1, 'invoke', 'read'], [1, 'ok', 'read', 'a']), { model: 'register' }).valid).toBe(true);
    // The read overlaps the write: it may see either value.
    const concurrent = h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [0, 'invoke', 'write', 'b'], [1, 'invoke', 'read'], [1, 'ok', 'read', 'a'], [2, 'invoke', 'read'], [2, 'ok', 'read', 'b'], [0, 'ok', 'write', 'b']);
    expect(checkHistory(concurrent, { model: 'register' }).valid).toBe(true);
  });

  it('rejects a stale read after a completed write, naming the read', () => {
    const r = checkHistory(h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [0, 'invoke', 'write', 'b'], [0, 'ok', 'write', 'b'], [1, 'invoke', 'read'], [1, 'ok', 'read', 'a']), { model: 'register' });
    expect(r.valid).toBe(false);
    const f = r.paths[0]!.failure!;
    expect(f.op.f).toBe('read');
    expect(f.op.process).toBe(1);
    expect(f.stateBefore).toBe('b');
    expect(formatCheckResult(r)).toContain('cannot linearize read /r -> "a" (process 1, ok, line 5..6)');
  });

  it('rejects a lost write (an acknowledged write never seen, null read after it)', () => {
    const r = checkHistory(h([0, 'invoke', 'write', 'x'], [0, 'ok', 'write', 'x'], [1, 'invoke', 'read'], [1, 'ok', 'read', null]), { model: 'register' });
    expect(r.valid).toBe(false);
    expect(r.paths[0]!.failure!.op.output).toBe(null);
  });

  it('rejects two CAS winners on the same expected value, naming both', () => {
    const r = checkHistory(
      h([0, 'invoke', 'write', '0'], [0, 'ok', 'write', '0'], [1, 'invoke', 'cas', ['0', '1']], [2, 'invoke', 'cas', ['0', '2']], [1, 'ok', 'cas', ['0', '1']], [2, 'ok', 'cas', ['0', '2']]),
      { model: 'register' },
    );
    expect(r.valid).toBe(false);
    const f = r.paths[0]!.failure!;
    const named = [f.op, ...f.prefix].filter((o) => o.f === 'cas').map((o) => o.process).sort();
    expect(named).toEqual([1, 2]);
    expect(formatCheckResult(r)).toMatch(/cannot linearize cas \/r \["0","[12]"\]/);
  });

  it('one CAS winner and one failed CAS is fine; unknown (info) writes may or may not apply', () => {
    expect(checkHistory(h([0, 'invoke', 'write', '0'], [0, 'ok', 'write', '0'], [1, 'invoke', 'cas', ['0', '1']], [2, 'invoke', 'cas', ['0', '2']], [1, 'ok', 'cas'], [2, 'fail', 'cas']), { model: 'register' }).valid).toBe(true);
    const applied = h([0, 'invoke', 'write', 'a'], [0, 'info', 'write'], [1, 'invoke', 'read'], [1, 'ok', 'read', 'a']);
    const notApplied = h([0, 'invoke', 'write', 'a'], [0, 'info', 'write'], [1, 'invoke', 'read'], [1, 'ok', 'read', null]);
    expect(checkHistory(applied, { model: 'register' }).valid).toBe(true);
    expect(checkHistory(notApplied, { model: 'register' }).valid).toBe(true);
    // An info write cannot take effect before it was invoked.
    const early = h([1, 'invoke', 'read'], [1, 'ok', 'read', 'a'], [0, 'invoke', 'write', 'a'], [0, 'info', 'write']);
    expect(checkHistory(early, { model: 'register' }).valid).toBe(false);
  });

  it('create writes only where there is no node; an unknown create cannot overwrite later', () => {
    expect(checkHistory(h([0, 'invoke', 'create', 'a'], [0, 'ok', 'create'], [1, 'invoke', 'create', 'b'], [1, 'fail', 'create'], [2, 'invoke', 'read'], [2, 'ok', 'read', 'a']), { model: 'register' }).valid).toBe(true);
    const twoCreates = h([0, 'invoke', 'create', 'a'], [0, 'ok', 'create'], [1, 'invoke', 'create', 'b'], [1, 'ok', 'create']);
    expect(checkHistory(twoCreates, { model: 'register' }).valid).toBe(false);
    const lateCreate = h([0, 'invoke', 'create', 'a'], [0, 'info', 'create'], [1, 'invoke', 'write', 'b'], [1, 'ok', 'write'], [2, 'invoke', 'read'], [2, 'ok', 'read', 'a']);
    expect(checkHistory(lateCreate, { model: 'register' }).valid).toBe(false);
  });

  it('checks each path on its own', () => {
    const r = checkHistory(h([0, 'invoke', 'write', 'a', '/x'], [0, 'ok', 'write', 'a', '/x'], [1, 'invoke', 'read', null, '/y'], [1, 'ok', 'read', null, '/y'], [1, 'invoke', 'read', null, '/x'], [1, 'ok', 'read', 'b', '/x']), { model: 'register' });
    expect(r.paths.map((p) => [p.path, p.valid])).toEqual([['/x', false], ['/y', true]]);
  });
});

describe('zookeeper model', () => {
  const staleOtherSession = h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [1, 'invoke', 'read'], [1, 'ok', 'read', null]);
  it('allows another session a stale read, which the register model rejects', () => {
    expect(checkHistory(staleOtherSession, { model: 'zookeeper' }).valid).toBe(true);
    expect(checkHistory(staleOtherSession, { model: 'register' }).valid).toBe(false);
  });
  it('rejects a session that does not see its own write', () => {
    const r = checkHistory(h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [0, 'invoke', 'read'], [0, 'ok', 'read', null]));
    expect(r.valid).toBe(false);
    expect(r.paths[0]!.failure!.op.f).toBe('read');
  });
  it('rejects a read going back in time within a session', () => {
    const r = checkHistory(h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [0, 'invoke', 'write', 'b'], [0, 'ok', 'write', 'b'], [1, 'invoke', 'read'], [1, 'ok', 'read', 'b'], [1, 'invoke', 'read'], [1, 'ok', 'read', 'a']));
    expect(r.valid).toBe(false);
  });
  it('rejects a read after sync that is older than the sync', () => {
    const ok = h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [1, 'invoke', 'read'], [1, 'ok', 'read', null], [1, 'invoke', 'sync', null, '/'], [1, 'ok', 'sync', null, '/'], [1, 'invoke', 'read'], [1, 'ok', 'read', 'a']);
    expect(checkHistory(ok).valid).toBe(true);
    const stale = h([0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'], [1, 'invoke', 'sync', null, '/'], [1, 'ok', 'sync', null, '/'], [1, 'invoke', 'read'], [1, 'ok', 'read', null]);
    expect(checkHistory(stale).valid).toBe(false);
  });
  it('rejects reading a value that is not written yet (the future)', () => {
    expect(checkHistory(h([1, 'invoke', 'read'], [1, 'ok', 'read', 'a'], [0, 'invoke', 'write', 'a'], [0, 'ok', 'write', 'a'])).valid).toBe(false);
  });
  it('keeps writes linearizable: two CAS winners still fail', () => {
    expect(checkHistory(h([0, 'invoke', 'write', '0'], [0, 'ok', 'write', '0'], [1, 'invoke', 'cas', ['0', '1']], [1, 'ok', 'cas'], [2, 'invoke', 'cas', ['0', '2']], [2, 'ok', 'cas'])).valid).toBe(false);
  });
});

describe('limits and input errors', () => {
  it("answers 'unknown' when the step limit is hit", () => {
    const evs: Ev[] = [];
    for (let p = 0; p < 12; p++) evs.push([p, 'invoke', 'write', `v${p}`]);
    for (let p = 0; p < 12; p++) evs.push([p, 'info', 'write']);
    evs.push([99, 'invoke', 'read'], [99, 'ok', 'read', 'nope']);
    const r = checkHistory(h(...evs), { model: 'register', stepsMaxPerPath: 1000 });
    expect(r.valid).toBe('unknown');
    expect(r.paths[0]!.gaveUp).toContain('1000 search steps');
    expect(formatCheckResult(r)).toContain('unknown');
  });
  it("answers 'unknown' when the time limit is hit", () => {
    let t = 0;
    const evs: Ev[] = [];
    for (let p = 0; p < 14; p++) evs.push([p, 'invoke', 'write', `v${p}`]);
    evs.push([99, 'invoke', 'read'], [99, 'ok', 'read', 'nope']);
    const r = checkHistory(h(...evs), { model: 'register', timeMsMax: 5, now: () => (t += 1) });
    expect(r.valid).toBe('unknown');
    expect(r.paths[0]!.gaveUp).toBe('time limit reached');
  });
  it('names the line of a malformed history', () => {
    expect(() => checkHistory(h([0, 'ok', 'read', 'a']))).toThrow(/line 1: ok for process 0 without an invoke/);
    expect(() => checkHistory(h([0, 'invoke', 'write', 'a'], [0, 'invoke', 'write', 'b']))).toThrow(HistoryError);
    const skipping = checkHistory(h([0, 'invoke', 'incr'], [0, 'ok', 'incr'], [1, 'invoke', 'read'], [1, 'ok', 'read', null]));
    expect(skipping).toMatchObject({ valid: true, ops: 1, skipped: { incr: 1 } });
    expect(formatCheckResult(skipping)).toContain('left out (not register operations): 1 incr');
    expect(() => checkHistory(h([0, 'invoke', 'cas', 'x']))).toThrow(/\[expected, new\]/);
    expect(() => parseJsonLines('{"process":0,"type":"invoke","f":"read"}\n{"process":"x"}')).toThrow(/line 2: "process" must be an integer/);
    expect(() => parseJsonLines('not json')).toThrow(/line 1: not JSON/);
  });
});

describe('history recorder and exports', () => {
  it('records, round-trips JSON lines and exports EDN and Porcupine operations', () => {
    let t = 0;
    const rec = new HistoryRecorder(() => t++);
    const w = rec.invoke(0, 'write', '/r', 'a');
    const r = rec.invoke(1, 'read', '/r');
    rec.ok(w);
    rec.ok(r, 'a');
    const c = rec.invoke(0, 'cas', '/r', ['a', 'b']);
    expect(() => rec.invoke(0, 'read', '/r')).toThrow(/already has an operation in flight/);
    rec.fail(c, 'BadVersion');
    rec.invoke(2, 'write', '/r', 'z');
    rec.closeAll();
    const text = toJsonLines(rec.events);
    expect(text.split('\n')[0]).toBe('{"process":0,"type":"invoke","f":"write","path":"/r","value":"a","time":0}');
    expect(parseJsonLines(text)).toEqual(rec.events);
    expect(checkHistory(parseJsonLines(text), { model: 'register' }).valid).toBe(true);
    const edn = toEdn(rec.events);
    expect(edn).toContain('{:process 0, :type :invoke, :f :write, :value ["/r" "a"], :time 0}');
    expect(edn).toContain(':type :fail, :f :cas, :value ["/r" nil], :time 5000000 :error "BadVersion"}');
    const porc = JSON.parse(toPorcupineJson(rec.events));
    expect(porc).toHaveLength(3); // the failed cas did not happen
    expect(porc[2]).toMatchObject({ clientId: 2, output: { status: 'info' }, return: rec.events.length });
  });
});
