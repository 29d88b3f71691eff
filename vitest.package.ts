// Shared vitest config for every package: run `vitest run --config ../../vitest.package.ts`
// from a package folder. Workspace imports resolve to sources (the "source" export
// condition), so tests never need a build of their dependencies.
import { defineConfig } from 'vitest/config';
import { basename } from 'node:path';

const root = process.cwd();

export default defineConfig({
  root,
  // Tests sit outside the build tsconfig, so the transformer is told about legacy decorators here.
  oxc: { decorator: { legacy: true } },
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    name: basename(root),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.test-report.json' }]],
  },
});
