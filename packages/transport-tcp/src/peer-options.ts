// Options of the TCP peer transport, their defaults and their checks (all its limits live here).
import { silentTransportLogger, type ServerId, type TransportLogger } from '@zkts/transport';
import { MAX_FRAME_BYTES_MAX } from './options.js';

/**
 * Default largest peer message (frame payload). Above jute.maxbuffer (a proposal carries a whole
 * client request plus headers); snapshots must be sent in chunks below it.
 */
export const PEER_MAX_FRAME_BYTES_DEFAULT = 16 * 1024 * 1024;
/** Default per-peer bound on bytes accepted by send() and not yet taken by the kernel. */
export const PEER_MAX_QUEUED_BYTES_DEFAULT = 64 * 1024 * 1024;
/** Default per-peer bound on messages held while the link is down. */
export const PEER_MAX_QUEUED_MESSAGES_DEFAULT = 10_000;
/** Default first reconnect delay; it doubles per failed attempt up to the max, and is jittered. */
export const PEER_RECONNECT_BACKOFF_INITIAL_MS_DEFAULT = 100;
export const PEER_RECONNECT_BACKOFF_MAX_MS_DEFAULT = 5_000;
/** Default time for connect plus handshake (ZooKeeper's cnxTimeout is 5 s). */
export const PEER_HANDSHAKE_TIMEOUT_MS_DEFAULT = 5_000;
/** The longest timer node can run. */
const TIMER_MS_MAX = 2 ** 31 - 1;

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface TcpPeerTransportOptions {
  /** This server's id (myid). */
  readonly self: ServerId;
  /**
   * Every other server of the ensemble and where it listens. An entry for `self` is ignored.
   * null = address not known yet (give it later with setPeerAddress); such a peer is not dialed,
   * but may dial us. Only ids listed here may connect.
   */
  readonly peers: ReadonlyMap<ServerId, PeerAddress | null>;
  /** Where to listen; port 0 picks a free one (see listen()'s result). Default host 127.0.0.1. */
  readonly listen: { readonly host?: string | undefined; readonly port: number };
  readonly reconnectBackoffMs?: { readonly initial?: number | undefined; readonly max?: number | undefined } | undefined;
  /** Largest message, both ways. A bigger incoming frame closes its link; a bigger send is dropped. */
  readonly maxFrameBytes?: number | undefined;
  /** Per peer: unsent bytes above which an up link is closed (the peer is not reading). */
  readonly maxQueuedBytes?: number | undefined;
  /** Per peer: messages held while the link is down; past it the oldest are dropped. */
  readonly maxQueuedMessages?: number | undefined;
  /** Connect plus handshake must finish within this, both directions. */
  readonly handshakeTimeoutMs?: number | undefined;
  /** Jitter for the reconnect backoff; default Math.random. */
  readonly random?: (() => number) | undefined;
  readonly logger?: TransportLogger | undefined;
}

export interface ResolvedTcpPeerTransportOptions {
  readonly self: ServerId;
  readonly peers: ReadonlyMap<ServerId, PeerAddress | null>;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly maxFrameBytes: number;
  readonly maxQueuedBytes: number;
  readonly maxQueuedMessages: number;
  readonly handshakeTimeoutMs: number;
  readonly random: () => number;
  readonly logger: TransportLogger;
}

/** Fills defaults and rejects values that cannot work, naming the option. */
export function resolveTcpPeerTransportOptions(o: TcpPeerTransportOptions): ResolvedTcpPeerTransportOptions {
  const r: ResolvedTcpPeerTransportOptions = {
    self: o.self,
    peers: new Map([...o.peers].filter(([id]) => id !== o.self)),
    listenHost: o.listen.host ?? '127.0.0.1',
    listenPort: o.listen.port,
    backoffInitialMs: o.reconnectBackoffMs?.initial ?? PEER_RECONNECT_BACKOFF_INITIAL_MS_DEFAULT,
    backoffMaxMs: o.reconnectBackoffMs?.max ?? PEER_RECONNECT_BACKOFF_MAX_MS_DEFAULT,
    maxFrameBytes: o.maxFrameBytes ?? PEER_MAX_FRAME_BYTES_DEFAULT,
    maxQueuedBytes: o.maxQueuedBytes ?? PEER_MAX_QUEUED_BYTES_DEFAULT,
    maxQueuedMessages: o.maxQueuedMessages ?? PEER_MAX_QUEUED_MESSAGES_DEFAULT,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? PEER_HANDSHAKE_TIMEOUT_MS_DEFAULT,
    random: o.random ?? Math.random,
    logger: o.logger ?? silentTransportLogger,
  };
  serverId('self', r.self);
  for (const [id, address] of r.peers) {
    serverId(`peers id ${id}`, id);
    if (address !== null) peerAddress(`peers[${id}]`, address);
  }
  if (r.listenHost.length === 0) throw new RangeError('transport-tcp peer option listen.host: must not be empty');
  integer('listen.port', r.listenPort, 0, 65535);
  integer('reconnectBackoffMs.initial', r.backoffInitialMs, 1, TIMER_MS_MAX);
  integer('reconnectBackoffMs.max', r.backoffMaxMs, r.backoffInitialMs, TIMER_MS_MAX);
  integer('maxFrameBytes', r.maxFrameBytes, 0, MAX_FRAME_BYTES_MAX);
  integer('maxQueuedBytes', r.maxQueuedBytes, r.maxFrameBytes, Number.MAX_SAFE_INTEGER);
  integer('maxQueuedMessages', r.maxQueuedMessages, 1, Number.MAX_SAFE_INTEGER);
  integer('handshakeTimeoutMs', r.handshakeTimeoutMs, 1, TIMER_MS_MAX);
  return r;
}

/** Checks one peer address, naming it in the error. */
export function peerAddress(name: string, address: PeerAddress): void {
  if (typeof address.host !== 'string' || address.host.length === 0) {
    throw new RangeError(`transport-tcp peer option ${name}.host: must be a non-empty string`);
  }
  integer(`${name}.port`, address.port, 1, 65535);
}

function serverId(name: string, id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`transport-tcp peer option ${name}: ${id} is not a non-negative integer`);
}

function integer(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`transport-tcp peer option ${name}: ${value} is not an integer in ${min}..${max}`);
  }
}
