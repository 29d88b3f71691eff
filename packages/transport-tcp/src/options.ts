// Options of the TCP client listener, their defaults and their checks (all limits live here).
import { JUTE_MAXBUFFER_DEFAULT } from '@zkts/protocol';
import { silentTransportLogger, type TransportLogger } from '@zkts/transport';

/** ZooKeeper's default maxClientCnxns: connections one IP address may hold open. */
export const MAX_CLIENT_CNXNS_DEFAULT = 60;
/** Default overall connection limit (0 = unlimited, ZooKeeper's maxCnxns default). */
export const MAX_CONNECTIONS_DEFAULT = 0;
/** Default unsent output per connection above which its input stops being read. */
export const MAX_OUTBOUND_BYTES_DEFAULT = 4 * 1024 * 1024;
/** Default time a closing connection may take to flush before it is destroyed. */
export const CLOSE_LINGER_MS_DEFAULT = 5_000;
/** The largest frame anyone may configure: jute lengths are int32. */
export const MAX_FRAME_BYTES_MAX = 0x7fffffff;

export interface TcpClientListenerOptions {
  /** Address to bind (ZooKeeper's clientPortAddress). Default 127.0.0.1; '0.0.0.0' or '::' for all. */
  readonly host?: string | undefined;
  /** Port to bind (ZooKeeper's clientPort); 0 picks a free one, see listen()'s result. */
  readonly port: number;
  /** Largest frame payload accepted (jute.maxbuffer). Default JUTE_MAXBUFFER_DEFAULT. */
  readonly maxFrameBytes?: number | undefined;
  /** Connections per remote IP (maxClientCnxns); 0 = unlimited. The extra one is reset at once. */
  readonly maxClientCnxns?: number | undefined;
  /** Connections overall (maxCnxns); 0 = unlimited. The extra one is reset at once. */
  readonly maxConnections?: number | undefined;
  /** Unsent output per connection above which reading it pauses, until its output drains. */
  readonly maxOutboundBytes?: number | undefined;
  /** How long close() waits for pending output to flush before destroying the socket. */
  readonly closeLingerMs?: number | undefined;
  /** Listen backlog; default is node's. */
  readonly backlog?: number | undefined;
  readonly logger?: TransportLogger | undefined;
}

export interface ResolvedTcpClientListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxFrameBytes: number;
  readonly maxClientCnxns: number;
  readonly maxConnections: number;
  readonly maxOutboundBytes: number;
  readonly closeLingerMs: number;
  readonly backlog: number | undefined;
  readonly logger: TransportLogger;
}

/** Fills defaults and rejects values that cannot work, naming the option. */
export function resolveTcpClientListenerOptions(o: TcpClientListenerOptions): ResolvedTcpClientListenerOptions {
  const r: ResolvedTcpClientListenerOptions = {
    host: o.host ?? '127.0.0.1',
    port: o.port,
    maxFrameBytes: o.maxFrameBytes ?? JUTE_MAXBUFFER_DEFAULT,
    maxClientCnxns: o.maxClientCnxns ?? MAX_CLIENT_CNXNS_DEFAULT,
    maxConnections: o.maxConnections ?? MAX_CONNECTIONS_DEFAULT,
    maxOutboundBytes: o.maxOutboundBytes ?? MAX_OUTBOUND_BYTES_DEFAULT,
    closeLingerMs: o.closeLingerMs ?? CLOSE_LINGER_MS_DEFAULT,
    backlog: o.backlog,
    logger: o.logger ?? silentTransportLogger,
  };
  integer('port', r.port, 0, 65535);
  integer('maxFrameBytes', r.maxFrameBytes, 0, MAX_FRAME_BYTES_MAX);
  integer('maxClientCnxns', r.maxClientCnxns, 0, Number.MAX_SAFE_INTEGER);
  integer('maxConnections', r.maxConnections, 0, Number.MAX_SAFE_INTEGER);
  integer('maxOutboundBytes', r.maxOutboundBytes, 1, Number.MAX_SAFE_INTEGER);
  integer('closeLingerMs', r.closeLingerMs, 0, 2 ** 31 - 1);
  if (r.backlog !== undefined) integer('backlog', r.backlog, 1, 2 ** 31 - 1);
  if (r.host.length === 0) throw new RangeError('transport-tcp option host: must not be empty');
  return r;
}

function integer(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`transport-tcp option ${name}: ${value} is not an integer in ${min}..${max}`);
  }
}
