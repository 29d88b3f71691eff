// Ordering guarantees on one connection and between a writer and a watcher, and the
// globalOutstandingLimit throttle.
import { afterEach, expect, test } from 'vitest';
import { EventType, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { startTestServer, type TestServer } from './test-support/server.js';

let zk: TestServer | undefined;
afterEach(async () => {
  await zk?.stop();
  zk = undefined;
});

const create = (path: string) => ({ path, data: Buffer.from('v'), acl: [...OPEN_ACL_UNSAFE], flags: 0 });

test('pipelined reads and writes on one connection are answered in request order', async () => {
  zk = await startTestServer();
  const c = await zk.connect();
  const xids: number[] = [];
  for (let i = 0; i < 300; i++) {
    switch (i % 4) {
      case 0: xids.push(c.send(OpCode.create, create(`/n${i}`))); break;
      case 1: xids.push(c.send(OpCode.getData, { path: `/n${i - 1}`, watch: false })); break;
      case 2: xids.push(c.send(OpCode.setData, { path: `/n${i - 2}`, data: Buffer.from('w'), version: -1 })); break;
      default: xids.push(c.send(OpCode.exists, { path: `/n${i - 3}`, watch: false }));
    }
  }
  const replies = await Promise.all(xids.map((x) => c.reply(x)));
  expect(replies.every((r) => r.header.err === 0)).toBe(true);
  expect(c.arrivals).toEqual(xids); // arrival order is request order
  // A read behind a write sees it: every getData found the node its preceding create made.
  const zxids = replies.map((r) => r.header.zxid);
  expect(zxids).toEqual([...zxids].sort((a, b) => a - b));
});

test('a watch event is delivered before the reply to any later request of the watcher that sees the change', async () => {
  zk = await startTestServer();
  const watcher = await zk.connect();
  const writer = await zk.connect();
  for (let round = 0; round < 50; round++) {
    const path = `/w${round}`;
    expect((await writer.request(OpCode.create, create(path))).header.err).toBe(0);
    expect((await watcher.request(OpCode.getData, { path, watch: true })).header.err).toBe(0);
    const before = watcher.arrivals.length;
    const w = writer.send(OpCode.setData, { path, data: Buffer.from(`r${round}`), version: -1 });
    // The watcher keeps asking until it observes the new data.
    let seen = false;
    while (!seen) {
      const r = await watcher.request(OpCode.getData, { path, watch: false });
      seen = Buffer.from((r.body as { data: Uint8Array }).data).toString() === `r${round}`;
      if (seen) {
        const since = watcher.arrivals.slice(before);
        const eventAt = since.indexOf(-1);
        expect(eventAt, `round ${round}: event must precede the reply that observed the change`).toBeGreaterThanOrEqual(0);
        expect(eventAt).toBeLessThan(since.lastIndexOf(r.header.xid));
      }
    }
    expect(await watcher.event()).toMatchObject({ type: EventType.nodeDataChanged, path });
    await writer.reply(w);
  }
});

test('globalOutstandingLimit: 200 pipelined writes with a limit of 10 all get replies, and reading was paused and resumed', async () => {
  zk = await startTestServer({ globalOutstandingLimit: 10 });
  const c = await zk.connect();
  const other = await zk.connect();
  const xids = Array.from({ length: 200 }, (_, i) => c.send(OpCode.create, create(`/t${i}`)));
  const replies = await Promise.all(xids.map((x) => c.reply(x, 10_000)));
  expect(replies.map((r) => r.header.err)).toEqual(xids.map(() => 0));
  expect(c.arrivals).toEqual(xids);
  expect(zk.server.stats.throttlePauses).toBeGreaterThan(0);
  expect(zk.server.stats.throttleResumes).toBe(zk.server.stats.throttlePauses);
  expect(zk.server.outstandingRequests).toBe(0);
  expect((await other.request(OpCode.getChildren, { path: '/', watch: false })).header.err).toBe(0);
  // and the connection still reads new requests
  expect((await c.request(OpCode.exists, { path: '/t199', watch: false })).header.err).toBe(0);
});
