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
