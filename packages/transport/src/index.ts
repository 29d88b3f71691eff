export {
  ClientListener,
  FOUR_LETTER_WORDS,
  SET_TRACE_MASK_ARGUMENT_BYTES,
  TELNET_CLOSE_WORD,
  fourLetterCode,
  fourLetterWordOf,
} from './client.js';
export type { ClientConnection, ClientHandler, FourLetterWord, ListenAddress } from './client.js';
export { PeerTransport } from './peer.js';
export type { PeerEnvelope, PeerLinkEvent, ServerId } from './peer.js';
export { silentTransportLogger } from './log.js';
export type { TransportLogLevel, TransportLogger } from './log.js';
