// Process entry of zkts-server: runs the CLI, stops cleanly on SIGTERM/SIGINT.
import 'reflect-metadata';
import { runServer } from './cli.js';

const result = await runServer(process.argv.slice(2));
if ('exitCode' in result) {
  process.exitCode = result.exitCode;
} else {
  const server = result.server;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${new Date().toISOString()} [INFO] received ${signal}, shutting down\n`);
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
