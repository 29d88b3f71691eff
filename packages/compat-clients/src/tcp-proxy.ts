// A TCP proxy on 127.0.0.1 in front of a server, so a test can drop a client's connection the
// way a network does (both ends see the socket close) and refuse reconnects for a while.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly connectString: string;
  /** Connections accepted so far (each a client connect attempt that reached the server). */
  readonly forwarded: number;
  /** Destroys every open client<->server pair. */
  dropConnections(): void;
  /** While refusing, a new connection is closed at once instead of forwarded. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  let forwarded = 0;
  const server: Server = createServer((inbound) => {
    if (refusing) {
      inbound.destroy();
      return;
    }
    forwarded++;
    const outbound = createConnection({ host: targetHost, port: targetPort });
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
  const dropConnections = (): void => {
    for (const [a, b] of [...pairs]) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    connectString: `127.0.0.1:${address.port}`,
    get forwarded() {
      return forwarded;
    },
    dropConnections,
    refuse(on) {
      refusing = on;
    },
    close() {
      dropConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
