import { ErrorCode } from '@zkts/protocol';
import { describe, expect, it } from 'vitest';
import { serverIdOf } from './ids.js';
import { SessionLimitError, SessionTracker } from './tracker.js';

const TICK = 2000;
const tracker = (extra: Partial<ConstructorParameters<typeof SessionTracker>[0]> = {}) =>
  new SessionTracker({ serverId: 5, tickTimeMs: TICK, now: 1_000_000, ...extra });

describe('ids', () => {
  it('gives every session the server id in its top byte', () => {
    const t = tracker();
    expect(serverIdOf(t.createSession(6000, 0).id)).toBe(5);
  });
  it('numbers sessions consecutively from the initial id', () => {
    const t = tracker();
    const a = t.createSession(6000, 0).id;
    expect(t.createSession(6000, 0).id).toBe(a + 1n);
  });
  it('skips an id already tracked from elsewhere', () => {
    const t = tracker();
    const a = t.createSession(6000, 0).id;
    t.trackSession(a + 1n, 6000, 0);
    expect(t.createSession(6000, 0).id).toBe(a + 2n);
  });
});

describe('timeout negotiation', () => {
  it('raises a short request to 2 ticks by default', () => expect(tracker().negotiateTimeout(100)).toBe(4000));
  it('lowers a long request to 20 ticks by default', () => expect(tracker().negotiateTimeout(1_000_000)).toBe(40000));
  it('keeps a request inside the bounds', () => expect(tracker().negotiateTimeout(10000)).toBe(10000));
  it('uses configured bounds', () => {
    const t = tracker({ minSessionTimeoutMs: 5000, maxSessionTimeoutMs: 7000 });
    expect([t.negotiateTimeout(1), t.negotiateTimeout(99999)]).toEqual([5000, 7000]);
  });
  it('rejects min above max', () => expect(() => tracker({ minSessionTimeoutMs: 9000, maxSessionTimeoutMs: 8000 })).toThrow(RangeError));
});

describe('bucketed expiry', () => {
  it('puts expiry on the next tick boundary after now + timeout', () => {
    // 1000 + 6000 = 7000 -> next boundary of 2000 is 8000.
    expect(tracker().createSession(6000, 1000).expiresAtMs).toBe(8000);
  });
  it('rounds an exact boundary up to the following one, as ExpiryQueue', () => {
    expect(tracker().createSession(6000, 2000).expiresAtMs).toBe(10000);
  });
  it('does not expire an untouched session before its bucket time', () => {
    const t = tracker();
    t.createSession(6000, 1000);
    expect(t.expire(7999)).toEqual([]);
  });
  it('expires an untouched session at its bucket time', () => {
    const t = tracker();
    const s = t.createSession(6000, 1000);
    expect(t.expire(8000).map((x) => x.id)).toEqual([s.id]);
  });
  it('keeps a touched session alive past its first bucket', () => {
    const t = tracker();
    const s = t.createSession(6000, 1000);
    expect(t.touch(s.id, 5000)).toBe(true);
    expect(t.expire(8000)).toEqual([]);
    expect(t.get(s.id)?.expiresAtMs).toBe(12000);
  });
  it('expires a session once touches stop', () => {
    const t = tracker();
    const s = t.createSession(6000, 1000);
    t.touch(s.id, 5000);
    expect(t.expire(12000).map((x) => x.id)).toEqual([s.id]);
  });
  it('returns an expired session only once', () => {
    const t = tracker();
    t.createSession(6000, 1000);
    t.expire(8000);
    expect(t.expire(20000)).toEqual([]);
  });
  it('catches up on several missed buckets, oldest first', () => {
    const t = tracker();
    const late = t.createSession(8000, 1000);
    const early = t.createSession(4000, 1000);
    expect(t.expire(60000).map((x) => x.id)).toEqual([early.id, late.id]);
  });
  it('marks an expired session closing but keeps it until close', () => {
    const t = tracker();
    const s = t.createSession(6000, 1000);
    t.expire(8000);
    expect([t.get(s.id)?.closing, t.checkSession(s.id, 'c')]).toEqual([true, ErrorCode.sessionExpired]);
  });
  it('refuses to touch an expired session', () => {
    const t = tracker();
    const s = t.createSession(6000, 1000);
    t.expire(8000);
    expect(t.touch(s.id, 8001)).toBe(false);
  });
  it('reports the earliest bucket as the next expiry time', () => {
    const t = tracker();
    t.createSession(8000, 1000);
    t.createSession(4000, 1000);
    expect(t.nextExpiryTime()).toBe(6000);
  });
  it('has no next expiry time when empty', () => expect(tracker().nextExpiryTime()).toBeUndefined());
});

