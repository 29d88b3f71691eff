#!/usr/bin/env node
// `npm test`: runs every project's tests through nx, then sums the vitest reports of all
// packages into one closing line `N passed, N failed, N skipped` (read by CI).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const projectDirs = [join(root, 'tools'), join(root, 'benchmarks')];
for (const group of ['packages', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const name of readdirSync(base)) {
    if (statSync(join(base, name)).isDirectory()) projectDirs.push(join(base, name));
  }
}
const reportOf = (dir) => join(dir, '.test-report.json');
for (const dir of projectDirs) rmSync(reportOf(dir), { force: true });

const extra = process.argv.slice(2);
const nx = spawnSync('npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream', ...extra], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
const perProject = [];
for (const dir of projectDirs) {
  if (!existsSync(reportOf(dir))) continue;
  const r = JSON.parse(readFileSync(reportOf(dir), 'utf8'));
  const p = r.numPassedTests ?? 0;
  // A failing test counts once; a file that failed to load (no test failed) counts as one failure.
  const f = (r.numFailedTests ?? 0) || ((r.numFailedTestSuites ?? 0) > 0 ? 1 : 0);
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  perProject.push(`${dir.slice(root.length + 1).padEnd(28)} ${String(p).padStart(5)} passed ${String(f).padStart(3)} failed ${String(s).padStart(3)} skipped`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log('\nper project:');
for (const line of perProject) console.log('  ' + line);
const status = nx.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // a build or lint failure counts as a failure
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status);
