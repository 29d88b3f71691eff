export { TcpClientListener } from './listener.js';
export type { TcpClientListenerStats } from './listener.js';
export { TcpClientConnection } from './connection.js';
export {
  CLOSE_LINGER_MS_DEFAULT,
  MAX_CLIENT_CNXNS_DEFAULT,
  MAX_CONNECTIONS_DEFAULT,
  MAX_FRAME_BYTES_MAX,
  MAX_OUTBOUND_BYTES_DEFAULT,
  resolveTcpClientListenerOptions,
} from './options.js';
export type { ResolvedTcpClientListenerOptions, TcpClientListenerOptions } from './options.js';
export { registerTcpTransport } from './di.js';
export type { RegisterTcpTransportOptions } from './di.js';
export { TcpPeerTransport } from './peer-transport.js';
export type { TcpPeerStats, TcpPeerTransportStats } from './peer-transport.js';
export {
  PEER_HANDSHAKE_TIMEOUT_MS_DEFAULT,
  PEER_MAX_FRAME_BYTES_DEFAULT,
  PEER_MAX_QUEUED_BYTES_DEFAULT,
  PEER_MAX_QUEUED_MESSAGES_DEFAULT,
  PEER_RECONNECT_BACKOFF_INITIAL_MS_DEFAULT,
  PEER_RECONNECT_BACKOFF_MAX_MS_DEFAULT,
  resolveTcpPeerTransportOptions,
} from './peer-options.js';
export type { PeerAddress, ResolvedTcpPeerTransportOptions, TcpPeerTransportOptions } from './peer-options.js';
export { HandshakeStatus, PEER_HANDSHAKE_BYTES_MAX, PEER_MAGIC, PEER_PROTOCOL_VERSION, PeerFrameError } from './peer-wire.js';
