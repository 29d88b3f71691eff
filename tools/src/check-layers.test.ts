import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain ESM module without types
import { checkTree } from '../check-layers.mjs';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'zkts-layers-'));
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  return root;
}

describe('check-layers', () => {
  it('accepts a pure core importing a lower floor through its index', () => {
    const root = tree({ 'packages/data-tree/src/a.ts': "import { OpCode } from '@zkts/protocol';\n" });
    expect(checkTree(root)).toEqual([]);
  });
  it('flags Date, timers and node builtins in a pure core', () => {
    const root = tree({
      'packages/session/src/a.ts': "import { x } from 'node:fs';\nconst t = Date.now();\nsetTimeout(() => 0, 1);\nMath.random();\n",
    });
    const problems: string[] = checkTree(root);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('node: builtin');
  });
  it('ignores banned words in comments and allows them in tests', () => {
    const root = tree({
      'packages/zab/src/a.ts': '// Date.now() is not used here\n/* setTimeout */ export const x = 1;\n',
      'packages/zab/src/a.test.ts': 'const t = Date.now();\n',
    });
    expect(checkTree(root)).toEqual([]);
  });
  it('flags upward and deep imports', () => {
    const root = tree({
      'packages/protocol/src/a.ts': "import { DataTree } from '@zkts/data-tree';\n",
      'packages/server/src/a.ts': "import { x } from '@zkts/protocol/src/jute.js';\n",
    });
    const problems: string[] = checkTree(root);
    expect(problems.some((p) => p.includes('floor 1'))).toBe(true);
    expect(problems.some((p) => p.includes('deep import'))).toBe(true);
  });
  it('flags rxjs and tsyringe in a pure core', () => {
    const root = tree({ 'packages/election/src/a.ts': "import { Subject } from 'rxjs';\nimport { inject } from 'tsyringe';\n" });
    expect(checkTree(root)).toHaveLength(2);
  });
});
