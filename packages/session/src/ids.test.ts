import { describe, expect, it } from 'vitest';
import { initialSessionId, serverIdOf, sessionIdHex, sessionPassword } from './ids.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Reference values computed with Java 17 using ZooKeeper 3.8's formulas:
//   ((time << 24) >>> 8) | (sid << 56)   and   new Random(id ^ 0xB3415C00L).nextBytes(new byte[16]).
describe('initialSessionId', () => {
  it('equals ZooKeeper for server 1', () => expect(initialSessionId(1, 1_700_000_000_000)).toBe(111411200000000000n));
  it('equals ZooKeeper for server 255 (negative as a Java long)', () => {
    expect(initialSessionId(255, 1_700_000_000_000)).toBe(-32703988075855872n);
  });
  it('equals ZooKeeper for server 0', () => expect(initialSessionId(0, 123456789)).toBe(8090864123904n));
  it('keeps only the low 40 bits of the time', () => expect(initialSessionId(7, 0xffffffffffff)).toBe(576460752303357952n));
  it('puts the server id in the top byte', () => expect(serverIdOf(initialSessionId(200, 1_700_000_000_000))).toBe(200));
  it('leaves the low 16 bits zero for the counter', () => expect(initialSessionId(3, 987654321) & 0xffffn).toBe(0n));
  it('rejects a server id above 255', () => expect(() => initialSessionId(256, 0)).toThrow(RangeError));
  it('prints ids as unsigned hex', () => expect(sessionIdHex(-32703988075855872n)).toBe('0xff8bcfe568000000'));
});

describe('sessionPassword', () => {
  it('equals ZooKeeper for id 1', () => expect(hex(sessionPassword(1n))).toBe('054cc74a37327db215e702e20c73f005'));
  it('equals ZooKeeper for a time-derived id', () => {
    expect(hex(sessionPassword(0x01650f2bd6a00000n))).toBe('d25c676ff76294c600d9ccf398add07a');
  });
  it('equals ZooKeeper for id 42', () => expect(hex(sessionPassword(42n))).toBe('c813ee495620c3a68794ef27a239e8a9'));
  it('ignores the server-id byte, as java.util.Random keeps 48 seed bits', () => {
    expect(hex(sessionPassword(-72057594037927935n))).toBe(hex(sessionPassword(1n)));
  });
  it('changes with the secret', () => expect(hex(sessionPassword(1n, 12345n))).not.toBe(hex(sessionPassword(1n))));
});
