#!/usr/bin/env node
// Enforces DESIGN.md's layering: floors, index-only imports between packages, pure cores.
// Usage: node tools/check-layers.mjs [repoRoot]. Exit 1 with one line per violation.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOORS, APP_FLOOR, PURE_CORES, PURE_CORE_BANS } from './layers.mjs';

/** Removes comments and string contents that are not import specifiers, keeping line numbers. */
export function stripComments(source) {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Returns a list of violation strings for the tree at `root`. */
export function checkTree(root) {
  const problems = [];
  const units = [];
  for (const [group, floorOf] of [['packages', (n) => FLOORS[n]], ['apps', () => APP_FLOOR]]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      if (!statSync(join(base, name)).isDirectory()) continue;
      const floor = floorOf(name);
      if (floor === undefined) {
        problems.push(`${group}/${name}: package has no floor in tools/layers.mjs`);
        continue;
      }
      units.push({ name, dir: join(base, name), floor, group });
    }
  }
  for (const unit of units) {
    for (const file of walk(join(unit.dir, 'src'))) {
      const rel = relative(root, file);
      const isTest = /\.test\.ts$/.test(file) || file.includes(`${'/'}test-support${'/'}`);
      const text = stripComments(readFileSync(file, 'utf8'));
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        const where = `${rel}:${i + 1}`;
        for (const m of line.matchAll(/(?:from\s+|import\s*\(\s*)['"](@zkts\/[^'"]+)['"]/g)) {
          const spec = m[1];
          const [, pkg, ...rest] = spec.split('/');
          if (rest.length > 0) problems.push(`${where}: deep import '${spec}' (import the package index only)`);
          const depFloor = FLOORS[pkg];
          if (depFloor === undefined) {
            if (pkg !== 'tools') problems.push(`${where}: imports unknown package '@zkts/${pkg}'`);
            continue;
          }
          if (unit.group === 'packages' && pkg === unit.name) {
            problems.push(`${where}: imports its own package by name`);
          } else if (!isTest && depFloor >= unit.floor) {
            problems.push(`${where}: floor ${unit.floor} package '${unit.name}' imports '@zkts/${pkg}' (floor ${depFloor})`);
          }
        }
        if (unit.group === 'packages' && PURE_CORES.includes(unit.name) && !isTest) {
          for (const [re, why] of PURE_CORE_BANS) {
            if (re.test(line)) problems.push(`${where}: pure core ${why}: ${line.trim()}`);
          }
        }
      });
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkTree(root);
  if (problems.length) {
    for (const p of problems) console.error(p);
    console.error(`check-layers: ${problems.length} violation(s)`);
    process.exit(1);
  }
  console.log('check-layers: ok');
}
