// The logging hook of transports: a plain function, so any logger (or a test array) can sit behind it.

export type TransportLogLevel = 'debug' | 'info' | 'warn';

/** Receives what a transport has to say: a level, a message and structured fields. */
export type TransportLogger = (level: TransportLogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** Drops everything: the default when no logger is given. */
export const silentTransportLogger: TransportLogger = () => {};
