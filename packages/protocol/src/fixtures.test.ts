// Frames captured from the Java client talking to Apache ZooKeeper 3.8 (see fixtures/README.md):
// every frame must decode to the expected fields and re-encode to the identical bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, EventType, KeeperState, OpCode, Xid } from './constants.js';
import { decodeReply, decodeRequest, encodeFrame, encodeReply, encodeRequest } from './dispatch.js';
import { JuteReader, JuteWriter } from './jute.js';
import type { MultiRequest, MultiResponse } from './multi.js';
import {
  ConnectRequest,
  ConnectResponse,
  type Create2Response,
  type CreateRequest,
  type GetACLResponse,
  type GetChildren2Response,
  type GetDataResponse,
  type SetDataResponse,
  type WatcherEvent,
  type WhoAmIResponse,
} from './records.js';

interface Fixture {
  server: string;
  client: string;
  frames: { dir: 'client' | 'server'; hex: string }[];
}

interface Exchange {
  op: number;
  request: unknown;
  reply?: { err: number; zxid: number; body: unknown };
}

/** Decodes a captured session like a client and a server would, checking each re-encoding. */
function replay(name: string) {
  const fixture = JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;
  const frames = fixture.frames.map((f) => ({ dir: f.dir, bytes: Buffer.from(f.hex, 'hex') }));
  const [connectReq, connectRes, ...rest] = frames;
  expect(connectReq?.dir).toBe('client');
  expect(connectRes?.dir).toBe('server');
  const connect = ConnectRequest.decode(new JuteReader(connectReq!.bytes, 4));
  const accepted = ConnectResponse.decode(new JuteReader(connectRes!.bytes, 4));
  reencodes(connectReq!.bytes, (w) => encodeFrame(w, ConnectRequest, connect));
  reencodes(connectRes!.bytes, (w) => encodeFrame(w, ConnectResponse, accepted));

  const opByXid = new Map<number, number>();
  const byXid = new Map<number, Exchange>();
  const events: WatcherEvent[] = [];
  for (const frame of rest) {
    const payload = frame.bytes.subarray(4);
    expect(frame.bytes.readInt32BE(0)).toBe(payload.length);
    if (frame.dir === 'client') {
      const { header, body } = decodeRequest(payload);
      reencodes(frame.bytes, (w) => encodeRequest(w, header, body));
      opByXid.set(header.xid, header.type);
      byXid.set(header.xid, { op: header.type, request: body });
    } else {
      const { header, op, body } = decodeReply(payload, (xid) => opByXid.get(xid));
      expect(op).toBeDefined();
      reencodes(frame.bytes, (w) => encodeReply(w, header, op!, body));
      if (header.xid === Xid.notification) events.push(body as WatcherEvent);
      else byXid.get(header.xid)!.reply = { err: header.err, zxid: header.zxid, body };
    }
  }
  return { connect, accepted, byXid, events };
}

function reencodes(expected: Buffer, write: (w: JuteWriter) => void): void {
  const w = new JuteWriter(8);
  write(w);
  expect(w.toBuffer().toString('hex')).toBe(expected.toString('hex'));
}

const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));

