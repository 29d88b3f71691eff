// The only tsyringe surface of this package: binds the ClientListener token to a TCP listener.
import type { DependencyContainer } from 'tsyringe';
import { ClientListener } from '@zkts/transport';
import { TcpClientListener } from './listener.js';
import type { TcpClientListenerOptions } from './options.js';

export interface RegisterTcpTransportOptions {
  /** The client port (clientPortAddress, clientPort, jute.maxbuffer, maxClientCnxns, ...). */
  readonly client: TcpClientListenerOptions;
}

/**
 * Registers one TcpClientListener under ClientListener, created on first resolve (options are
 * checked here, at registration, so a bad value fails at startup). Peer transports are not
 * registered here: an ensemble member needs two (quorum and election ports), so its composition
 * root constructs TcpPeerTransport instances directly.
 */
export function registerTcpTransport(container: DependencyContainer, options: RegisterTcpTransportOptions): void {
  const listener = new TcpClientListener(options.client);
  container.register(ClientListener, { useValue: listener });
}
