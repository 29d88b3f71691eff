// PeerTransport over node:net: one connection per pair of servers, always the one dialed by the
// larger id (ZooKeeper's QuorumCnxManager rule), a versioned handshake, length-prefixed frames,
// reconnect with jittered backoff, bounded queues, link events.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Subject, type Observable } from 'rxjs';
import type { ListenAddress, PeerEnvelope, PeerLinkEvent, PeerTransport, ServerId } from '@zkts/transport';
import {
  resolveTcpPeerTransportOptions,
  peerAddress,
  type PeerAddress,
  type ResolvedTcpPeerTransportOptions,
  type TcpPeerTransportOptions,
} from './peer-options.js';
import {
  FRAME_LENGTH_BYTES,
  HandshakeStatus,
  PEER_HANDSHAKE_BYTES_MAX,
  PEER_PROTOCOL_VERSION,
  PeerFrameDecoder,
  PeerFrameError,
  decodeHello,
  decodeReply,
  encodeHello,
  encodeReply,
  handshakeStatusName,
} from './peer-wire.js';

/** Counters of one peer, for metrics and tests. */
export interface TcpPeerStats {
  readonly up: boolean;
  /** Who dialed the current link ('out' = we did), or null while down. */
  readonly direction: 'out' | 'in' | null;
  /** Times the link came up. */
  readonly linksUp: number;
  /** Connection attempts we made (dials and, towards larger ids, dial-back requests). */
  readonly dials: number;
  readonly messagesSent: number;
  readonly messagesReceived: number;
  /** Messages waiting for the link to come up. */
  readonly queuedMessages: number;
  /** Bytes accepted by send() and not yet taken by the kernel (queue or socket buffer). */
  readonly queuedBytes: number;
  /** Dropped because the queue of a down link was full (the oldest go). */
  readonly droppedQueueFull: number;
  /** Dropped because they were larger than maxFrameBytes. */
  readonly droppedOversize: number;
  /** Dropped with a link that broke or was closed for exceeding maxQueuedBytes. */
  readonly linkResetsOverLimit: number;
}

export interface TcpPeerTransportStats {
  /** Sockets open now (links, dials, handshakes). */
  readonly sockets: number;
  /** Incoming connections refused (bad magic, unknown id, version, wrong target, timeout, bad frame). */
  readonly refused: number;
  readonly peers: ReadonlyMap<ServerId, TcpPeerStats>;
}

type LinkState = 'connecting' | 'handshake' | 'up' | 'closed';

/** One socket, from connect/accept to close. */
class Link {
  state: LinkState;
  peer: ServerId | null;
  readonly decoder = new PeerFrameDecoder(PEER_HANDSHAKE_BYTES_MAX);
  timer: NodeJS.Timeout | null = null;
  corked = false;
  constructor(
    readonly socket: Socket,
    readonly direction: 'out' | 'in',
    peer: ServerId | null,
  ) {
    this.state = direction === 'out' ? 'connecting' : 'handshake';
    this.peer = peer;
  }
  clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

class Peer {
  link: Link | null = null;
  dialing: Link | null = null;
  retryTimer: NodeJS.Timeout | null = null;
  backoffMs: number;
  queue: Uint8Array[] = [];
  queueHead = 0;
  queueBytes = 0;
  linksUp = 0;
  dials = 0;
  messagesSent = 0;
  messagesReceived = 0;
  droppedQueueFull = 0;
  droppedOversize = 0;
  linkResetsOverLimit = 0;
  constructor(
    readonly id: ServerId,
    public address: PeerAddress | null,
    backoffMs: number,
  ) {
    this.backoffMs = backoffMs;
  }
  get queuedMessages(): number {
    return this.queue.length - this.queueHead;
  }
  takeQueue(): Uint8Array[] {
    const q = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    this.queueBytes = 0;
    return q;
  }
}

export class TcpPeerTransport implements PeerTransport {
  readonly options: ResolvedTcpPeerTransportOptions;
  readonly self: ServerId;
  private readonly messagesSubject = new Subject<PeerEnvelope>();
  private readonly linksSubject = new Subject<PeerLinkEvent>();
  readonly messages$: Observable<PeerEnvelope> = this.messagesSubject.asObservable();
  readonly links$: Observable<PeerLinkEvent> = this.linksSubject.asObservable();
  private readonly peers = new Map<ServerId, Peer>();
  private readonly sockets = new Set<Link>();
  private server: Server | null = null;
  private bound: ListenAddress | null = null;
  private started = false;
  /** Set as close() starts (before any socket closes), so nothing reconnects or reports. */
  private closed = false;
  private closing: Promise<void> | null = null;
  private refused = 0;
  private loopback: Uint8Array[] = [];
  private loopbackScheduled = false;
  private readonly warnedUnknown = new Set<ServerId>();

