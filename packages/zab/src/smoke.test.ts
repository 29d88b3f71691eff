import { describe, expect, it } from 'vitest';
import { SimCluster } from './test-support/cluster.js';

describe('smoke', () => {
  it('elects and commits', () => {
    const c = new SimCluster({ voters: 3, seed: 1 });
    const leader = c.waitForLeader();
    c.write(5);
    c.runTicks(2);
    c.waitForConvergence();
    console.log(c.describe());
    expect(leader.applied.length).toBe(5);
  });
});
