// The client-port SPI: what a server sees of one client's byte stream, and how input reaches it.
// No I/O here; transport-tcp (and later transport-memory) implement it.
import type { Observable } from 'rxjs';
import type { InjectionToken } from 'tsyringe';

/**
 * One client connection on the client port. Frames go out as already-framed bytes (4-byte
 * big-endian length + payload, possibly many frames in one buffer) so the server can answer a
 * whole batch with one write.
 */
export interface ClientConnection {
  /** Unique per listener, never reused while the listener lives. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** True once close() was called or the peer went away; send() is then a no-op. */
  readonly closed: boolean;
  /** Bytes accepted by send() and not yet handed to the operating system. */
  readonly bufferedBytes: number;
  /** Writes framed bytes (one or many frames). Never throws; after close it is ignored. */
  send(frames: Uint8Array): void;
  /** Flushes what send() queued, then closes. Idempotent; onClose fires once. */
  close(reason?: string): void;
  /** Stops delivering input (onFrames) until resume(): backpressure from the server side. */
  pause(): void;
  /** Undoes pause(). Reading may still be held back by the transport's own outbound limit. */
  resume(): void;
}

/**
 * The server's side of the listener: plain callbacks (the per-request hot path stays free of
 * Observables). Calls for one connection arrive in order: onConnection, then any of
 * onFrames / onFourLetterWord / onProtocolError, then exactly one onClose.
 */
export interface ClientHandler {
  onConnection(conn: ClientConnection): void;
  /**
   * Every complete frame of one socket chunk, in order. Payloads (length prefix removed) may be
   * views into a transport buffer: valid during the call, copy what must outlive it.
   */
  onFrames(conn: ClientConnection, payloads: Uint8Array[]): void;
  /**
   * The connection opened with a four-letter word instead of a frame length. No frames follow;
   * the server writes its answer with send() and then calls close(). `argument` carries the
   * 8-byte big-endian trace mask that follows "stmk", absent for every other word.
   */
  onFourLetterWord(conn: ClientConnection, word: FourLetterWord, argument?: Uint8Array): void;
  /** Why the connection ended: the peer closed, close(reason) was called, a limit, an error. */
  onClose(conn: ClientConnection, reason: string): void;
  /** Unusable input (negative or oversize frame length). The connection closes right after. */
  onProtocolError(conn: ClientConnection, error: Error): void;
}

/** Where a listener is bound. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Accepts client connections and feeds their input to one ClientHandler. */
export interface ClientListener {
  /** Binds and starts accepting; resolves with the bound address (port 0 picks a free port). */
  listen(handler: ClientHandler): Promise<ListenAddress>;
  /** Every accepted connection, after handler.onConnection (metrics, admin, tests). */
  readonly connections$: Observable<ClientConnection>;
  /** Connections currently open. */
  readonly connectionCount: number;
  /** Closes every connection and the server socket; resolves when all are gone. Idempotent. */
  close(): Promise<void>;
}
export const ClientListener: InjectionToken<ClientListener> = Symbol('ClientListener');

/**
 * The four-letter words ZooKeeper answers on the client port (FourLetterCommands.cmd2String
 * in ZooKeeper 3.6+), recognised only as the first four bytes of a connection.
 */
export const FOUR_LETTER_WORDS = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'isro', 'mntr', 'ruok', 'srst',
  'srvr', 'stat', 'stmk', 'wchc', 'wchp', 'wchs',
] as const;
export type FourLetterWord = (typeof FOUR_LETTER_WORDS)[number];

/** Bytes that follow "stmk": a big-endian int64 trace mask. */
export const SET_TRACE_MASK_ARGUMENT_BYTES = 8;

/**
 * What telnet sends when it closes (IAC IP IAC DO TIMING-MARK read as an int). ZooKeeper knows it
 * so that it is not logged as a bad length; transports close such a connection quietly.
 */
export const TELNET_CLOSE_WORD = 0xfff4fffd | 0;

const WORD_BY_CODE: ReadonlyMap<number, FourLetterWord> = new Map(
  FOUR_LETTER_WORDS.map((w) => [fourLetterCode(w), w]),
);

/** The int32 a word reads as when taken for a frame length (ZooKeeper compares these). */
export function fourLetterCode(word: string): number {
  if (word.length !== 4) throw new RangeError(`not a four-letter word: ${JSON.stringify(word)}`);
  return ((word.charCodeAt(0) << 24) | (word.charCodeAt(1) << 16) | (word.charCodeAt(2) << 8) | word.charCodeAt(3)) | 0;
}

/** The known word whose code is `code` (the first four bytes read as a big-endian int32). */
export function fourLetterWordOf(code: number): FourLetterWord | undefined {
  return WORD_BY_CODE.get(code | 0);
}
