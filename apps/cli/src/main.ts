// Process entry of zkts-cli (bin/zkts-cli.js imports the built file).
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  interactive: process.stdin.isTTY === true,
});
