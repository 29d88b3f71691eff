// Smoke test of the load generator against an in-process zkts server: it completes operations
// of every kind with no errors. No timing assertions (the machine is shared).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { defaultStandaloneConfig, startStandaloneServer, type ZooKeeperServer } from '@zkts/server';
import { Histogram } from './histogram.js';
import { OP_NAMES, populate, runLoad, WORKLOADS } from './loadgen.js';

let server: ZooKeeperServer;
let port: number;

beforeAll(async () => {
  server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0 }));
  port = server.listenAddress!.port;
  await populate('127.0.0.1', port, { keys: 50, valueSize: 16 });
});

afterAll(async () => {
  await server?.stop();
});

test('a mixed run over several pipelined connections completes every op kind without errors', async () => {
  const r = await runLoad({
    port, connections: 4, inFlight: 16, keys: 50, valueSize: 16,
    mix: { get: 40, set: 20, create: 10, exists: 15, children: 15 },
    warmupMs: 200, durationMs: 800, decode: 'full',
  });
  expect(r.errors).toEqual({});
  expect(r.completed).toBeGreaterThan(0);
  for (const op of OP_NAMES) expect(r.byOp[op] ?? 0).toBeGreaterThan(0);
  expect(r.latencyMs.p50).toBeGreaterThan(0);
  expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
});

test('one request in flight on one connection, header-only decoding', async () => {
  const r = await runLoad({ port, connections: 1, inFlight: 1, keys: 50, valueSize: 16, mix: WORKLOADS['get']!, warmupMs: 0, durationMs: 300 });
  expect(r.errors).toEqual({});
  expect(r.byOp.get).toBe(r.completed);
  expect(r.completed).toBeGreaterThan(0);
});

test('ops on missing nodes are counted by error code', async () => {
  const r = await runLoad({ port, connections: 1, inFlight: 4, keys: 50, valueSize: 16, root: '/absent', mix: { get: 1 }, warmupMs: 0, durationMs: 200 });
  expect(Object.keys(r.errors)).toEqual(['NONODE']);
});

test('the histogram is exact below 256 µs and within 1 % above', () => {
  const h = new Histogram();
  for (let v = 1; v <= 100; v++) h.record(v);
  expect(h.quantile(0.5)).toBe(50);
  expect(h.quantile(0.99)).toBe(99);
  const big = new Histogram();
  for (const v of [1000, 12_345, 987_654]) big.record(v);
  expect(Math.abs(big.quantile(0.5) - 12_345) / 12_345).toBeLessThan(0.01);
  expect(Math.abs(big.quantile(1) - 987_654) / 987_654).toBeLessThan(0.01);
  const merged = Histogram.fromSparse(big.toSparse());
  expect(merged.total).toBe(3);
});
