/**
 * A configuration problem: which key, on which line, and what was expected. The server turns it
 * into a startup failure (DESIGN.md: "a bad key or value is a clear startup error naming the key").
 */
export class ConfigError extends Error {
  /** The zoo.cfg key at fault, or undefined for a file-level problem (syntax, unreadable file). */
  readonly key: string | undefined;
  /** 1-based line of the entry (first physical line of a continued entry); undefined if none. */
  readonly line: number | undefined;
  readonly fileName: string;

  constructor(options: { fileName: string; key?: string; line?: number; message: string }) {
    const where = options.line === undefined ? options.fileName : `${options.fileName}:${options.line}`;
    super(`${where}: ${options.message}`);
    this.name = 'ConfigError';
    this.key = options.key;
    this.line = options.line;
    this.fileName = options.fileName;
  }
}
