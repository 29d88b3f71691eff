// One client socket: sniffs a four-letter word, cuts frames, writes batches, applies backpressure.
import type { Socket } from 'node:net';
import { FrameDecoder, FrameError } from '@zkts/protocol';
import {
  SET_TRACE_MASK_ARGUMENT_BYTES,
  TELNET_CLOSE_WORD,
  fourLetterWordOf,
  type ClientConnection,
  type ClientHandler,
  type FourLetterWord,
} from '@zkts/transport';
import type { ResolvedTcpClientListenerOptions } from './options.js';

const LENGTH_BYTES = 4;
/**
 * Most frames handed to onFrames in one call. Between calls the connection checks its unsent
 * output, so a client that pipelines many requests with large replies and does not read them
 * costs at most this many replies beyond maxOutboundBytes, not one reply per frame of a chunk.
 * Calls made in one turn still share the server's group commit and one corked write.
 */
export const FRAMES_PER_DELIVERY = 32;

/** What the input bytes mean right now. */
const Mode = {
  /** Fewer than four bytes seen: a four-letter word or a frame length. */
  Sniffing: 0,
  Frames: 1,
  /** Collecting the 8-byte argument of "stmk". */
  TraceMask: 2,
  /** A word was delivered or we are closing: input is read and dropped (unread input would
   * turn our close into a reset). */
  Discarding: 3,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** Counters the listener shares with its connections. */
export interface ConnectionCounters {
  protocolErrors: number;
  backpressurePauses: number;
}

export class TcpClientConnection implements ClientConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  private mode: Mode = Mode.Sniffing;
  private readonly decoder: FrameDecoder;
  /** First bytes (word or length) or the stmk argument, while they arrive in pieces. */
  private pending: Uint8Array = new Uint8Array(0);
  private pendingWord: FourLetterWord | null = null;
  private closing = false;
  private ended = false;
  private closeReason: string | null = null;
  private appPaused = false;
  private outboundPaused = false;
  private corked = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  /** Decoded frames held back while output is over the limit (or the server paused us). */
  private held: Uint8Array[] = [];

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly handler: ClientHandler,
    private readonly options: ResolvedTcpClientListenerOptions,
    private readonly counters: ConnectionCounters,
    private readonly onGone: (conn: TcpClientConnection) => void,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: NodeJS.ErrnoException) => this.onError(err));
    socket.on('close', () => this.onSocketClose());
  }

  get closed(): boolean {
    return this.closing || this.ended || this.socket.destroyed;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** True while input is held back because unsent output exceeds maxOutboundBytes. */
  get backpressured(): boolean {
    return this.outboundPaused;
  }

  /** True while no input is being delivered (pause() or backpressure). */
  get readPaused(): boolean {
    return this.socket.isPaused();
  }

  send(frames: Uint8Array): void {
    if (this.closed || frames.length === 0) return;
    // Sends made during one turn of the event loop (a batch's replies) leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(frames, this.onWritten);
  }

  close(reason = 'closed by server'): void {
    if (this.closed) return;
    this.closing = true;
    this.closeReason ??= reason;
    this.uncork();
    // Keep reading (and dropping) so unread input cannot turn our FIN into a reset that would
    // discard the reply still in flight; the linger timer bounds a peer that never reads.
    this.mode = Mode.Discarding;
    this.updateReading();
    this.socket.end();
    if (this.options.closeLingerMs > 0) {
      this.lingerTimer = setTimeout(() => this.socket.destroy(), this.options.closeLingerMs);
      this.lingerTimer.unref();
    } else {
      this.socket.destroy();
    }
  }

  pause(): void {
    this.appPaused = true;
    this.updateReading();
  }

  resume(): void {
    this.appPaused = false;
    // Held frames go out on a later tick: resume() is called from inside the server's own code.
    if (this.held.length > 0) process.nextTick(() => {
      this.deliverHeld();
      this.updateReading();
    });
    this.updateReading();
  }

  private readonly uncork = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
    // Measured after the kernel took what it could: what is left is what the client has not read.
    if (!this.outboundPaused && !this.closed && this.socket.writableLength > this.options.maxOutboundBytes) {
      this.outboundPaused = true;
      this.counters.backpressurePauses++;
      this.options.logger('debug', 'client output over limit: reading paused', {
        id: this.id, bufferedBytes: this.socket.writableLength, maxOutboundBytes: this.options.maxOutboundBytes,
      });
      this.updateReading();
    }
  };

  /** Runs as each write reaches the kernel; an empty queue is the 'drain' that resumes reading. */
  private readonly onWritten = (): void => {
    if (this.outboundPaused && this.socket.writableLength === 0) {
      this.outboundPaused = false;
      this.options.logger('debug', 'client output drained: reading resumed', { id: this.id });
      this.deliverHeld();
      this.updateReading();
    }
  };

  private updateReading(): void {
    const read = this.mode === Mode.Discarding || this.ended || (!this.appPaused && !this.outboundPaused);
    if (read) this.socket.resume();
    else this.socket.pause();
  }

  private onData(chunk: Buffer): void {
    switch (this.mode) {
      case Mode.Frames:
        this.deliverFrames(chunk);
        return;
      case Mode.Sniffing:
        this.sniff(chunk);
        return;
      case Mode.TraceMask:
        this.collectTraceMask(chunk);
        return;
      case Mode.Discarding:
        return;
    }
  }

  private sniff(chunk: Uint8Array): void {
    let bytes: Uint8Array = chunk;
    if (this.pending.length > 0 || chunk.length < LENGTH_BYTES) {
      bytes = concat(this.pending, chunk);
      if (bytes.length < LENGTH_BYTES) {
        this.pending = bytes;
        return;
      }
      this.pending = new Uint8Array(0);
    }
    const code = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) | 0;
    const word = fourLetterWordOf(code);
    if (word === 'stmk') {
      this.mode = Mode.TraceMask;
      this.pendingWord = word;
      this.collectTraceMask(bytes.subarray(LENGTH_BYTES));
    } else if (word !== undefined) {
      this.mode = Mode.Discarding;
      this.deliverWord(word, undefined);
    } else if (code === TELNET_CLOSE_WORD) {
      this.mode = Mode.Discarding;
      this.close('telnet close');
    } else {
      this.mode = Mode.Frames;
      this.deliverFrames(bytes);
    }
  }

  private collectTraceMask(chunk: Uint8Array): void {
    this.pending = concat(this.pending, chunk);
    if (this.pending.length < SET_TRACE_MASK_ARGUMENT_BYTES) return;
    const argument = this.pending.slice(0, SET_TRACE_MASK_ARGUMENT_BYTES);
    this.pending = new Uint8Array(0);
    this.mode = Mode.Discarding;
    this.deliverWord(this.pendingWord!, argument);
  }

  private deliverWord(word: FourLetterWord, argument: Uint8Array | undefined): void {
    this.options.logger('info', 'four-letter word', { id: this.id, word, remoteAddress: this.remoteAddress });
    this.guarded('onFourLetterWord', () => this.handler.onFourLetterWord(this, word, argument));
  }

  private deliverFrames(chunk: Uint8Array): void {
    let payloads: Uint8Array[];
    try {
      payloads = this.decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.counters.protocolErrors++;
      this.options.logger('warn', 'closing client connection: bad frame length', {
        id: this.id, remoteAddress: this.remoteAddress, length: err.length, maxFrameBytes: err.maxFrameBytes,
      });
      this.guarded('onProtocolError', () => this.handler.onProtocolError(this, err as FrameError));
      this.close(`protocol error: ${err.message}`);
      return;
    }
    if (payloads.length === 0) return;
    if (this.held.length > 0) {
      this.held.push(...payloads);
      return;
    }
    this.held = payloads;
    this.deliverHeld();
  }

  /** Hands held frames to the server in slices while the output stays under the limit. */
  private deliverHeld(): void {
    while (this.held.length > 0 && !this.closed && !this.appPaused && !this.outboundPaused) {
      const slice = this.held.length <= FRAMES_PER_DELIVERY ? this.held : this.held.slice(0, FRAMES_PER_DELIVERY);
      this.held = slice === this.held ? [] : this.held.slice(FRAMES_PER_DELIVERY);
      this.guarded('onFrames', () => this.handler.onFrames(this, slice));
      if (this.held.length > 0 && !this.closed && this.socket.writableLength > this.options.maxOutboundBytes) {
        this.outboundPaused = true;
        this.counters.backpressurePauses++;
        this.options.logger('debug', 'client output over limit: reading paused', {
          id: this.id, bufferedBytes: this.socket.writableLength, maxOutboundBytes: this.options.maxOutboundBytes, heldFrames: this.held.length,
        });
        this.updateReading();
      }
    }
    if (this.closed) this.held = [];
  }

  /** A throwing handler costs its connection, not the server. */
  private guarded(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.options.logger('warn', `client handler ${what} threw; closing the connection`, { id: this.id, error: err });
      this.close(`handler error in ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onEnd(): void {
    // A four-letter-word client (nc) may half-close right after the word: the answer still goes
    // out, and the handler closes. Anyone else who stops sending is gone, as in ZooKeeper.
    if (this.mode === Mode.Discarding && !this.closing) return;
    if (this.closing) return;
    this.close(this.mode === Mode.Sniffing || this.decoder.buffered === 0
      ? 'client closed the connection'
      : 'client closed the connection inside a frame');
  }

  private onError(err: NodeJS.ErrnoException): void {
    this.closeReason ??= `socket error: ${err.code ?? err.message}`;
    this.options.logger('debug', 'client socket error', { id: this.id, code: err.code, message: err.message });
  }

  private onSocketClose(): void {
    this.ended = true;
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    const reason = this.closeReason ?? 'connection lost';
    this.closeReason = reason;
    this.onGone(this);
    this.guarded('onClose', () => this.handler.onClose(this, reason));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
