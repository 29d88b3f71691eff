#!/usr/bin/env bash
# Scaffolds packages/<name> (or apps/<name> with --app): package.json, tsconfig, src/index.ts.
# Usage: tools/new-package.sh <name> [dep ...]   e.g. tools/new-package.sh data-tree protocol
set -euo pipefail
group=packages
if [ "${1:-}" = "--app" ]; then group=apps; shift; fi
name=$1; shift
dir="$(dirname "$0")/../$group/$name"
mkdir -p "$dir/src"
deps=""
for d in "$@"; do deps="$deps\"@zkts/$d\": \"0.1.0\","; done
deps="{${deps%,}}"
cat > "$dir/package.json" <<JSON
{
  "name": "@zkts/$name",
  "version": "0.1.0",
  "type": "module",
  "exports": {
    ".": {
      "source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist", "src", "README.md"],
  "scripts": {
    "build": "tsc -p tsconfig.json",
    "test": "vitest run --config ../../vitest.package.ts"
  },
  "dependencies": $deps
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "outDir": "dist", "rootDir": "src", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts", "src/test-support"]
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
[ -f "$dir/README.md" ] || printf '# @zkts/%s\n' "$name" > "$dir/README.md"
