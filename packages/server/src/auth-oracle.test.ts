// addauth and whoAmI, the same raw exchange against Apache ZooKeeper 3.8 and zkts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpCode, Xid } from '@zkts/protocol';
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

describe.skipIf(!referenceZooKeeperAvailable())('addauth and whoAmI, like Apache ZooKeeper 3.8', () => {
  beforeAll(async () => {
    [ref, zk] = await Promise.all([startReferenceZooKeeper(), startTestServer()]);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([ref?.stop(), zk?.stop()]);
  });

  it('lists the identities in the same order and names digest users by their name only', async () => {
    const { ref: r, zkts: z } = await both(async (host, port) => {
      const c = await RawClient.connect(host, port, { waitMs: 5000 });
      clients.push(c);
      const before = await c.request(OpCode.whoAmI);
      c.send(OpCode.auth, { type: 0, scheme: 'digest', auth: Buffer.from('alice:secret') }, Xid.auth);
      const auth = await c.reply(Xid.auth);
      c.send(OpCode.auth, { type: 0, scheme: 'digest', auth: Buffer.from('bob:pw') }, Xid.auth);
      await c.reply(Xid.auth);
      const after = await c.request(OpCode.whoAmI);
      return { before: before.body, authErr: auth.header.err, after: after.body };
    });
    expect(r.authErr).toBe(0);
    expect(z).toEqual(r);
  }, 30_000);
});