describe('captured Java client session with ZooKeeper 3.8', () => {
  const { connect, accepted, byXid, events } = replay('java-client-session');
  const exchange = (xid: number) => byXid.get(xid)!;

  it('handshakes with protocol version 0 and the readOnly byte both ways', () => {
    expect(connect).toMatchObject({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, readOnly: false });
    expect(connect.passwd).toHaveLength(16);
    expect(accepted.timeOut).toBe(30000);
    expect(accepted.sessionId).not.toBe(0n);
    expect(accepted.passwd).toHaveLength(16);
    expect(accepted.readOnly).toBe(false);
  });

  it('creates with CreateRequest and answers with the path', () => {
    const create = exchange(1);
    expect(create.op).toBe(OpCode.create);
    const req = create.request as CreateRequest;
    expect(req).toMatchObject({ path: '/zkts-fixture', flags: 0, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }] });
    expect(text(req.data)).toBe('hello');
    expect(create.reply).toMatchObject({ err: 0, body: { path: '/zkts-fixture' } });
  });

  it('create2 of an ephemeral sequential node returns the sequenced path and a Stat', () => {
    const create2 = exchange(2);
    expect(create2.op).toBe(OpCode.create2);
    expect((create2.request as CreateRequest).flags).toBe(3);
    const res = create2.reply!.body as Create2Response;
    expect(res.path).toBe('/zkts-fixture/child-0000000000');
    expect(res.stat.ephemeralOwner).toBe(accepted.sessionId);
    expect(res.stat.czxid).toBe(create2.reply!.zxid);
  });

  it('getData, setData and the NodeDataChanged notification', () => {
    expect(exchange(3).request).toEqual({ path: '/zkts-fixture', watch: true });
    const got = exchange(3).reply!.body as GetDataResponse;
    expect(text(got.data)).toBe('hello');
    expect(got.stat).toMatchObject({ version: 0, dataLength: 5, numChildren: 1 });
    const set = exchange(4).reply!.body as SetDataResponse;
    expect(set.stat).toMatchObject({ version: 1, dataLength: 5 });
    expect(events[0]).toEqual({ type: EventType.nodeDataChanged, state: KeeperState.syncConnected, path: '/zkts-fixture' });
  });

  it('getChildren2 lists children with the parent Stat', () => {
    expect(exchange(5).op).toBe(OpCode.getChildren2);
    const res = exchange(5).reply!.body as GetChildren2Response;
    expect(res.children).toEqual(['child-0000000000']);
    expect(res.stat.numChildren).toBe(1);
  });

  it('an error reply carries only the header', () => {
    expect(exchange(6).reply).toEqual({ err: ErrorCode.noNode, zxid: expect.any(Number), body: undefined });
  });

  it('multi: ops and results in order', () => {
    const req = exchange(7).request as MultiRequest;
    expect(req.ops.map((o) => o.type)).toEqual([OpCode.create, OpCode.setData, OpCode.check, OpCode.delete]);
    const res = exchange(7).reply!.body as MultiResponse;
    expect(res.results.map((r) => r.type)).toEqual([OpCode.create, OpCode.setData, OpCode.check, OpCode.delete]);
    expect(res.results[0]).toEqual({ type: OpCode.create, path: '/zkts-fixture/m' });
  });

  it('a failed multi answers err 0 in the header and an ErrorResult per op', () => {
    expect(exchange(8).reply!.err).toBe(0);
    const res = exchange(8).reply!.body as MultiResponse;
    expect(res.results).toEqual([
      { type: OpCode.error, err: ErrorCode.ok },
      { type: OpCode.error, err: ErrorCode.badVersion },
    ]);
  });

  it('multiRead returns getData and getChildren results', () => {
    expect(exchange(9).op).toBe(OpCode.multiRead);
    const res = exchange(9).reply!.body as MultiResponse;
    expect(res.results.map((r) => r.type)).toEqual([OpCode.getData, OpCode.getChildren]);
    const data = res.results[0] as { data: Uint8Array };
    expect(text(data.data)).toBe('again');
    expect(res.results[1]).toEqual({ type: OpCode.getChildren, children: ['child-0000000000'] });
  });

  it('getACL, addWatch, auth and whoAmI', () => {
    const acl = exchange(10).reply!.body as GetACLResponse;
    expect(acl.acl).toEqual([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
    expect(exchange(11).request).toEqual({ path: '/zkts-fixture', mode: 1 });
    expect(exchange(11).reply!.body).toEqual({ err: 0 });
    const auth = exchange(Xid.auth);
    expect(auth.op).toBe(OpCode.auth);
    expect(auth.reply!.err).toBe(0);
    expect(text((auth.request as { auth: Uint8Array }).auth)).toBe('user:secret');
    const who = exchange(12).reply!.body as WhoAmIResponse;
    expect(who.clientInfo).toContainEqual({ authScheme: 'ip', user: '127.0.0.1' });
    expect(who.clientInfo).toContainEqual({ authScheme: 'digest', user: 'user' });
  });

  it('delete of a parent answers NOTEMPTY; closeSession fires the recursive watch', () => {
    expect(exchange(13).reply!.err).toBe(ErrorCode.notEmpty);
    expect(exchange(14).op).toBe(OpCode.closeSession);
    expect(exchange(14).reply!.err).toBe(0);
    expect(events[1]).toEqual({
      type: EventType.nodeDeleted,
      state: KeeperState.syncConnected,
      path: '/zkts-fixture/child-0000000000',
    });
  });
});

describe('captured zkCli.sh sessions', () => {
  it('create /zkcli x', () => {
    const { byXid } = replay('zkcli-create-get');
    const create = byXid.get(1)!;
    expect((create.request as CreateRequest).path).toBe('/zkcli');
    expect(create.reply!.body).toEqual({ path: '/zkcli' });
  });
  it('get -s /zkcli', () => {
    const { byXid } = replay('zkcli-get');
    const get = [...byXid.values()].find((e) => e.op === OpCode.getData)!;
    expect(text((get.reply!.body as GetDataResponse).data)).toBe('x');
  });
});
