import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import type { ListenAddress, PeerLinkEvent, ServerId, TransportLogger } from '@zkts/transport';
import { TcpPeerTransport } from './peer-transport.js';
import type { PeerAddress, TcpPeerTransportOptions } from './peer-options.js';
import { HandshakeStatus, PEER_MAGIC, PEER_PROTOCOL_VERSION, decodeReply, encodeHello } from './peer-wire.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Waits (polling, bounded) for a condition driven by socket events. */
async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Node {
  t: TcpPeerTransport;
  got: string[];
  links: string[];
  logs: { level: string; message: string }[];
  completed: { messages: boolean; links: boolean };
}

const open: TcpPeerTransport[] = [];
const rawSockets: Socket[] = [];
afterEach(async () => {
  for (const s of rawSockets.splice(0)) s.destroy();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function node(self: ServerId, peers: Map<ServerId, PeerAddress | null>, extra: Partial<TcpPeerTransportOptions> = {}): Node {
  const logs: Node['logs'] = [];
  const logger: TransportLogger = (level, message) => logs.push({ level, message });
  const t = new TcpPeerTransport({
    self,
    peers,
    listen: { port: 0 },
    reconnectBackoffMs: { initial: 20, max: 200 },
    logger,
    ...extra,
  });
  open.push(t);
  const n: Node = { t, got: [], links: [], logs, completed: { messages: false, links: false } };
  t.messages$.subscribe({ next: (e) => n.got.push(`${e.from}:${dec(e.msg)}`), complete: () => (n.completed.messages = true) });
  t.links$.subscribe({ next: (e: PeerLinkEvent) => n.links.push(`${e.peer}${e.up ? '+' : '-'}`), complete: () => (n.completed.links = true) });
  return n;
}

/** Servers 1..count on port 0: each learns the addresses of the ones started before it. */
async function cluster(count: number, extra: Partial<TcpPeerTransportOptions> = {}): Promise<Node[]> {
  const nodes: Node[] = [];
  const addresses = new Map<ServerId, ListenAddress>();
  for (let id = 1; id <= count; id++) {
    const peers = new Map<ServerId, PeerAddress | null>();
    for (let p = 1; p <= count; p++) if (p !== id) peers.set(p, addresses.get(p) ?? null);
    const n = node(id, peers, extra);
    addresses.set(id, await n.t.listen());
    nodes.push(n);
  }
  for (const n of nodes) for (const [id, a] of addresses) if (id !== n.t.self && n.t.options.peers.get(id) === null) n.t.setPeerAddress(id, a);
  return nodes;
}

function allUp(nodes: Node[]): boolean {
  return nodes.every((n) => nodes.every((m) => m === n || n.t.isUp(m.t.self)));
}

/** A raw socket speaking the handshake by hand. Resolves once connected. */
async function raw(address: ListenAddress): Promise<{ socket: Socket; data: () => Uint8Array; closed: () => boolean }> {
  const socket = connect({ host: address.host, port: address.port });
  rawSockets.push(socket);
  let data = new Uint8Array(0);
  let closed = false;
  socket.on('data', (c: Buffer) => (data = new Uint8Array([...data, ...c])));
  socket.on('error', () => {});
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, data: () => data, closed: () => closed };
}

describe('TcpPeerTransport', () => {
  it('three servers on port 0 link up and exchange messages in order, to each other and to themselves', async () => {
    const nodes = await cluster(3);
    await waitFor('all links up', () => allUp(nodes));
    const count = 300;
    for (let i = 0; i < count; i++) for (const n of nodes) for (const m of nodes) n.t.send(m.t.self, enc(`${n.t.self}.${i}`));
    await waitFor('all messages', () => nodes.every((n) => n.got.length === 3 * count));
    for (const n of nodes) {
      for (const from of [1, 2, 3]) {
        expect(n.got.filter((g) => g.startsWith(`${from}:`))).toEqual(Array.from({ length: count }, (_, i) => `${from}:${from}.${i}`));
      }
      expect(n.links.sort()).toEqual(nodes.filter((m) => m !== n).map((m) => `${m.t.self}+`).sort());
    }
    expect(nodes[0]!.t.stats().peers.get(2)).toMatchObject({ up: true, messagesSent: count, messagesReceived: count, droppedQueueFull: 0 });
  });

  it('delivers to itself on a later turn, never inside send()', async () => {
    const [a] = await cluster(1);
    a!.t.send(1, enc('me'));
    expect(a!.got).toEqual([]);
    await waitFor('loopback', () => a!.got.length === 1);
    expect(a!.got).toEqual(['1:me']);
  });

  it('when both sides dial at once, only the connection dialed by the larger id stays', async () => {
    // Both know each other's address before either starts: both dial at the same moment.
    const probe = [node(1, new Map()), node(2, new Map())];
    const [p1, p2] = await Promise.all(probe.map((n) => n.t.listen()));
    await Promise.all(probe.map((n) => n.t.close()));
    const a = node(1, new Map([[2, p2!]]), { listen: { port: p1!.port } });
    const b = node(2, new Map([[1, p1!]]), { listen: { port: p2!.port } });
    await Promise.all([a.t.listen(), b.t.listen()]);
    await waitFor('link up both sides', () => a.t.isUp(2) && b.t.isUp(1));
    // The smaller id's request to be dialed is answered and closed; the larger's dial stays.
    await waitFor('one socket each', () => a.t.stats().sockets === 1 && b.t.stats().sockets === 1);
    expect(a.t.stats().peers.get(2)).toMatchObject({ up: true, direction: 'in', linksUp: 1 });
    expect(b.t.stats().peers.get(1)).toMatchObject({ up: true, direction: 'out', linksUp: 1 });
    expect(a.t.stats().peers.get(2)!.dials).toBeGreaterThanOrEqual(1);
    a.t.send(2, enc('x'));
    b.t.send(1, enc('y'));
    await waitFor('messages', () => a.got.length === 1 && b.got.length === 1);
    expect(a.links).toEqual(['2+']);
    expect(b.links).toEqual(['1+']);
  });

  it('a closed server shows as down on the others, and the link returns when it restarts on the same port', async () => {
    const nodes = await cluster(3);
    await waitFor('all links up', () => allUp(nodes));
    const [n1, n2, n3] = nodes as [Node, Node, Node];
    const port2 = n2.t.address!.port;
    await n2.t.close();
    expect(n2.completed).toEqual({ messages: true, links: true });
    await waitFor('down on 1 and 3', () => !n1.t.isUp(2) && !n3.t.isUp(2));
    expect(n1.links).toContain('2-');
    expect(n3.links).toContain('2-');
    // Sent while it is down: queued, flushed when it comes back.
    n1.t.send(2, enc('while-down'));
    const again = node(2, new Map([[1, n1.t.address!], [3, n3.t.address!]]), { listen: { port: port2 } });
    await again.t.listen();
    await waitFor('links back', () => n1.t.isUp(2) && n3.t.isUp(2) && again.t.isUp(1) && again.t.isUp(3));
    expect(n1.links.filter((l) => l.startsWith('2'))).toEqual(['2+', '2-', '2+']);
    expect(n3.links.filter((l) => l.startsWith('2'))).toEqual(['2+', '2-', '2+']);
    n3.t.send(2, enc('hello'));
    await waitFor('delivery', () => again.got.length === 2);
    expect(again.got.sort()).toEqual(['1:while-down', '3:hello']);
  });

  it('an oversized frame closes that link only; the transport keeps working', async () => {
    const a = node(1, new Map([[2, null]]), { maxFrameBytes: 1024, maxQueuedBytes: 4096 });
    const address = await a.t.listen();
    const peer = await raw(address);
    peer.socket.write(encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 2, target: 1 }));
    await waitFor('link up', () => a.t.isUp(2));
    // The acceptor marks the link up as it writes its reply: wait for the reply's bytes too.
    await waitFor('handshake reply', () => peer.data().length >= 20);
    expect(decodeReply(peer.data().subarray(4, 20))).toMatchObject({ status: HandshakeStatus.Accepted, acceptor: 1 });
    const ok = new Uint8Array(4 + 3);
    new DataView(ok.buffer).setUint32(0, 3);
    ok.set(enc('abc'), 4);
    const bad = new Uint8Array(4);
    new DataView(bad.buffer).setUint32(0, 1025);
    peer.socket.write(new Uint8Array([...ok, ...bad]));
    await waitFor('raw socket closed', () => peer.closed());
    expect(a.got).toEqual(['2:abc']);
    expect(a.links).toEqual(['2+', '2-']);
    expect(a.logs.some((l) => l.level === 'warn' && /bad frame from server 2: peer frame length 1025 is outside 0..1024/.test(l.message))).toBe(true);
    // Still serving: the same peer can connect again.
    const back = await raw(address);
    back.socket.write(encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 2, target: 1 }));
    await waitFor('link up again', () => a.t.isUp(2));
    expect(a.links).toEqual(['2+', '2-', '2+']);
  });

  it('refuses an unknown peer id, a wrong target and another protocol version, with a reply and a log line', async () => {
    const a = node(1, new Map([[2, null]]));
    const address = await a.t.listen();
    const cases: [Uint8Array, number, RegExp][] = [
      [encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 7, target: 1 }), HandshakeStatus.UnknownPeer, /server id 7 is not a peer of server 1/],
      [encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 2, target: 9 }), HandshakeStatus.WrongTarget, /server 2 meant server 9, this is 1/],
      [encodeHello({ version: 99, sender: 2, target: 1 }), HandshakeStatus.VersionMismatch, /protocol version 99, this server speaks 1/],
    ];
    for (const [hello, status, log] of cases) {
      const peer = await raw(address);
      peer.socket.write(hello);
      await waitFor('refusal', () => peer.closed());
      expect(decodeReply(peer.data().subarray(4))).toMatchObject({ status, acceptor: 1 });
      expect(a.logs.some((l) => l.level === 'warn' && log.test(l.message))).toBe(true);
    }
    expect(a.links).toEqual([]);
    expect(a.t.stats().refused).toBe(3);
  });

  it('closes a connection that does not start with the magic, without answering', async () => {
    const a = node(1, new Map([[2, null]]));
    const address = await a.t.listen();
    const peer = await raw(address);
    // What a ZooKeeper client would send first: a ConnectRequest frame.
    const junk = new Uint8Array(4 + 24);
    new DataView(junk.buffer).setUint32(0, 24);
    peer.socket.write(junk);
    await waitFor('closed', () => peer.closed());
    expect(peer.data().length).toBe(0);
    expect(a.logs.some((l) => /not a zkts peer handshake \(bad magic\)/.test(l.message))).toBe(true);
    // A length beyond any handshake is refused before anything is buffered.
    const big = await raw(address);
    big.socket.write(Uint8Array.of(0x00, 0x10, 0x00, 0x00));
    await waitFor('closed', () => big.closed());
    expect(a.t.stats().refused).toBe(2);
    expect(PEER_MAGIC).toBe(0x7a6b7074);
  });

  it('closes a connection that sends no handshake in time', async () => {
    const a = node(1, new Map([[2, null]]), { handshakeTimeoutMs: 100 });
    const peer = await raw(await a.t.listen());
    await waitFor('closed', () => peer.closed());
    expect(a.logs.some((l) => /no handshake from .* within 100 ms/.test(l.message))).toBe(true);
  });

  it('bounds what waits for a down peer: the oldest are dropped, the newest flushed on link up', async () => {
    const a = node(1, new Map([[2, null]]), { maxQueuedMessages: 10 });
    const address = await a.t.listen();
    for (let i = 0; i < 1000; i++) a.t.send(2, enc(`${i}`));
    expect(a.t.stats().peers.get(2)).toMatchObject({ queuedMessages: 10, droppedQueueFull: 990 });
    expect(a.logs.filter((l) => /queue is full/.test(l.message))).toHaveLength(1);
    const b = node(2, new Map([[1, address]]));
    await b.t.listen();
    await waitFor('flushed', () => b.got.length === 10);
    expect(b.got).toEqual(Array.from({ length: 10 }, (_, i) => `1:${990 + i}`));
    expect(a.t.stats().peers.get(2)!.queuedMessages).toBe(0);
  });

  it('closes the link of a peer that does not read once its output passes maxQueuedBytes', async () => {
    const a = node(1, new Map([[2, null]]), { maxFrameBytes: 1 << 20, maxQueuedBytes: 4 << 20 });
    const peer = await raw(await a.t.listen());
    peer.socket.write(encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 2, target: 1 }));
    await waitFor('link up', () => a.t.isUp(2));
    peer.socket.pause();
    const chunk = new Uint8Array(1 << 20);
    let sent = 0;
    while (a.t.isUp(2) && sent < 1000) {
      a.t.send(2, chunk);
      sent++;
      expect(a.t.stats().peers.get(2)!.queuedBytes).toBeLessThanOrEqual((4 << 20) + (1 << 20) + 8);
      if (sent % 4 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(a.t.isUp(2)).toBe(false);
    expect(a.links).toEqual(['2+', '2-']);
    expect(a.t.stats().peers.get(2)!.linkResetsOverLimit).toBe(1);
    expect(a.logs.some((l) => l.level === 'warn' && /server 2 is not reading/.test(l.message))).toBe(true);
  });

  it('drops (with a warning, never a throw) messages too big to send and messages to unknown servers', async () => {
    const a = node(1, new Map([[2, null]]), { maxFrameBytes: 16, maxQueuedBytes: 64 });
    await a.t.listen();
    a.t.send(2, new Uint8Array(17));
    a.t.send(5, enc('x'));
    a.t.send(5, enc('y'));
    expect(a.t.stats().peers.get(2)).toMatchObject({ droppedOversize: 1, queuedMessages: 0 });
    expect(a.logs.filter((l) => /not a peer/.test(l.message))).toHaveLength(1);
    expect(a.logs.some((l) => /17-byte message to server 2: over maxFrameBytes 16/.test(l.message))).toBe(true);
  });

  it('a new connection from a larger id replaces the old one (the peer restarted unseen)', async () => {
    const a = node(1, new Map([[2, null]]));
    const address = await a.t.listen();
    const first = await raw(address);
    first.socket.write(encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 2, target: 1 }));
    await waitFor('up', () => a.t.isUp(2));
    const second = await raw(address);
    second.socket.write(encodeHello({ version: PEER_PROTOCOL_VERSION, sender: 2, target: 1 }));
    await waitFor('old closed', () => first.closed());
    expect(a.t.isUp(2)).toBe(true);
    expect(a.links).toEqual(['2+', '2-', '2+']);
    a.t.send(2, enc('to-new'));
    await waitFor('delivered on the new link', () => dec(second.data()).includes('to-new'));
  });

  it('retries a missing peer with backoff drawn from the injected random', async () => {
    let draws = 0;
    const dead = node(9, new Map());
    const deadAddress = await dead.t.listen();
    await dead.t.close();
    const a = node(10, new Map([[9, deadAddress]]), { random: () => (draws++, 0.5) });
    await a.t.listen();
    await waitFor('three dials', () => a.t.stats().peers.get(9)!.dials >= 3);
    expect(draws).toBeGreaterThanOrEqual(2);
    expect(a.links).toEqual([]);
  });

  it('close() completes both streams, stops reconnecting and ignores later sends; it is idempotent', async () => {
    const nodes = await cluster(2);
    await waitFor('up', () => allUp(nodes));
    const [n1, n2] = nodes as [Node, Node];
    const linksBefore = [...n1.links];
    await n1.t.close();
    await n1.t.close();
    expect(n1.completed).toEqual({ messages: true, links: true });
    expect(n1.links).toEqual(linksBefore);
    n1.t.send(2, enc('after close'));
    expect(n1.t.stats().sockets).toBe(0);
    await waitFor('2 sees it', () => !n2.t.isUp(1));
    n2.t.send(1, enc('nobody'));
    await expect(n1.t.listen()).rejects.toThrow(/already listening or closed/);
  });
});
