// Test doubles: a handler that records every call and lets a test await a condition, a client
// socket helper, and framing helpers. Nothing here sleeps: waits resolve on events.
import { connect, type Socket } from 'node:net';
import type { ClientConnection, ClientHandler, FourLetterWord, TransportLogger } from '@zkts/transport';

export type Recorded =
  | { kind: 'connection'; id: number }
  | { kind: 'frames'; id: number; payloads: Uint8Array[] }
  | { kind: 'word'; id: number; word: FourLetterWord; argument: Uint8Array | undefined }
  | { kind: 'close'; id: number; reason: string }
  | { kind: 'protocolError'; id: number; error: Error }
  | { kind: 'log'; level: string; message: string; fields: Record<string, unknown> | undefined };

/** Overridable reactions, called after the event is recorded. */
export interface Reactions {
  onConnection?(conn: ClientConnection): void;
  onFrames?(conn: ClientConnection, payloads: Uint8Array[]): void;
  onFourLetterWord?(conn: ClientConnection, word: FourLetterWord, argument?: Uint8Array): void;
}

export class RecordingHandler implements ClientHandler {
  readonly events: Recorded[] = [];
  readonly conns = new Map<number, ClientConnection>();
  private waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(public reactions: Reactions = {}) {}

  /** A logger that records into the same event list, so logs and calls can be ordered. */
  readonly logger: TransportLogger = (level, message, fields) => {
    this.record({ kind: 'log', level, message, fields: fields as Record<string, unknown> | undefined });
  };

  onConnection(conn: ClientConnection): void {
    this.conns.set(conn.id, conn);
    this.record({ kind: 'connection', id: conn.id });
    this.reactions.onConnection?.(conn);
  }
  onFrames(conn: ClientConnection, payloads: Uint8Array[]): void {
    // Payloads may be views into a transport buffer: keep copies.
    this.record({ kind: 'frames', id: conn.id, payloads: payloads.map((p) => p.slice()) });
    this.reactions.onFrames?.(conn, payloads);
  }
  onFourLetterWord(conn: ClientConnection, word: FourLetterWord, argument?: Uint8Array): void {
    this.record({ kind: 'word', id: conn.id, word, argument });
    this.reactions.onFourLetterWord?.(conn, word, argument);
  }
  onClose(conn: ClientConnection, reason: string): void {
    this.record({ kind: 'close', id: conn.id, reason });
  }
  onProtocolError(conn: ClientConnection, error: Error): void {
    this.record({ kind: 'protocolError', id: conn.id, error });
  }

  of<K extends Recorded['kind']>(kind: K, id?: number): Extract<Recorded, { kind: K }>[] {
    return this.events.filter(
      (e): e is Extract<Recorded, { kind: K }> => e.kind === kind && (id === undefined || ('id' in e && e.id === id)),
    );
  }

  /** Payloads delivered to connection `id`, in order, as strings. */
  texts(id: number): string[] {
    return this.of('frames', id).flatMap((e) => e.payloads.map((p) => new TextDecoder().decode(p)));
  }

  /** Resolves once `test` holds, checking now and after every recorded event. */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private record(e: Recorded): void {
    this.events.push(e);
    const ready = this.waiters.filter((w) => w.test());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** A connected client socket whose errors (resets) are recorded rather than thrown. */
export interface TestClient {
  readonly socket: Socket;
  readonly received: Buffer[];
  readonly closed: Promise<void>;
  readonly errors: Error[];
  /** Bytes received so far. */
  bytes(): Buffer;
}

export function openClient(port: number, options: { read?: boolean } = {}): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const received: Buffer[] = [];
    const errors: Error[] = [];
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', (e) => errors.push(e));
    if (options.read !== false) socket.on('data', (d: Buffer) => received.push(d));
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({ socket, received, closed, errors, bytes: () => Buffer.concat(received) });
    });
    socket.once('error', reject);
  });
}

/** Writes and resolves once the bytes are handed to the kernel. */
export function write(socket: Socket, bytes: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}

/** One length-prefixed frame. */
export function frame(payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

export function frames(...payloads: (Uint8Array | string)[]): Buffer {
  return Buffer.concat(payloads.map(frame));
}

export function lengthOnly(length: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(length | 0, 0);
  return out;
}

/** Opens a connection the server is expected to refuse at once; resolves when it is gone. */
export function openRejected(port: number): Promise<{ errors: Error[]; received: number }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const errors: Error[] = [];
    let received = 0;
    socket.on('error', (e) => errors.push(e));
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.once('close', () => resolve({ errors, received }));
  });
}
