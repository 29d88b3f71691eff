// The peer SPI for server-to-server traffic (ZAB replication, elections). Sketch for the zab and
// election runtimes; no implementation yet (transport-memory and transport-tcp will provide one).
import type { Observable } from 'rxjs';
import type { InjectionToken } from 'tsyringe';

/** A server's id in the ensemble (the N of server.N in zoo.cfg). */
export type ServerId = number;

/** One message received from a peer: its sender and the bytes it sent, as sent. */
export interface PeerEnvelope {
  readonly from: ServerId;
  readonly msg: Uint8Array;
}

/**
 * Messaging between the servers of one ensemble. Messages are opaque bytes (the zab and election
 * packages own their encoding); the transport only frames them.
 *
 * Contract for implementations:
 * - send() never blocks and never throws: it queues, connecting (with backoff) on demand.
 * - Messages to one peer arrive in the order sent, each whole, at most once. Any of them may be
 *   lost when a link breaks or the peer is down: ZAB and the elections resend or resync, so the
 *   transport does not retry across a reconnect.
 * - Sending to oneself is delivered through messages$ like any other message.
 * - messages$ is hot and completes on close(); close() drops what is still queued.
 */
export interface PeerTransport {
  readonly self: ServerId;
  send(to: ServerId, msg: Uint8Array): void;
  readonly messages$: Observable<PeerEnvelope>;
  close(): Promise<void>;
}
export const PeerTransport: InjectionToken<PeerTransport> = Symbol('PeerTransport');
