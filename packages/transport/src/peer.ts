// The peer SPI for server-to-server traffic (ZAB replication, elections). Implementations:
// @zkts/transport-memory (simulation, tests) and @zkts/transport-tcp (node:net). A server runs two
// instances: one on the quorum port (ZAB) and one on the election port of server.N.
import type { Observable } from 'rxjs';
import type { InjectionToken } from 'tsyringe';

/** A server's id in the ensemble (the N of server.N in zoo.cfg). */
export type ServerId = number;

/** One message received from a peer: its sender and the bytes it sent, as sent. */
export interface PeerEnvelope {
  readonly from: ServerId;
  readonly msg: Uint8Array;
}

/** A link to a peer came up (messages can flow both ways) or went down, as this side sees it. */
export interface PeerLinkEvent {
  readonly peer: ServerId;
  readonly up: boolean;
}

/**
 * Messaging between the servers of one ensemble. Messages are opaque bytes (the zab and election
 * packages own their encoding); the transport only frames them.
 *
 * Contract for implementations:
 * - send() never blocks and never throws: it queues, connecting (with backoff) on demand. The
 *   transport may hold on to `msg` until it is written: do not change it after send().
 * - Messages to one peer arrive in the order sent, each whole, at most once. Any of them may be
 *   lost when a link breaks or the peer is down: ZAB and the elections resend or resync, so the
 *   transport does not retry across a reconnect.
 * - Sending to oneself is delivered through messages$ like any other message (asynchronously,
 *   never from inside send()); it has no link and never appears in links$.
 * - links$ is hot and not replayed: subscribe before the first send. For each peer it alternates
 *   up, down, up, ... starting with up. A down event says that messages sent before it may have
 *   been lost; a down followed by an up is a new link (the peer may have restarted). Links break
 *   fast when the peer's process dies (its sockets close); a silent network may take longer.
 * - messages$ and links$ are hot and complete on close(); close() drops what is still queued and
 *   emits no further events (no final "down"s).
 */
export interface PeerTransport {
  readonly self: ServerId;
  send(to: ServerId, msg: Uint8Array): void;
  readonly messages$: Observable<PeerEnvelope>;
  readonly links$: Observable<PeerLinkEvent>;
  close(): Promise<void>;
}
export const PeerTransport: InjectionToken<PeerTransport> = Symbol('PeerTransport');
