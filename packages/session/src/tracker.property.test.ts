import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionTracker } from './tracker.js';

describe('expiry, property', () => {
  it('expires a session exactly at the first tick boundary after its last touch + timeout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 10 }),
        (tick, timeout, gaps) => {
          const t = new SessionTracker({ serverId: 1, tickTimeMs: tick, now: 0, minSessionTimeoutMs: 1, maxSessionTimeoutMs: 1e9 });
          let now = 0;
          let lastTouch = 0;
          const s = t.createSession(timeout, now);
          for (const g of gaps) {
            now += g;
            if (now >= s.expiresAtMs) break;
            // A session touched before its bucket time is still alive.
            expect(t.touch(s.id, now)).toBe(true);
            lastTouch = now;
          }
          const last = s.expiresAtMs;
          expect(last % tick).toBe(0);
          expect(last > lastTouch + timeout && last <= lastTouch + timeout + tick).toBe(true);
          expect(t.expire(last - 1).length).toBe(0);
          expect(t.expire(last).map((x) => x.id)).toEqual([s.id]);
        },
      ),
    );
  });
});
