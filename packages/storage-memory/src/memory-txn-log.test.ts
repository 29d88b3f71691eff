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
  it('purges exactly the entries before the zxid', async () => {
    const log = new MemoryTxnLog();
    log.append([entry(1), entry(2), entry(3), entry(4)]);
    await log.flush();
    await log.purgeBefore(3);
    expect(await zxids(log, 0)).toEqual([3, 4]);
  });
  it('crash() loses what was appended after the last flush, and nothing else', async () => {
    const log = new MemoryTxnLog();
    log.append([entry(1), entry(2)]);
    await log.flush();
    log.append([entry(3)]);
    expect(log.lastZxid()).toBe(3);
    log.crash();
    expect(log.lastZxid()).toBe(2);
    expect(await zxids(log, 0)).toEqual([1, 2]);
  });
  it('counts one sync per flush that had entries (group commit)', async () => {
    const log = new MemoryTxnLog();
    for (let z = 1; z <= 100; z++) log.append([entry(z)]);
    await log.flush();
    await log.flush();
    expect(log.syncs).toBe(1);
  });
});
