// The client port over node:net: accepts, enforces connection limits, tracks connections.
import { createServer, type Server, type Socket } from 'node:net';
import { Subject, type Observable } from 'rxjs';
import type { ClientConnection, ClientHandler, ClientListener, ListenAddress } from '@zkts/transport';
import { TcpClientConnection, type ConnectionCounters } from './connection.js';
import {
  resolveTcpClientListenerOptions,
  type ResolvedTcpClientListenerOptions,
  type TcpClientListenerOptions,
} from './options.js';

/** Counters since listen(), for metrics and tests. */
export interface TcpClientListenerStats {
  readonly accepted: number;
  /** Reset at once because their IP already held maxClientCnxns connections. */
  readonly rejectedPerIp: number;
  /** Reset at once because maxConnections were open. */
  readonly rejectedOverall: number;
  readonly protocolErrors: number;
  /** Times a connection stopped being read because its unsent output passed maxOutboundBytes. */
  readonly backpressurePauses: number;
  readonly open: number;
  /** Distinct remote IPs with an open connection. */
  readonly openIps: number;
}

export class TcpClientListener implements ClientListener {
  readonly options: ResolvedTcpClientListenerOptions;
  private server: Server | null = null;
  private handler: ClientHandler | null = null;
  private readonly connections = new Map<number, TcpClientConnection>();
  private readonly perIp = new Map<string, number>();
  private readonly connectionsSubject = new Subject<ClientConnection>();
  private readonly counters: ConnectionCounters = { protocolErrors: 0, backpressurePauses: 0 };
  private accepted = 0;
  private rejectedPerIp = 0;
  private rejectedOverall = 0;
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private onAllGone: (() => void) | null = null;

  readonly connections$: Observable<ClientConnection> = this.connectionsSubject.asObservable();

  constructor(options: TcpClientListenerOptions) {
    this.options = resolveTcpClientListenerOptions(options);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  stats(): TcpClientListenerStats {
    return {
      accepted: this.accepted,
      rejectedPerIp: this.rejectedPerIp,
      rejectedOverall: this.rejectedOverall,
      protocolErrors: this.counters.protocolErrors,
      backpressurePauses: this.counters.backpressurePauses,
      open: this.connections.size,
      openIps: this.perIp.size,
    };
  }

  /** The connection with this id, while it is open. */
  connection(id: number): TcpClientConnection | undefined {
    return this.connections.get(id);
  }

  listen(handler: ClientHandler): Promise<ListenAddress> {
    if (this.server !== null || this.closing !== null) {
      return Promise.reject(new Error('TcpClientListener.listen: already listening or closed'));
    }
    this.handler = handler;
    // allowHalfOpen: a client that half-closes after a four-letter word still gets its answer.
    const server = createServer({ allowHalfOpen: true, noDelay: true, keepAlive: true }, (s) => this.accept(s));
    this.server = server;
    const { host, port, backlog } = this.options;
    return new Promise<ListenAddress>((resolve, reject) => {
      const onError = (err: Error) => {
        this.server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen({ host, port, ...(backlog === undefined ? {} : { backlog }) }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.options.logger('warn', 'client port error', { error: err }));
        const address = server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error(`unexpected server address ${String(address)}`));
          return;
        }
        this.options.logger('info', 'client port listening', { host: address.address, port: address.port });
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      // Resolved by forget() when the last connection's onClose has run (net.Server#close calls
      // back a little earlier: before the sockets' 'close' events).
      const allGone = new Promise<void>((resolve) => (this.onAllGone = resolve));
      for (const conn of [...this.connections.values()]) conn.close('server shutting down');
      this.connectionsSubject.complete();
      if (this.connections.size === 0) this.onAllGone?.();
      if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
      await allGone;
    })();
    return this.closing;
  }

  private accept(socket: Socket): void {
    const ip = socket.remoteAddress;
    const { maxClientCnxns, maxConnections, logger } = this.options;
    if (ip === undefined || this.closing !== null) {
      socket.destroy(); // already gone, or we are shutting down
      return;
    }
    const fromIp = this.perIp.get(ip) ?? 0;
    if (maxClientCnxns > 0 && fromIp >= maxClientCnxns) {
      this.rejectedPerIp++;
      logger('warn', `Too many connections from ${ip} - max is ${maxClientCnxns}`, { ip, maxClientCnxns });
      reject(socket);
      return;
    }
    if (maxConnections > 0 && this.connections.size >= maxConnections) {
      this.rejectedOverall++;
      logger('warn', `Too many connections - max is ${maxConnections}`, { ip, maxConnections });
      reject(socket);
      return;
    }
    this.accepted++;
    this.perIp.set(ip, fromIp + 1);
    const conn = new TcpClientConnection(this.nextId++, socket, this.handler!, this.options, this.counters, (c) =>
      this.forget(c, ip),
    );
    this.connections.set(conn.id, conn);
    logger('debug', 'client connected', { id: conn.id, ip, port: conn.remotePort });
    try {
      this.handler!.onConnection(conn);
    } catch (err) {
      logger('warn', 'client handler onConnection threw; closing the connection', { id: conn.id, error: err });
      conn.close('handler error in onConnection');
      return;
    }
    if (!conn.closed) this.connectionsSubject.next(conn);
  }

  private forget(conn: TcpClientConnection, ip: string): void {
    if (!this.connections.delete(conn.id)) return;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(ip, n);
    else this.perIp.delete(ip);
    if (this.connections.size === 0) this.onAllGone?.();
  }
}

/** ZooKeeper's fastCloseSock: no lingering, the client sees a reset right away. */
function reject(socket: Socket): void {
  socket.on('error', () => {}); // the reset may race with a write from the client
  socket.resetAndDestroy();
}