  constructor(options: TcpPeerTransportOptions) {
    this.options = resolveTcpPeerTransportOptions(options);
    this.self = this.options.self;
    for (const [id, address] of this.options.peers) this.peers.set(id, new Peer(id, address, this.options.backoffInitialMs));
  }

  /** Where the transport listens, once listen() resolved. */
  get address(): ListenAddress | null {
    return this.bound;
  }

  /** Binds, starts accepting and dials every peer. Resolves with the bound address. */
  listen(): Promise<ListenAddress> {
    if (this.server !== null || this.closed) {
      return Promise.reject(new Error('TcpPeerTransport.listen: already listening or closed'));
    }
    const server = createServer({ noDelay: true, keepAlive: true }, (s) => this.accept(s));
    this.server = server;
    const { listenHost: host, listenPort: port, logger } = this.options;
    return new Promise<ListenAddress>((resolve, reject) => {
      const onError = (err: Error) => {
        this.server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        server.on('error', (err) => logger('warn', 'peer port error', { self: this.self, error: err }));
        const a = server.address();
        if (a === null || typeof a === 'string') {
          reject(new Error(`unexpected server address ${String(a)}`));
          return;
        }
        this.bound = { host: a.address, port: a.port };
        logger('info', 'peer port listening', { self: this.self, host: a.address, port: a.port });
        this.started = true;
        for (const peer of this.peers.values()) this.attempt(peer);
        resolve(this.bound);
      });
    });
  }

  /** Sets where a peer listens (one that was null, or moved). A down link is tried again at once. */
  setPeerAddress(id: ServerId, address: PeerAddress): void {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new RangeError(`TcpPeerTransport.setPeerAddress: ${id} is not a peer of server ${this.self}`);
    peerAddress(`setPeerAddress(${id})`, address);
    peer.address = address;
    if (peer.link === null && peer.dialing === null) {
      peer.backoffMs = this.options.backoffInitialMs;
      this.attempt(peer);
    }
  }

  /** Whether the link to `peer` is up now. */
  isUp(peer: ServerId): boolean {
    return this.peers.get(peer)?.link != null;
  }

  stats(): TcpPeerTransportStats {
    const peers = new Map<ServerId, TcpPeerStats>();
    for (const p of this.peers.values()) {
      peers.set(p.id, {
        up: p.link !== null,
        direction: p.link?.direction ?? null,
        linksUp: p.linksUp,
        dials: p.dials,
        messagesSent: p.messagesSent,
        messagesReceived: p.messagesReceived,
        queuedMessages: p.queuedMessages,
        queuedBytes: p.queueBytes + (p.link?.socket.writableLength ?? 0),
        droppedQueueFull: p.droppedQueueFull,
        droppedOversize: p.droppedOversize,
        linkResetsOverLimit: p.linkResetsOverLimit,
      });
    }
    return { sockets: this.sockets.size, refused: this.refused, peers };
  }