describe('passwords and reopen', () => {
  it('gives the same password for the same id and secret', () => {
    const a = tracker();
    const b = tracker({ serverId: 9, now: 42 });
    const id = a.createSession(6000, 0).id;
    expect(b.password(id)).toEqual(a.password(id));
  });
  it('accepts the right password', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    expect(t.checkPassword(s.id, t.password(s.id))).toBe(true);
  });
  it('rejects a wrong password', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    const bad = t.password(s.id);
    bad[0] ^= 1;
    expect(t.checkPassword(s.id, bad)).toBe(false);
  });
  it('rejects a password made with another secret', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    expect(tracker({ secret: 7n }).checkPassword(s.id, t.password(s.id))).toBe(false);
  });
  it('rejects session id 0 whatever the password', () => {
    const t = tracker();
    expect(t.checkPassword(0n, t.password(0n))).toBe(false);
  });
  it('reopens with the new timeout and touches the session', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    const r = t.reopen(s.id, t.password(s.id), 10000, 3000);
    expect(r.ok && [r.session.timeoutMs, r.session.expiresAtMs]).toEqual([10000, 14000]);
  });
  it('refuses to reopen with a bad password', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    expect(t.reopen(s.id, new Uint8Array(16), 6000, 1)).toEqual({ ok: false, reason: 'badPassword' });
  });
  it('refuses to reopen an expired session', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    t.expire(100000);
    expect(t.reopen(s.id, t.password(s.id), 6000, 100001)).toEqual({ ok: false, reason: 'closing' });
  });
});

describe('close', () => {
  it('forgets a closed session', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    t.close(s.id);
    expect([t.has(s.id), t.size]).toEqual([false, 0]);
  });
  it('never reports a closed session as expired', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    t.close(s.id);
    expect(t.expire(100000)).toEqual([]);
  });
  it('refuses to touch a closed session', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    t.close(s.id);
    expect(t.touch(s.id, 1)).toBe(false);
  });
  it('reports a closing session as expired to checkSession', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    t.setClosing(s.id);
    expect(t.checkSession(s.id, 'c')).toBe(ErrorCode.sessionExpired);
  });
});

describe('owner and local sessions', () => {
  it('answers unknownSession for an unknown id', () => expect(tracker().checkSession(99n, 'c')).toBe(ErrorCode.unknownSession));
  it('takes the first owner', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    expect([t.checkSession(s.id, 'a'), t.get(s.id)?.owner]).toEqual([ErrorCode.ok, 'a']);
  });
  it('answers sessionMoved for another owner', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    t.checkSession(s.id, 'a');
    expect(t.checkSession(s.id, 'b')).toBe(ErrorCode.sessionMoved);
  });
  it('accepts the new owner after setOwner', () => {
    const t = tracker();
    const s = t.createSession(6000, 0);
    t.checkSession(s.id, 'a');
    t.setOwner(s.id, 'b');
    expect(t.checkSession(s.id, 'b')).toBe(ErrorCode.ok);
  });
  it('refuses ephemerals on a local session', () => {
    const t = tracker();
    const s = t.createSession(6000, 0, { local: true });
    expect(t.checkGlobalSession(s.id, 'a')).toBe(ErrorCode.ephemeralOnLocalSession);
  });
  it('allows ephemerals once a local session is upgraded', () => {
    const t = tracker();
    const s = t.createSession(6000, 0, { local: true });
    t.upgrade(s.id);
    expect([s.local, t.checkGlobalSession(s.id, 'a')]).toEqual([false, ErrorCode.ok]);
  });
  it('treats an unknown session as expired for ephemerals', () => expect(tracker().checkGlobalSession(1n, 'a')).toBe(ErrorCode.sessionExpired));
});

describe('limits', () => {
  it('refuses a session beyond maxSessions', () => {
    const t = tracker({ maxSessions: 2 });
    t.createSession(6000, 0);
    t.createSession(6000, 0);
    expect(() => t.createSession(6000, 0)).toThrow(SessionLimitError);
  });
  it('admits again after a close', () => {
    const t = tracker({ maxSessions: 1 });
    t.close(t.createSession(6000, 0).id);
    expect(t.createSession(6000, 0).id).toBeTypeOf('bigint');
  });
  it('rejects a non-positive timeout', () => expect(() => tracker().createSession(0, 0)).toThrow(RangeError));
});
