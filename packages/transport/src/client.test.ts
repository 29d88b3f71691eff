import { describe, expect, it } from 'vitest';
import { FOUR_LETTER_WORDS, TELNET_CLOSE_WORD, fourLetterCode, fourLetterWordOf } from './client.js';

describe('four-letter words', () => {
  it('codes are the first four bytes read as a big-endian int32, as ZooKeeper compares them', () => {
    const bytes = new TextEncoder().encode('ruok');
    expect(fourLetterCode('ruok')).toBe(new DataView(bytes.buffer).getInt32(0));
    expect(fourLetterCode('ruok')).toBe(0x72756f6b);
  });

  it('knows exactly ZooKeeper 3.6+ words and maps every code back', () => {
    expect([...FOUR_LETTER_WORDS].sort()).toEqual(
      ['conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'isro', 'mntr', 'ruok', 'srst', 'srvr', 'stat', 'stmk', 'wchc', 'wchp', 'wchs'],
    );
    for (const w of FOUR_LETTER_WORDS) expect(fourLetterWordOf(fourLetterCode(w))).toBe(w);
  });

  it('ordinary frame lengths and unknown words are not words', () => {
    expect(fourLetterWordOf(44)).toBeUndefined();
    expect(fourLetterWordOf(fourLetterCode('kill'))).toBeUndefined();
    expect(fourLetterWordOf(TELNET_CLOSE_WORD)).toBeUndefined();
    expect(TELNET_CLOSE_WORD).toBeLessThan(0);
  });

  it('rejects strings that are not four characters long', () => {
    expect(() => fourLetterCode('ruo')).toThrow(RangeError);
  });
});
