// The CI sweep the issue asks for: seeds 1..200, both election strategies, every fault in `all`.
// Sized (ops per seed) to take about a minute on a shared 2-core machine.
import { describe, expect, it } from 'vitest';
import { runHarness } from './cli.js';

describe('CI sweep', () => {
  it('zkts-harness sim --seeds 1..200 --election all --ops 100 passes', async () => {
    let out = '';
    const code = await runHarness(['sim', '--seeds', '1..200', '--election', 'all', '--ops', '100'], { out: (t) => (out += t), err: () => {} });
    if (code !== 0) throw new Error(out);
    expect(out).toMatch(/^fast\s+200\s+0\s/m);
    expect(out).toMatch(/^basic\s+200\s+0\s/m);
  }, 300_000);
});
