// Round-trip properties: every record decodes back to what was encoded, consuming every byte.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JuteReader, JuteWriter } from './jute.js';
import * as R from './records.js';
import * as T from './txn.js';
import * as A from './test-support/arbitraries.js';
import { CASES } from './test-support/cases.js';

/** Every exported codec must appear in CASES, so a new record cannot skip its round trip. */
function exportedCodecs(): string[] {
  const isCodec = (v: unknown) => typeof v === 'object' && v !== null && 'encode' in v && 'decode' in v;
  return [R, T].flatMap((m) => Object.entries(m).filter(([, v]) => isCodec(v)).map(([k]) => k));
}

describe('record round trips', () => {
  it('cover every exported codec', () => {
    const covered = new Set(CASES.map(([name]) => name));
    expect(exportedCodecs().filter((name) => !covered.has(name) && name !== 'SubTxn')).toEqual([]);
  });

  for (const [name, codec, arb] of CASES) {
    it(name, () => {
      fc.assert(
        fc.property(arb, (value) => {
          const w = new JuteWriter(4);
          codec.encode(w, value);
          const encoded = w.toBuffer();
          const r = new JuteReader(encoded);
          expect(A.normalize(codec.decode(r))).toEqual(A.normalize(value));
          expect(r.remaining).toBe(0);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('typed txns (encodeTxn / decodeTxn), multi nesting included', () => {
    fc.assert(
      fc.property(A.txn, (txn) => {
        const w = new JuteWriter();
        T.encodeTxn(w, txn);
        const r = new JuteReader(w.toBuffer());
        expect(A.normalize(T.decodeTxn(txn.type, r))).toEqual(A.normalize(txn));
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
