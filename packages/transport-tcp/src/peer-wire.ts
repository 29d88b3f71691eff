// The peer protocol's bytes: 4-byte big-endian length frames, and the handshake that opens every
// connection (magic, protocol version, ids). Our own protocol, not ZooKeeper's quorum protocol.
import type { ServerId } from '@zkts/transport';

/** "zkpt": the first four payload bytes of every handshake frame. */
export const PEER_MAGIC = 0x7a6b7074;
/** Bumped on any incompatible change of the peer protocol; both ends must agree. */
export const PEER_PROTOCOL_VERSION = 1;
/** Largest handshake frame accepted (so garbage on the port cannot make us buffer much). */
export const PEER_HANDSHAKE_BYTES_MAX = 256;
export const FRAME_LENGTH_BYTES = 4;

/** Dialer -> acceptor: magic u32, version u16, flags u16 (0), sender id u64, target id u64. */
export const HELLO_BYTES = 24;
/** Acceptor -> dialer: magic u32, version u16, status u16, acceptor id u64. */
export const REPLY_BYTES = 16;

/** The acceptor's answer to a hello. */
export const HandshakeStatus = {
  /** The link is up; messages follow. Only for a dialer with the larger id. */
  Accepted: 0,
  /** The dialer has the smaller id: the acceptor dials it instead (ZooKeeper's rule). */
  DialBack: 1,
  /** The sender's id is not one of the acceptor's peers (or is the acceptor's own). */
  UnknownPeer: 2,
  /** Protocol versions differ; the reply carries the acceptor's version. */
  VersionMismatch: 3,
  /** The dialer meant another server (the acceptor's id is not the target id). */
  WrongTarget: 4,
} as const;
export type HandshakeStatus = (typeof HandshakeStatus)[keyof typeof HandshakeStatus];

export function handshakeStatusName(status: number): string {
  const name = Object.entries(HandshakeStatus).find(([, v]) => v === status)?.[0];
  return name ?? `unknown status ${status}`;
}

export interface Hello {
  readonly version: number;
  readonly sender: ServerId;
  readonly target: ServerId;
}
export interface Reply {
  readonly version: number;
  readonly status: number;
  readonly acceptor: ServerId;
}

/** Why a handshake frame could not be read. */
export type HandshakeProblem = 'bad magic' | 'truncated';

const TWO_32 = 2 ** 32;

function writeId(view: DataView, at: number, id: ServerId): void {
  view.setUint32(at, Math.floor(id / TWO_32));
  view.setUint32(at + 4, id >>> 0);
}
function readId(view: DataView, at: number): number {
  return view.getUint32(at) * TWO_32 + view.getUint32(at + 4);
}
function framed(payloadBytes: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(FRAME_LENGTH_BYTES + payloadBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, payloadBytes);
  return { bytes, view: new DataView(bytes.buffer, FRAME_LENGTH_BYTES) };
}

/** The dialer's hello, framed. */
export function encodeHello(hello: Hello): Uint8Array {
  const { bytes, view } = framed(HELLO_BYTES);
  view.setUint32(0, PEER_MAGIC);
  view.setUint16(4, hello.version);
  view.setUint16(6, 0);
  writeId(view, 8, hello.sender);
  writeId(view, 16, hello.target);
  return bytes;
}

/** The acceptor's reply, framed. */
export function encodeReply(reply: Reply): Uint8Array {
  const { bytes, view } = framed(REPLY_BYTES);
  view.setUint32(0, PEER_MAGIC);
  view.setUint16(4, reply.version);
  view.setUint16(6, reply.status);
  writeId(view, 8, reply.acceptor);
  return bytes;
}

/**
 * Reads a hello payload. Magic and version come first in every version, so a version mismatch is
 * recognised whatever follows: a hello of another version returns only its version (sender and
 * target are -1).
 */
