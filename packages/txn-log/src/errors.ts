/** Stored bytes that fail their checksum or do not decode, at a known place. */
export class CorruptionError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
    /** Size of the whole file or record, when known. */
    readonly size: number = 0,
  ) {
    super(`${file}: corrupt at offset ${offset}: ${detail}`);
    this.name = 'CorruptionError';
  }
}
