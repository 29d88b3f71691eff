// The same raw bytes to Apache ZooKeeper 3.8 and to zkts: the answers (error codes, whether the
// connection stays open, the handshake's shape) must be equal.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JuteWriter, OPEN_ACL_UNSAFE, OpCode } from '@zkts/protocol';
import { referenceZooKeeperAvailable, startReferenceZooKeeper, type ReferenceZooKeeper } from '@zkts/tools';
import { RawClient } from './test-support/raw-client.js';
import { startTestServer, type TestServer } from './test-support/server.js';

let ref: ReferenceZooKeeper;
let zk: TestServer;
const clients: RawClient[] = [];

async function both<T>(probe: (host: string, port: number) => Promise<T>): Promise<{ ref: T; zkts: T }> {
  const [a, b] = await Promise.all([probe(ref.host, ref.port), probe(zk.host, zk.port)]);
  return { ref: a, zkts: b };
}

async function session(host: string, port: number): Promise<RawClient> {
  const c = await RawClient.connect(host, port, { waitMs: 3000 });
  clients.push(c);
  return c;
}

/** The error code of `op` on `path`, and whether the connection is still usable after it. */
async function pathProbe(op: number, path: string) {
  return both(async (host, port) => {
    const c = await session(host, port);
    const body =
      op === OpCode.create ? { path, data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags: 0 }
      : op === OpCode.delete ? { path, version: -1 }
      : op === OpCode.setData ? { path, data: Buffer.from('x'), version: -1 }
      : op === OpCode.sync || op === OpCode.getACL ? { path }
      : { path, watch: false };
    const r = await c.request(op, body);
    const alive = (await c.ping()).header.err === 0;
    c.close();
    return { err: r.header.err, alive };
  });
}

/** Writes a request frame by hand: header (xid, type) then `tail` bytes. */
function rawRequest(xid: number, type: number, tail: number[] = []): Uint8Array {
  const w = new JuteWriter(64);
  w.beginFrame();
  w.int(xid);
  w.int(type);
  for (const b of tail) w.byte(b);
  w.endFrame();
  return w.toBuffer();
}

describe.skipIf(!referenceZooKeeperAvailable())('zkts answers like Apache ZooKeeper 3.8', () => {
  beforeAll(async () => {
    [ref, zk] = await Promise.all([startReferenceZooKeeper(), startTestServer()]);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([ref?.stop(), zk?.stop()]);
  });

  test.each([
    ['with', false],
    ['without', true],
  ])('handshake %s the readOnly byte: the ConnectResponse has the same length and readOnly field', async (_, omitReadOnly) => {
    const r = await both(async (host, port) => {
      const c = await RawClient.connect(host, port, { omitReadOnly });
      clients.push(c);
      return { length: c.connectResponseBytes!.length, readOnly: c.session.readOnly, protocolVersion: c.session.protocolVersion };
    });
    expect(r.zkts).toEqual(r.ref);
  });

  test('an unknown opcode: Unimplemented with zxid -1, then the connection closes', async () => {
    const r = await both(async (host, port) => {
      const c = await session(host, port);
      c.rawWrite(rawRequest(7, 9999));
      const reply = await c.reply(7);
      await c.waitClosed();
      return { err: reply.header.err, zxid: reply.header.zxid, closed: c.isClosed };
    });
    expect(r.zkts).toEqual(r.ref);
    expect(r.zkts).toEqual({ err: -6, zxid: -1, closed: true });
    await zk.logger.waitFor(/received packet of unknown type 9999 .*closing the connection/);
  });

  test('a request whose record does not decode: MarshallingError, the connection stays', async () => {
    const r = await both(async (host, port) => {
      const c = await session(host, port);
      c.rawWrite(rawRequest(5, OpCode.getData, [0, 0, 0, 100])); // a path of 100 bytes, absent
      const reply = await c.reply(5);
      const alive = (await c.ping()).header.err === 0;
      return { err: reply.header.err, alive };
    });
    expect(r.zkts).toEqual(r.ref);
    expect(r.zkts).toEqual({ err: -5, alive: true });
    await zk.logger.waitFor(/marshalling error in request xid 5 type 4/);
  });

  const badPaths: Array<[string, string]> = [
    ['a trailing slash', '/a/'],
    ['a NUL byte', '/a\u0000b'],
    ['an empty name (//)', '/a//b'],
    ['a relative name (/./)', '/./a'],
    ['a relative path', 'a'],
    ['the empty string', ''],
  ];
  const ops: Array<[string, number]> = [
    ['create', OpCode.create],
    ['delete', OpCode.delete],
    ['setData', OpCode.setData],
    ['getData', OpCode.getData],
    ['exists', OpCode.exists],
    ['getChildren2', OpCode.getChildren2],
    ['getACL', OpCode.getACL],
    ['sync', OpCode.sync],
  ];
  describe.each(badPaths)('a path with %s', (_, path) => {
    test.each(ops)('%s gets ZooKeeper\'s error code', async (_, op) => {
      const r = await pathProbe(op, path);
      expect(r.zkts).toEqual(r.ref);
    });
  });
});
