// Bad input on the client port: each case gets ZooKeeper's answer or a closed connection, the
// log says why, and another client keeps being served.
import { afterEach, expect, test } from 'vitest';
import { Buffer } from 'node:buffer';
import { createConnection, type Socket } from 'node:net';
import { JuteWriter, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { TcpClientListener } from '@zkts/transport-tcp';
import { RawClient, until } from './test-support/raw-client.js';
import { startTestServer, type TestServer } from './test-support/server.js';

let zk: TestServer | undefined;
afterEach(async () => {
  await zk?.stop();
  zk = undefined;
});

/** A second client with a live session: proves the server still serves others. */
async function stillServes(server: TestServer, bystander: RawClient): Promise<void> {
  expect((await bystander.ping()).header.err).toBe(0);
  expect((await bystander.request(OpCode.exists, { path: '/', watch: false })).header.err).toBe(0);
  const fresh = await server.connect();
  expect(fresh.session.sessionId).not.toBe(0n);
  fresh.close();
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

test('garbage bytes before the handshake close that connection only', async () => {
  zk = await startTestServer();
  const bystander = await zk.connect();
  const bad = await zk.open();
  bad.rawWrite(Buffer.concat([lengthPrefix(7), Buffer.from('garbage')]));
  await bad.waitClosed();
  expect(bad.bytesReceived).toBe(0);
  await zk.logger.waitFor(/bad connect request/);
  await stillServes(zk, bystander);
});

test('a frame after the handshake whose header does not decode closes that connection', async () => {
  zk = await startTestServer();
  const bystander = await zk.connect();
  const bad = await zk.connect();
  bad.rawWrite(Buffer.concat([lengthPrefix(3), Buffer.from([1, 2, 3])]));
  await bad.waitClosed();
  await zk.logger.waitFor(/undecodable request/);
  await stillServes(zk, bystander);
});

test.each([
  ['over jute.maxbuffer', 0xfffff + 1],
  ['negative', -5],
  ['huge (0x7fffffff)', 0x7fffffff],
])('a frame length %s closes the connection without reading the body', async (_, length) => {
  zk = await startTestServer();
  const bystander = await zk.connect();
  const bad = await zk.connect();
  bad.rawWrite(Buffer.concat([lengthPrefix(length), Buffer.alloc(16)]));
  await bad.waitClosed();
  await zk.logger.waitFor(new RegExp(`frame length ${length} is outside 0\\.\\.${0xfffff}`));
  await stillServes(zk, bystander);
});

test('a frame over a configured jute.maxbuffer is refused, one at the limit is served', async () => {
  zk = await startTestServer({ juteMaxBufferBytes: 4096 });
  const bystander = await zk.connect();
  const ok = await zk.connect();
  // A create whose frame is just under 4096 bytes.
  const data = Buffer.alloc(3900, 1);
  expect((await ok.request(OpCode.create, { path: '/fits', data, acl: [...OPEN_ACL_UNSAFE], flags: 0 })).header.err).toBe(0);
  const big = await zk.connect();
  big.send(OpCode.create, { path: '/big', data: Buffer.alloc(5000, 1), acl: [...OPEN_ACL_UNSAFE], flags: 0 });
  await big.waitClosed();
  await zk.logger.waitFor(/frame length \d+ is outside 0\.\.4096/);
  await stillServes(zk, bystander);
});

test('a truncated frame followed by the client closing: connection forgotten, reason logged', async () => {
  zk = await startTestServer();
  const bystander = await zk.connect();
  const bad = await zk.connect();
  bad.rawWrite(Buffer.concat([lengthPrefix(100), Buffer.alloc(10)]));
  bad.socket.end();
  await bad.waitClosed();
  await zk.logger.waitFor(/closed socket connection .* \(client closed the connection inside a frame\)/);
  await until(() => [...zk!.server.connections()].length === 1, 5000, 'the server to forget the connection');
  await stillServes(zk, bystander);
});

test('a client that never reads its replies: reading stops at the output limit, others are served, every reply arrives later', async () => {
  const LIMIT = 256 * 1024;
  let listener!: TcpClientListener;
  zk = await startTestServer({}, (logger) => {
    listener = new TcpClientListener({ host: '127.0.0.1', port: 0, maxOutboundBytes: LIMIT, logger: (_l, m) => logger.debug(m) });
    return { listener };
  });
  const bystander = await zk.connect();
  const big = Buffer.alloc(512 * 1024, 7);
  expect((await bystander.request(OpCode.create, { path: '/big', data: big, acl: [...OPEN_ACL_UNSAFE], flags: 0 })).header.err).toBe(0);

  const slow = await zk.connect();
  slow.socket.pause(); // never reads
  const N = 200; // 100 MiB of replies if the server took them all
  const xids: number[] = [];
  for (let i = 0; i < N; i++) xids.push(slow.send(OpCode.getData, { path: '/big', watch: false }));
  await zk.logger.waitFor(/client output over limit: reading paused/);

  await stillServes(zk, bystander);
  const info = [...zk.server.connections()].find((c) => c.remotePort === slow.socket.localPort)!;
  const conn = listener.connection(info.connectionId)!;
  expect(conn.backpressured).toBe(true);
  expect(info.received).toBeLessThan(N); // requests are left unread in the kernel, not queued in memory
  // Unsent output is bounded: the limit plus one delivery's worth of replies.
  expect(conn.bufferedBytes).toBeLessThan(LIMIT + 33 * (big.length + 200));
  expect(listener.stats().backpressurePauses).toBeGreaterThan(0);

  slow.socket.resume();
  for (const x of xids) expect((await slow.reply(x, 20_000)).header.err).toBe(0);
  expect(conn.backpressured).toBe(false);
});

test('10,000 connections opened and dropped in batches of 200: the server keeps serving and forgets every one', async () => {
  zk = await startTestServer({ maxClientCnxns: 0 });
  const bystander = await zk.connect();
  const { host, port } = zk;
  const hello = (() => {
    const w = new JuteWriter(64);
    w.beginFrame();
    w.int(0); w.long(0); w.int(30_000); w.long(0); w.buffer(new Uint8Array(16)); w.bool(false);
    w.endFrame();
    return Buffer.from(w.toBuffer());
  })();
  const TOTAL = 10_000;
  const BATCH = 200;
  for (let done = 0; done < TOTAL; done += BATCH) {
    const sockets = await Promise.all(
      Array.from({ length: BATCH }, (_, i) =>
        new Promise<Socket>((resolve, reject) => {
          const s = createConnection({ host, port }, () => resolve(s));
          s.once('error', reject);
        }).then((s) => {
          s.on('error', () => {});
          // A third drop at once, a third after a half handshake, a third after sending a ConnectRequest.
          if (i % 3 === 1) s.write(hello.subarray(0, 10));
          if (i % 3 === 2) s.write(hello);
          return s;
        }),
      ),
    );
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    })));
    expect((await bystander.ping()).header.err).toBe(0);
  }
  await until(() => [...zk!.server.connections()].length === 1, 10_000, 'every dropped connection to be forgotten');
  expect([...zk.server.connections()][0]!.sessionId).toBe(bystander.session.sessionId);
  await stillServes(zk, bystander);
}, 60_000);
