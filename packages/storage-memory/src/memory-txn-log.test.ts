import { describe, expect, it } from 'vitest';
import { OpCode } from '@zkts/protocol';
import type { LogEntry } from '@zkts/txn-log';
import { MemoryTxnLog } from './memory-txn-log.js';

const entry = (zxid: number): LogEntry => ({
  hdr: { clientId: 1n, cxid: zxid, zxid, time: 1000 + zxid, type: OpCode.delete },
  txn: { type: OpCode.delete, path: `/n${zxid}` },
});

async function zxids(log: MemoryTxnLog, from: number): Promise<number[]> {
  const out: number[] = [];
  for await (const e of log.readFrom(from)) out.push(e.hdr.zxid);
  return out;
}

describe('MemoryTxnLog', () => {
  it('appends in zxid order, reads from a zxid, truncates and purges', async () => {
    const log = new MemoryTxnLog();
    log.append([entry(1), entry(2), entry(3), entry(4)]);
    await log.flush();
    expect(log.lastZxid()).toBe(4);
    expect(await zxids(log, 3)).toEqual([3, 4]);
    await log.truncateAfter(2);
    expect(log.lastZxid()).toBe(2);
    await log.purgeBefore(2);
    expect(await zxids(log, 0)).toEqual([2]);
  });
  it('refuses an entry that does not advance the zxid', () => {
    const log = new MemoryTxnLog();
    log.append([entry(5)]);
    expect(() => log.append([entry(5)])).toThrow(RangeError);
  });
});
