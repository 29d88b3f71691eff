// The zkts-harness bin: runs a command and sets the exit code.
import { runHarness } from './cli.js';

const code = await runHarness(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTty: process.stderr.isTTY === true,
});
process.exitCode = code;
