// Jute, ZooKeeper's binary record encoding: big-endian ints and longs, 1-byte booleans, and
// length-prefixed buffers, UTF-8 strings and vectors where a length of -1 means null.

/** The only error a decoder throws: the bytes do not hold the record that was asked for. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** A record's encoder and decoder, paired. */
export interface Codec<T> {
  encode(w: JuteWriter, v: T): void;
  decode(r: JuteReader): T;
}

const INITIAL_WRITER_BYTES = 256;
const FRAME_HEADER_BYTES = 4;
const TWO_POW_32 = 0x1_0000_0000;
/** UTF-16 code units never take more than 3 UTF-8 bytes each (a surrogate pair takes 4 for 2). */
const UTF8_BYTES_PER_UNIT_MAX = 3;
const NULL_LENGTH = -1;

/**
 * A growable output buffer. Fields are written in place; the only allocations are growth.
 * `toBuffer()` returns a view of the bytes written so far; after it, `reset()` starts a fresh
 * backing store so the view handed out is never overwritten.
 */
export class JuteWriter {
  private buf: Buffer;
  private pos = 0;
  private handedOut = false;
  private readonly frameStarts: number[] = [];

  constructor(initialBytes: number = INITIAL_WRITER_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  get length(): number {
    return this.pos;
  }

  /** Empties the writer for reuse. */
  reset(): void {
    if (this.handedOut) {
      this.buf = Buffer.allocUnsafe(this.buf.length);
      this.handedOut = false;
    }
    this.pos = 0;
    this.frameStarts.length = 0;
  }

  /** The bytes written so far, as a view (no copy). */
  toBuffer(): Buffer {
    if (this.frameStarts.length > 0) throw new Error('JuteWriter.toBuffer: a frame is still open');
    this.handedOut = true;
    return this.buf.subarray(0, this.pos);
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.handedOut = false;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  int(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** A 64-bit signed long; a number must be a safe integer, a bigint is taken modulo 2^64. */
  long(v: number | bigint): void {
    this.ensure(8);
    if (typeof v === 'bigint') {
      this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos);
    } else {
      if (!Number.isSafeInteger(v)) throw new RangeError(`JuteWriter.long: ${v} is not a safe integer`);
      const high = Math.floor(v / TWO_POW_32);
      this.buf.writeInt32BE(high, this.pos);
      this.buf.writeUInt32BE(v - high * TWO_POW_32, this.pos + 4);
    }
    this.pos += 8;
  }

  buffer(v: Uint8Array | null): void {
    if (v === null) return this.int(NULL_LENGTH);
    this.ensure(4 + v.length);
    this.buf.writeInt32BE(v.length, this.pos);
    this.buf.set(v, this.pos + 4);
    this.pos += 4 + v.length;
  }

  string(v: string | null): void {
    if (v === null) return this.int(NULL_LENGTH);
    // Reserve the worst case, encode once, then patch the real length in.
    this.ensure(4 + v.length * UTF8_BYTES_PER_UNIT_MAX);
    const written = this.buf.write(v, this.pos + 4, 'utf8');
    this.buf.writeInt32BE(written, this.pos);
    this.pos += 4 + written;
  }

  /** Writes a vector: its count (or -1 for null), then each item. */
  vector<T>(items: readonly T[] | null, item: (w: JuteWriter, v: T) => void): void {
    if (items === null) return this.int(NULL_LENGTH);
    this.int(items.length);
    for (let i = 0; i < items.length; i++) item(this, items[i] as T);
  }

  /** Reserves a 4-byte length prefix; `endFrame` fills it with the bytes written since. */
  beginFrame(): void {
    this.ensure(FRAME_HEADER_BYTES);
    this.frameStarts.push(this.pos);
    this.pos += FRAME_HEADER_BYTES;
  }

  endFrame(): void {
    const start = this.frameStarts.pop();
    if (start === undefined) throw new Error('JuteWriter.endFrame without beginFrame');
    this.buf.writeInt32BE(this.pos - start - FRAME_HEADER_BYTES, start);
  }
}

/**
 * Reads jute fields from a byte range. Every length is checked against the bytes that remain
 * before anything is allocated, so hostile input costs nothing but a DecodeError.
 * Buffers come back as views into the input, not copies.
 */
export class JuteReader {
  private readonly buf: Buffer;
  private pos: number;
  private readonly end: number;

  constructor(buf: Uint8Array, offset = 0, end: number = buf.length) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new DecodeError(`JuteReader: range ${offset}..${end} outside 0..${buf.length}`);
    }
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = offset;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  /** Moves past `bytes` bytes (a field already read some other way). */
  skip(bytes: number): void {
    this.need(bytes, 'skipped bytes');
    this.pos += bytes;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(bytes: number, what: string): void {
    if (this.end - this.pos < bytes) {
      throw new DecodeError(`${what} needs ${bytes} bytes at offset ${this.pos}, ${this.end - this.pos} remain`);
    }
  }

  byte(): number {
    this.need(1, 'byte');
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    this.need(1, 'boolean');
    return this.buf[this.pos++] !== 0;
  }

  int(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A long as a number; a value outside the safe-integer range is a DecodeError. */
  long(): number {
    this.need(8, 'long');
    const v = this.buf.readInt32BE(this.pos) * TWO_POW_32 + this.buf.readUInt32BE(this.pos + 4);
    if (!Number.isSafeInteger(v)) {
      throw new DecodeError(`long at offset ${this.pos} is beyond 2^53; read it with longBig()`);
    }
    this.pos += 8;
    return v;
  }

  longBig(): bigint {
    this.need(8, 'long');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix: -1 is null, other negatives and lengths past the end are errors. */
  private length(what: string, minItemBytes: number): number {
    const at = this.pos;
    const n = this.int();
    if (n === NULL_LENGTH) return n;
    if (n < 0) throw new DecodeError(`${what} at offset ${at} has negative length ${n}`);
    if (n * minItemBytes > this.end - this.pos) {
      throw new DecodeError(`${what} at offset ${at} claims ${n} items, only ${this.end - this.pos} bytes remain`);
    }
    return n;
  }

  buffer(): Uint8Array | null {
    const n = this.length('buffer', 1);
    if (n === NULL_LENGTH) return null;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): string | null {
    const n = this.length('string', 1);
    if (n === NULL_LENGTH) return null;
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Reads a vector; every jute item takes at least one byte, so a count past the end is refused. */
  vector<T>(item: (r: JuteReader) => T): T[] | null {
    const n = this.length('vector', 1);
    if (n === NULL_LENGTH) return null;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }
}