export function decodeHello(payload: Uint8Array): Hello | HandshakeProblem {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.byteLength < 6) return 'truncated';
  if (view.getUint32(0) !== PEER_MAGIC) return 'bad magic';
  const version = view.getUint16(4);
  if (version !== PEER_PROTOCOL_VERSION) return { version, sender: -1, target: -1 };
  if (payload.byteLength < HELLO_BYTES) return 'truncated';
  return { version, sender: readId(view, 8), target: readId(view, 16) };
}

/** Reads a reply payload (same layout rule as decodeHello). */
export function decodeReply(payload: Uint8Array): Reply | HandshakeProblem {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.byteLength < 6) return 'truncated';
  if (view.getUint32(0) !== PEER_MAGIC) return 'bad magic';
  const version = view.getUint16(4);
  if (payload.byteLength < REPLY_BYTES) return version === PEER_PROTOCOL_VERSION ? 'truncated' : { version, status: HandshakeStatus.VersionMismatch, acceptor: -1 };
  return { version, status: view.getUint16(6), acceptor: readId(view, 8) };
}

/** A frame length below 0 or above the limit in force. */
export class PeerFrameError extends Error {
  constructor(
    readonly length: number,
    readonly maxFrameBytes: number,
  ) {
    super(`peer frame length ${length} is outside 0..${maxFrameBytes}`);
    this.name = 'PeerFrameError';
  }
}

/**
 * Cuts length-prefixed frames out of socket chunks, one at a time, so the limit can change between
 * two frames of one chunk (the handshake is held to PEER_HANDSHAKE_BYTES_MAX, messages to
 * maxFrameBytes). Frames are returned as their own copies: safe to keep.
 */
export class PeerFrameDecoder {
  private chunk: Uint8Array = new Uint8Array(0);
  private offset = 0;
  private readonly header = new Uint8Array(FRAME_LENGTH_BYTES);
  private headerFill = 0;
  private body: Uint8Array | null = null;
  private bodyFill = 0;

  constructor(public maxFrameBytes: number) {}

  /** Takes a chunk; call next() until it returns null before pushing the next one. */
  push(chunk: Uint8Array): void {
    this.chunk = chunk;
    this.offset = 0;
  }

  /** The next complete frame, or null when the chunk is used up. Throws PeerFrameError. */
  next(): Uint8Array | null {
    const chunk = this.chunk;
    for (;;) {
      if (this.body === null) {
        let length: number;
        if (this.headerFill === 0 && chunk.length - this.offset >= FRAME_LENGTH_BYTES) {
          length = this.checked(new DataView(chunk.buffer, chunk.byteOffset + this.offset, FRAME_LENGTH_BYTES).getInt32(0));
          this.offset += FRAME_LENGTH_BYTES;
          if (chunk.length - this.offset >= length) {
            const frame = chunk.slice(this.offset, this.offset + length);
            this.offset += length;
            return frame;
          }
        } else {
          const take = Math.min(FRAME_LENGTH_BYTES - this.headerFill, chunk.length - this.offset);
          this.header.set(chunk.subarray(this.offset, this.offset + take), this.headerFill);
          this.headerFill += take;
          this.offset += take;
          if (this.headerFill < FRAME_LENGTH_BYTES) return null;
          this.headerFill = 0;
          length = this.checked(new DataView(this.header.buffer).getInt32(0));
        }
        this.body = new Uint8Array(length);
        this.bodyFill = 0;
      }
      const take = Math.min(this.body.length - this.bodyFill, chunk.length - this.offset);
      this.body.set(chunk.subarray(this.offset, this.offset + take), this.bodyFill);
      this.bodyFill += take;
      this.offset += take;
      if (this.bodyFill < this.body.length) return null;
      const frame = this.body;
      this.body = null;
      return frame;
    }
  }

  private checked(length: number): number {
    if (length < 0 || length > this.maxFrameBytes) throw new PeerFrameError(length, this.maxFrameBytes);
    return length;
  }
}
