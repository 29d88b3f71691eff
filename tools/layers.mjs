// The architecture rules, as data. check-layers.mjs enforces them; its test proves it can fail.

/** Floor of each package folder: a package imports only from lower floors. */
export const FLOORS = {
  protocol: 1,
  'data-tree': 2,
  'txn-log': 2,
  auth: 2,
  transport: 2,
  session: 2,
  zab: 3,
  election: 3,
  'storage-memory': 3,
  'storage-file': 3,
  'storage-level': 3,
  'transport-memory': 3,
  'transport-tcp': 3,
  server: 4,
  client: 4,
  sim: 4,
  conformance: 5,
  recipes: 5,
  'compat-curator': 5,
  'compat-clients': 5,
};
export const APP_FLOOR = 5;

/** Deterministic cores: no I/O, no clocks, no randomness, no rxjs or DI container. */
export const PURE_CORES = ['data-tree', 'zab', 'election', 'session'];

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs',
  'fs/promises', 'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process',
  'readline', 'stream', 'timers', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

/** [regex, why] pairs applied to the comment-stripped source of a pure core's non-test files. */
export const PURE_CORE_BANS = [
  [/from\s+['"]node:[^'"]+['"]/, 'imports a node: builtin'],
  [new RegExp(`from\\s+['"](${NODE_BUILTINS.join('|')})['"]`), 'imports a node builtin'],
  [/\bimport\s*\(\s*['"]node:/, 'imports a node: builtin dynamically'],
  [/from\s+['"]rxjs(\/[^'"]*)?['"]/, 'imports rxjs'],
  [/from\s+['"]tsyringe['"]/, 'imports tsyringe'],
  [/\bDate\b/, 'uses Date (time must arrive as a number)'],
  [/\bMath\.random\b/, 'uses Math.random (randomness must be injected)'],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|queueMicrotask)\b/, 'uses a timer'],
  [/\bperformance\.now\b/, 'reads a clock'],
  [/\bprocess\.(hrtime|env|nextTick|uptime)\b/, 'touches the process'],
  [/\brequire\s*\(/, 'uses require'],
];
