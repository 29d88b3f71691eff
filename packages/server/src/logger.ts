// The server's log: one line per lifecycle event, ZooKeeper-like levels, a sink that tests can
// replace. Level names match zkts.logLevel.
import type { LogLevel } from './config/index.js';
export type { LogLevel };
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  readonly level: LogLevel;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  enabled(level: LogLevel): boolean;
}
export const Logger = Symbol('Logger');

export type LogSink = (line: string, level: LogLevel) => void;

export function createLogger(level: LogLevel = 'info', sink: LogSink = (line) => process.stderr.write(line + '\n'), now: () => Date = () => new Date()): Logger {
  const write = (l: LogLevel, message: string): void => {
    if (RANK[l] <= RANK[level]) sink(`${now().toISOString()} [${l.toUpperCase()}] ${message}`, l);
  };
  return {
    level,
    error: (m) => write('error', m),
    warn: (m) => write('warn', m),
    info: (m) => write('info', m),
    debug: (m) => write('debug', m),
    enabled: (l) => RANK[l] <= RANK[level],
  };
}

/** Keeps every line in memory: for tests that assert what the server said and why. */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(level, (line) => lines.push(line), () => new Date(0));
  return Object.assign(logger, { lines });
}
