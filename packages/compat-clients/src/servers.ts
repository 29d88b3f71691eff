// The two servers every compatibility test talks to: a zkts standalone server and Apache
// ZooKeeper (Debian's 3.8 jar), each on a free port on 127.0.0.1, stopped by the caller.
import { referenceZooKeeperAvailable, startReferenceZooKeeper } from '@zkts/tools';
import { defaultStandaloneConfig, memoryLogger, startStandaloneServer } from '@zkts/server';

export interface RunningServer {
  readonly connectString: string;
  stop(): Promise<void>;
}

export async function startZkts(): Promise<RunningServer> {
  const server = await startStandaloneServer(defaultStandaloneConfig({ clientPort: 0, extendedTypesEnabled: true }), {
    logger: memoryLogger(),
  });
  const address = server.listenAddress;
  if (!address) {
    await server.stop();
    throw new Error('zkts server has no listen address');
  }
  return { connectString: `${address.host}:${address.port}`, stop: () => server.stop() };
}

export async function startReference(): Promise<RunningServer> {
  const zk = await startReferenceZooKeeper({ config: { extendedTypesEnabled: true } });
  return { connectString: zk.connectString, stop: () => zk.stop() };
}

export { referenceZooKeeperAvailable };
