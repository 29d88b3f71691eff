// A TCP forwarder that records each connection a client opens through it and how many bytes the
// server answered on it, to tell "never tried" from "tried and refused" (closed without a reply).
import { createConnection, createServer, type Server } from 'node:net';

export interface ForwardedConnection {
  bytesFromServer: number;
  closed: boolean;
}

export class CountingProxy {
  readonly connections: ForwardedConnection[] = [];
  private readonly sockets = new Set<{ destroy(): void }>();
  private constructor(private readonly server: Server, readonly port: number) {}

  static start(target: { host: string; port: number }): Promise<CountingProxy> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        const proxy = new CountingProxy(server, typeof addr === 'object' && addr ? addr.port : 0);
        server.on('connection', (client) => {
          const record: ForwardedConnection = { bytesFromServer: 0, closed: false };
          proxy.connections.push(record);
          const upstream = createConnection(target);
          proxy.sockets.add(client).add(upstream);
          client.on('data', (d) => upstream.write(d));
          upstream.on('data', (d) => {
            record.bytesFromServer += d.length;
            client.write(d);
          });
          const end = (): void => {
            record.closed = true;
            proxy.sockets.delete(client);
            proxy.sockets.delete(upstream);
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end).on('close', end);
          upstream.on('error', end).on('close', end);
        });
        resolve(proxy);
      });
    });
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of [...this.sockets]) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
