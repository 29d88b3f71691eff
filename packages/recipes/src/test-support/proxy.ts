// Copied from packages/client/src/test-support (test helpers are not exported across packages).
// A TCP proxy in front of a server that a test can turn into a black hole (bytes stop flowing
// both ways, sockets stay open) and back, to make a client time out and its session expire.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  live: boolean;
}

export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private blackholed = false;
  private constructor(private readonly server: Server, readonly port: number, private readonly target: { host: string; port: number }) {}

  static start(target: { host: string; port: number }): Promise<TcpProxy> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        const proxy = new TcpProxy(server, typeof addr === 'object' && addr ? addr.port : 0, target);
        server.on('connection', (c) => proxy.accept(c));
        resolve(proxy);
      });
    });
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  private accept(client: Socket): void {
    const upstream = createConnection(this.target);
    const pair: Pair = { client, upstream, live: !this.blackholed };
    this.pairs.add(pair);
    client.on('data', (d) => { if (pair.live) upstream.write(d); });
    upstream.on('data', (d) => { if (pair.live) client.write(d); });
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  /** Every connection, current and new, stops passing bytes (nothing is closed). */
  blackhole(): void {
    this.blackholed = true;
    for (const p of this.pairs) p.live = false;
  }

  /** Drops the black-holed connections; new ones pass bytes again. */
  restore(): void {
    this.blackholed = false;
    for (const p of [...this.pairs]) if (!p.live) { p.client.destroy(); p.upstream.destroy(); }
  }

  /** Closes every current connection (the client sees its socket close). */
  dropConnections(): void {
    for (const p of [...this.pairs]) { p.client.destroy(); p.upstream.destroy(); }
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
