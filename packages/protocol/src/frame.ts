// Length-prefixed framing of the client port: a 4-byte big-endian length, then that many bytes.
import { DecodeError } from './jute.js';

/** ZooKeeper's default jute.maxbuffer: the largest frame and field it accepts (1 MiB - 1). */
export const JUTE_MAXBUFFER_DEFAULT = 0xfffff;
const LENGTH_BYTES = 4;

/** A frame length that is negative or above the limit; the connection cannot continue. */
export class FrameError extends DecodeError {
  constructor(readonly length: number, readonly maxFrameBytes: number) {
    super(`frame length ${length} is outside 0..${maxFrameBytes}`);
    this.name = 'FrameError';
  }
}

/**
 * Cuts a byte stream into frame payloads. Frames wholly inside a chunk come back as views of
 * that chunk (no copy); a frame split across chunks is gathered into one buffer sized from its
 * length, which the limit has already bounded. After a FrameError the decoder stays failed.
 */
export class FrameDecoder {
  private readonly header = new Uint8Array(LENGTH_BYTES);
  private headerFill = 0;
  private body: Uint8Array | null = null;
  private bodyFill = 0;
  private failure: FrameError | null = null;

  constructor(readonly maxFrameBytes: number = JUTE_MAXBUFFER_DEFAULT) {}

  /** Bytes held back, waiting for the rest of their frame. */
  get buffered(): number {
    return this.headerFill + this.bodyFill;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure !== null) throw this.failure;
    const frames: Uint8Array[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.body === null) {
        if (this.headerFill === 0 && chunk.length - pos >= LENGTH_BYTES) {
          const length = this.checked(readInt32BE(chunk, pos));
          pos += LENGTH_BYTES;
          if (chunk.length - pos >= length) {
            frames.push(chunk.subarray(pos, pos + length));
            pos += length;
            continue;
          }
          this.body = new Uint8Array(length);
        } else {
          const take = Math.min(LENGTH_BYTES - this.headerFill, chunk.length - pos);
          this.header.set(chunk.subarray(pos, pos + take), this.headerFill);
          this.headerFill += take;
          pos += take;
          if (this.headerFill < LENGTH_BYTES) break;
          this.headerFill = 0;
          this.body = new Uint8Array(this.checked(readInt32BE(this.header, 0)));
        }
      }
      const take = Math.min(this.body.length - this.bodyFill, chunk.length - pos);
      this.body.set(chunk.subarray(pos, pos + take), this.bodyFill);
      this.bodyFill += take;
      pos += take;
      if (this.bodyFill === this.body.length) {
        frames.push(this.body);
        this.body = null;
        this.bodyFill = 0;
      }
    }
    return frames;
  }

  private checked(length: number): number {
    if (length < 0 || length > this.maxFrameBytes) {
      this.failure = new FrameError(length, this.maxFrameBytes);
      throw this.failure;
    }
    return length;
  }
}

function readInt32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) | 0;
}
