// zkts-cli's entry: one command from argv, a script from a pipe, or the interactive shell on a
// terminal (prompt, history, tab completion of commands and znode paths). Streams are passed in,
// so tests run the CLI in-process exactly as the bin runs it.
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { COMMAND_NAMES } from './commands.js';
import { parseMainArgs, UsageError } from './parse.js';
import { EXIT_INVALID_INVOCATION, EXIT_OK, Shell, type Sink } from './shell.js';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Whether stdin is a terminal: then the shell is interactive. */
  interactive: boolean;
}

/** readline keeps this many lines for the arrow keys. */
export const READLINE_HISTORY_MAX = 500;

export const HELP = `usage: zkts-cli [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [--json] [cmd args...]

  -server S     the ensemble to connect to (default ${'localhost:2181'}); a /chroot suffix roots every path
  -timeout ms   session timeout, also how long a command waits for a connection (default 30000)
  -r            accept a read-only server
  --json        one JSON object per command (and per watch event) instead of zkCli's text
  --help        this text

With a command, runs it and exits with its exit code. Without one, reads commands from stdin:
one per line from a pipe, or the interactive shell on a terminal (history, redo, Tab completion).
Commands are zkCli.sh's: ls get set create stat delete deleteall getAcl setAcl addauth sync
setquota listquota delquota history redo printwatches getEphemerals getAllChildrenNumber whoami
addWatch removewatches config connect close quit version. Unknown commands list them all.
`;

function sinkOf(io: CliIo): Sink {
  return {
    out: (t) => void io.stdout.write(t),
    err: (t) => void io.stderr.write(t),
  };
}

/** Runs zkts-cli with `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options;
  try {
    options = parseMainArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`zkts-cli: ${e.message}\n`);
    return EXIT_INVALID_INVOCATION;
  }
  if (options.help) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  const sink = sinkOf(io);
  if (options.command) {
    const shell = new Shell(sink, { ...options, banner: false });
    await shell.connect(options.server).catch((e: Error) => sink.err(`${e.message}\n`));
    await shell.processCommand(options.command);
    await shell.shutdown();
    return shell.exitCode;
  }
  if (!io.interactive) return runScript(options, io, sink);
  return runInteractive(options, io, sink);
}

type Options = ReturnType<typeof parseMainArgs>;

/** Commands from a pipe, one a line; the exit code is the last command's (as zkCli's). */
async function runScript(options: Options, io: CliIo, sink: Sink): Promise<number> {
  const shell = new Shell(sink, { ...options, banner: false });
  await shell.connect(options.server).catch((e: Error) => sink.err(`${e.message}\n`));
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  for await (const line of rl) {
    await shell.executeLine(line);
    if (shell.quitRequested) break;
  }
  rl.close();
  await shell.shutdown();
  return shell.exitCode;
}

/** Completes a command name, or the last segment of a znode path from its parent's children. */
export async function complete(shell: Shell, line: string): Promise<[string[], string]> {
  const token = line.endsWith(' ') ? '' : (line.split(' ').at(-1) ?? '');
  if (token.startsWith('/')) {
    const slash = token.lastIndexOf('/');
    const prefix = token.slice(slash + 1);
    const dir = slash === 0 ? '/' : token.slice(0, slash);
    try {
      const zk = await shell.zk(dir);
      const children = (await zk.getChildren(dir)).filter((c) => c.startsWith(prefix)).sort();
      return [children, prefix];
    } catch {
      return [[], prefix];
    }
  }
  return [COMMAND_NAMES.filter((c) => c.startsWith(token)), token];
}

async function runInteractive(options: Options, io: CliIo, sink: Sink): Promise<number> {
  let rl: Interface | undefined;
  let waiting = false;
  const shell = new Shell(sink, {
    ...options,
    banner: true,
    afterEvent: () => {
      if (waiting && rl) {
        rl.setPrompt(shell.prompt());
        rl.prompt(true);
      }
    },
  });
  io.stdout.write(`Connecting to ${options.server}\n`);
  await shell.connect(options.server).catch((e: Error) => sink.err(`${e.message}\n`));
  io.stdout.write('Welcome to ZooKeeper!\n');
  rl = createInterface({
    input: io.stdin,
    output: io.stdout,
    terminal: true,
    historySize: READLINE_HISTORY_MAX,
    completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
      complete(shell, line).then((r) => callback(null, r), () => callback(null, [[], line]));
    },
  });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  rl.on('line', (l) => {
    lines.push(l);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  for (;;) {
    rl.setPrompt(shell.prompt());
    rl.prompt();
    waiting = true;
    while (lines.length === 0 && !closed) await new Promise<void>((r) => (wake = r));
    waiting = false;
    const line = lines.shift();
    if (line === undefined) break;
    await shell.executeLine(line);
    if (shell.quitRequested) break;
  }
  rl.close();
  await shell.shutdown();
  return shell.exitCode;
}
