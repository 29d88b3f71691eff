import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCase } from './bench-adapter.js';
import { EPOCH_BASE, appendCase, buildTree, openBackend, setDataEntry, snapshotBytes } from './storage-cases.js';

let parent = '';
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'zkts-bench-test-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

describe('storage suite smoke', () => {
  it('runs one tiny append+flush case on the file backend and removes its directory', async () => {
    const r = await runCase(appendCase('file', 10, parent), { maxTimeS: 0.2, minSamples: 2 });
    expect(r.error).toBeUndefined();
    expect(r.unitsPerSec).toBeCloseTo(r.opsPerSec * 10, 6);
    expect(r.samples).toBeGreaterThanOrEqual(2);
  });

  it('a snapshot of the built tree and a logged tail recover to the same tree (file backend)', async () => {
    const tree = buildTree(50);
    expect(tree.nodeCount).toBeGreaterThan(64);
    const dir = join(parent, 'data');
    const b = (await openBackend('file', dir))!;
    await b.snapshots.save(tree.lastProcessedZxid, { nodes: tree.snapshotNodes(), sessions: [], digest: tree.digest() });
    b.txnLog.append([setDataEntry(tree.lastProcessedZxid + 1, 50)]);
    await b.txnLog.flush();
    await b.close();
    const again = (await openBackend('file', dir))!;
    const snap = await again.snapshots.latestValid();
    expect(snap?.zxid).toBe(tree.lastProcessedZxid);
    const tail = [];
    for await (const e of again.txnLog.readFrom(tree.lastProcessedZxid + 1)) tail.push(e.hdr.zxid);
    expect(tail).toEqual([tree.lastProcessedZxid + 1]);
    await again.close();
    expect(snapshotBytes(tree)).toBeGreaterThan(50 * 100);
    expect(tree.lastProcessedZxid).toBeGreaterThan(EPOCH_BASE);
  });
});