  send(to: ServerId, msg: Uint8Array): void {
    if (this.closed) return;
    const { logger, maxFrameBytes, maxQueuedBytes, maxQueuedMessages } = this.options;
    if (to === this.self) {
      this.loopback.push(msg);
      if (!this.loopbackScheduled) {
        this.loopbackScheduled = true;
        queueMicrotask(() => this.flushLoopback());
      }
      return;
    }
    const peer = this.peers.get(to);
    if (peer === undefined) {
      if (!this.warnedUnknown.has(to)) {
        this.warnedUnknown.add(to);
        logger('warn', `dropping messages to server ${to}: not a peer`, { self: this.self, to });
      }
      return;
    }
    if (msg.byteLength > maxFrameBytes) {
      peer.droppedOversize++;
      logger('warn', `dropping a ${msg.byteLength}-byte message to server ${to}: over maxFrameBytes ${maxFrameBytes}`, {
        self: this.self,
        to,
      });
      return;
    }
    const link = peer.link;
    if (link !== null) {
      this.write(link, msg);
      peer.messagesSent++;
      if (link.socket.writableLength > maxQueuedBytes) {
        peer.linkResetsOverLimit++;
        this.closeLink(link, `server ${to} is not reading: more than ${maxQueuedBytes} bytes queued`, 'warn');
      }
      return;
    }
    // Down: hold it for the next link; past a limit the oldest go (the newest state matters most).
    peer.queue.push(msg);
    peer.queueBytes += msg.byteLength + FRAME_LENGTH_BYTES;
    let dropped = 0;
    while (peer.queuedMessages > maxQueuedMessages || peer.queueBytes > maxQueuedBytes) {
      const old = peer.queue[peer.queueHead]!;
      peer.queue[peer.queueHead++] = EMPTY;
      peer.queueBytes -= old.byteLength + FRAME_LENGTH_BYTES;
      dropped++;
    }
    if (peer.queueHead > 1024 && peer.queueHead * 2 > peer.queue.length) {
      peer.queue = peer.queue.slice(peer.queueHead);
      peer.queueHead = 0;
    }
    if (dropped > 0) {
      if (peer.droppedQueueFull === 0) {
        logger('warn', `link to server ${to} is down and its queue is full: dropping the oldest messages`, { self: this.self, to });
      }
      peer.droppedQueueFull += dropped;
    }
    if (peer.dialing === null && peer.retryTimer === null) this.attempt(peer);
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      this.messagesSubject.complete();
      this.linksSubject.complete();
      for (const peer of this.peers.values()) {
        if (peer.retryTimer !== null) clearTimeout(peer.retryTimer);
        peer.retryTimer = null;
        peer.takeQueue();
      }
      this.loopback = [];
      const gone = [...this.sockets].map(
        (link) =>
          new Promise<void>((resolve) => {
            link.socket.once('close', () => resolve());
            this.closeLink(link, 'transport closing', 'debug');
          }),
      );
      const server = this.server;
      if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(gone);
      this.options.logger('info', 'peer transport closed', { self: this.self });
    })();
    return this.closing;
  }

  // ---- connection management ----

  /** Makes one connection attempt to `peer` if none is under way and the link is down. */
  private attempt(peer: Peer): void {
    if (this.closed || !this.started || peer.link !== null || peer.dialing !== null) return;
    if (peer.retryTimer !== null) clearTimeout(peer.retryTimer);
    peer.retryTimer = null;
    if (peer.address === null) return; // wait for setPeerAddress (it may dial us meanwhile)
    peer.dials++;
    const socket = connect({ host: peer.address.host, port: peer.address.port, noDelay: true, keepAlive: true });
    const link = new Link(socket, 'out', peer.id);
    peer.dialing = link;
    this.track(link);
    link.timer = setTimeout(() => this.closeLink(link, `no handshake with server ${peer.id} within ${this.options.handshakeTimeoutMs} ms`, 'debug'), this.options.handshakeTimeoutMs);
    socket.once('connect', () => {
      if (link.state !== 'connecting') return;
      link.state = 'handshake';
      socket.write(encodeHello({ version: PEER_PROTOCOL_VERSION, sender: this.self, target: peer.id }));
    });
  }

  /** Schedules the next attempt after the (jittered, doubling) backoff. */
  private scheduleRetry(peer: Peer): void {
    if (this.closed || peer.link !== null || peer.dialing !== null || peer.retryTimer !== null) return;
    const base = peer.backoffMs;
    peer.backoffMs = Math.min(base * 2, this.options.backoffMaxMs);
    const delay = Math.round(base / 2 + this.options.random() * (base / 2));
    peer.retryTimer = setTimeout(() => {
      peer.retryTimer = null;
      this.attempt(peer);
    }, delay);
    peer.retryTimer.unref();
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const link = new Link(socket, 'in', null);
    this.track(link);
    link.timer = setTimeout(() => {
      this.refused++;
      this.closeLink(link, `no handshake from ${socket.remoteAddress}:${socket.remotePort} within ${this.options.handshakeTimeoutMs} ms`, 'warn');
    }, this.options.handshakeTimeoutMs);
  }

  private track(link: Link): void {
    this.sockets.add(link);
    const { socket } = link;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(link, chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const where = link.peer === null ? `${socket.remoteAddress}:${socket.remotePort}` : `server ${link.peer}`;
      this.closeLink(link, `socket error with ${where}: ${err.code ?? err.message}`, link.state === 'up' ? 'info' : 'debug');
    });
    socket.on('end', () => this.closeLink(link, 'closed by the other side', link.state === 'up' ? 'info' : 'debug'));
    socket.on('close', () => {
      this.sockets.delete(link);
      this.closeLink(link, 'socket closed', 'debug');
    });
  }

  private onData(link: Link, chunk: Buffer): void {
    if (link.state === 'closed') return;
    link.decoder.push(chunk);
    try {
      for (;;) {
        if ((link.state as LinkState) === 'closed' || this.closed) return;
        const frame = link.decoder.next();
        if (frame === null) return;
        if (link.state === 'up') this.deliver(link, frame);
        else if (link.direction === 'in') this.onHello(link, frame);
        else this.onReply(link, frame);
      }
    } catch (err) {
      if (!(err instanceof PeerFrameError)) throw err;
      if (link.state !== 'up') this.refused++;
      const from = link.peer === null ? `${link.socket.remoteAddress}:${link.socket.remotePort}` : `server ${link.peer}`;
      this.closeLink(link, `bad frame from ${from}: ${err.message}`, 'warn');
    }
  }

  private onHello(link: Link, payload: Uint8Array): void {
    const { logger } = this.options;
    const remote = `${link.socket.remoteAddress}:${link.socket.remotePort}`;
    const hello = decodeHello(payload);
    const refuse = (status: HandshakeStatus, why: string): void => {
      this.refused++;
      logger('warn', `refused peer connection from ${remote}: ${why}`, { self: this.self, remote });
      link.state = 'closed';
      link.clearTimer();
      link.socket.end(encodeReply({ version: PEER_PROTOCOL_VERSION, status, acceptor: this.self }));
      link.socket.destroySoon();
    };
    if (typeof hello === 'string') {
      this.refused++;
      this.closeLink(link, `refused peer connection from ${remote}: not a zkts peer handshake (${hello})`, 'warn');
      return;
    }
    if (hello.version !== PEER_PROTOCOL_VERSION) {
      return refuse(HandshakeStatus.VersionMismatch, `protocol version ${hello.version}, this server speaks ${PEER_PROTOCOL_VERSION}`);
    }
    const peer = this.peers.get(hello.sender);
    if (peer === undefined) return refuse(HandshakeStatus.UnknownPeer, `server id ${hello.sender} is not a peer of server ${this.self}`);
    if (hello.target !== this.self) return refuse(HandshakeStatus.WrongTarget, `server ${hello.sender} meant server ${hello.target}, this is ${this.self}`);
    link.peer = peer.id;
    if (peer.id < this.self) {
      // The smaller id asks for a link: the larger one dials (ZooKeeper's rule), so each pair has
      // exactly one connection. If ours is up, this is a race with our own dial: keep ours.
      link.state = 'closed';
      link.clearTimer();
      link.socket.end(encodeReply({ version: PEER_PROTOCOL_VERSION, status: HandshakeStatus.DialBack, acceptor: this.self }));
      logger('debug', `server ${peer.id} asked for a link; dialing it`, { self: this.self, peer: peer.id });
      if (peer.link === null && peer.dialing === null) {
        peer.backoffMs = this.options.backoffInitialMs;
        this.attempt(peer);
      }
      return;
    }
    link.socket.write(encodeReply({ version: PEER_PROTOCOL_VERSION, status: HandshakeStatus.Accepted, acceptor: this.self }));
    this.linkUp(peer, link);
  }

  private onReply(link: Link, payload: Uint8Array): void {
    const peer = this.peers.get(link.peer!)!;
    const reply = decodeReply(payload);
    if (typeof reply === 'string') {
      this.closeLink(link, `server ${peer.id} did not answer with a zkts peer handshake (${reply})`, 'warn');
      return;
    }
    if (reply.status === HandshakeStatus.Accepted && reply.version === PEER_PROTOCOL_VERSION && reply.acceptor === peer.id && peer.id < this.self) {
      this.linkUp(peer, link);
      return;
    }
    if (reply.status === HandshakeStatus.DialBack && peer.id > this.self) {
      // It will dial us; if that does not happen, we ask again after the backoff.
      this.closeLink(link, `server ${peer.id} will dial back`, 'debug');
      return;
    }
    const why =
      reply.status === HandshakeStatus.VersionMismatch
        ? `protocol version mismatch: it speaks ${reply.version}, this server ${PEER_PROTOCOL_VERSION}`
        : `${handshakeStatusName(reply.status)} from server ${reply.acceptor}`;
    this.closeLink(link, `server ${peer.id} refused the link: ${why}`, 'warn');
  }

  private linkUp(peer: Peer, link: Link): void {
    link.clearTimer();
    link.state = 'up';
    link.decoder.maxFrameBytes = this.options.maxFrameBytes;
    if (peer.dialing === link) peer.dialing = null;
    const old = peer.link;
    if (old !== null) this.closeLink(old, `replaced by a new connection from server ${peer.id}`, 'info');
    peer.link = link;
    peer.linksUp++;
    peer.backoffMs = this.options.backoffInitialMs;
    if (peer.retryTimer !== null) clearTimeout(peer.retryTimer);
    peer.retryTimer = null;
    this.options.logger('info', `link to server ${peer.id} up`, { self: this.self, peer: peer.id, direction: link.direction });
    for (const msg of peer.takeQueue()) {
      this.write(link, msg);
      peer.messagesSent++;
    }
    this.linksSubject.next({ peer: peer.id, up: true });
  }

  /** Closes one socket (idempotent); a link that was up reports down and reconnects. */
  private closeLink(link: Link, reason: string, level: 'debug' | 'info' | 'warn'): void {
    const wasUp = link.state === 'up';
    const wasOpen = link.state !== 'closed';
    link.state = 'closed';
    link.clearTimer();
    if (!link.socket.destroyed) link.socket.destroy();
    if (!wasOpen) return;
    const peer = link.peer === null ? undefined : this.peers.get(link.peer);
    if (wasOpen && !wasUp) this.options.logger(level, reason, { self: this.self, peer: link.peer });
    if (peer === undefined) return;
    if (peer.dialing === link) peer.dialing = null;
    if (peer.link === link) {
      peer.link = null;
      this.options.logger(level === 'debug' ? 'info' : level, `link to server ${peer.id} down: ${reason}`, { self: this.self, peer: peer.id });
      if (!this.closed) this.linksSubject.next({ peer: peer.id, up: false });
    }
    if (!this.closed) this.scheduleRetry(peer);
  }

  // ---- data ----

  private write(link: Link, msg: Uint8Array): void {
    const { socket } = link;
    if (!link.corked) {
      // Everything sent in this turn leaves in one write.
      link.corked = true;
      socket.cork();
      process.nextTick(() => {
        link.corked = false;
        socket.uncork();
      });
    }
    const header = Buffer.allocUnsafe(FRAME_LENGTH_BYTES);
    header.writeUInt32BE(msg.byteLength, 0);
    socket.write(header);
    socket.write(Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength));
  }

  private deliver(link: Link, msg: Uint8Array): void {
    const peer = this.peers.get(link.peer!)!;
    peer.messagesReceived++;
    this.messagesSubject.next({ from: peer.id, msg });
  }

  private flushLoopback(): void {
    this.loopbackScheduled = false;
    const batch = this.loopback;
    this.loopback = [];
    for (const msg of batch) {
      if (this.closed) return;
      this.messagesSubject.next({ from: this.self, msg });
    }
  }
}

const EMPTY = new Uint8Array(0);
