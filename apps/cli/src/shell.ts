// The zkCli shell: ZooKeeperMain's command loop (history, redo, printwatches, connect, close,
// quit, "Not connected", usage and exit codes) over the TypeScript client, printing what zkCli.sh
// prints. Output goes through a Sink so the same shell serves a terminal, a pipe, --json and tests.
import { ConnectionLossError, ZooKeeperClient, type ConnectionState, type WatchedEvent } from '@zkts/client';
import { COMMANDS, USAGE_LINES, type CommandContext, type CommandResult, type EventStream, type ShellApi, CliError } from './commands.js';
import { type CliEvent, cliErrorMessage, eventLines, javaEventType } from './format.js';
import { javaIntegerDecode, splitLine } from './parse.js';

/** Where the shell writes. `out`/`err` take text that already ends with its newlines. */
export interface Sink {
  out(text: string): void;
  err(text: string): void;
}

export interface ShellOptions {
  server: string;
  timeoutMs: number;
  readOnly: boolean;
  json: boolean;
  /** Print zkCli's start banner and the first connection event (interactive use). */
  banner: boolean;
  /** Called after an event was printed (the interactive shell redraws its prompt). */
  afterEvent?: () => void;
}

/** ZooKeeper's ExitCode / CliException codes. */
export const EXIT_OK = 0;
export const EXIT_COMMAND_FAILED = 1;
export const EXIT_INVALID_INVOCATION = 2;
export const EXIT_COMMAND_NOT_FOUND = 127;
/** history prints the last this-many commands plus the current one. */
export const HISTORY_SHOWN = 10;

type TrackedKind = 'data' | 'exist' | 'child' | 'persistent';

/** ZooKeeper.States names for the prompt. */
const PROMPT_STATES: Record<ConnectionState, string> = {
  connecting: 'CONNECTING',
  connected: 'CONNECTED',
  reconnected: 'CONNECTED',
  disconnected: 'CONNECTING',
  readOnly: 'CONNECTEDREADONLY',
  expired: 'CLOSED',
  authFailed: 'AUTH_FAILED',
  closed: 'CLOSED',
};

export class Shell implements ShellApi {
  private client: ZooKeeperClient | undefined;
  private host = '';
  private readonly history = new Map<number, string>();
  private commandCount = 0;
  private printWatches = true;
  /** The exit code of the last command (ZooKeeperMain.exitCode). */
  exitCode = EXIT_OK;
  /** Set by quit: the caller ends the loop and exits with `exitCode`. */
  quitRequested = false;
  private bannerPending: boolean;
  private silenced = false;
  private readonly seenEvents = new WeakSet<object>();

  constructor(private readonly sink: Sink, private readonly options: ShellOptions) {
    this.bannerPending = !options.banner;
  }

  // ---- connection -----------------------------------------------------------------------------

  /** ZooKeeperMain.connectToZK: closes a live session, starts a new one (no wait). */
  async connect(host: string): Promise<void> {
    if (this.client && this.isAlive()) await this.client.close();
    this.host = host;
    let client: ZooKeeperClient;
    try {
      client = new ZooKeeperClient(host, { sessionTimeoutMs: this.options.timeoutMs, canBeReadOnly: this.options.readOnly });
    } catch (e) {
      this.client = undefined;
      throw new CliError(`${(e as Error).message}`, EXIT_COMMAND_FAILED);
    }
    const first = this.client === undefined;
    this.client = client;
    client.events$.subscribe(({ state }) => {
      if (state === 'SyncConnected' && this.bannerPending && first) {
        // the connection banner of a non-interactive run is not printed (see README)
        this.bannerPending = false;
        return;
      }
      this.emitEvent({ state, type: 'None', path: null });
    });
  }

  /** Ends the session at exit without printing its Closed event (zkCli exits without closing). */
  async shutdown(): Promise<void> {
    this.silenced = true;
    await this.close();
  }

  async close(): Promise<void> {
    const c = this.client;
    if (c && this.isAlive()) await c.close();
  }

  isAlive(): boolean {
    const s = this.client?.state;
    return s !== undefined && s !== 'closed' && s !== 'expired' && s !== 'authFailed';
  }

  prompt(): string {
    const state = this.client ? PROMPT_STATES[this.client.state] : 'CLOSED';
    return `[zk: ${this.host}(${state}) ${this.commandCount}] `;
  }

  /** The connected client; waits up to the timeout for a connection, else ConnectionLoss. */
  async zk(path?: string): Promise<ZooKeeperClient> {
    const c = this.client!;
    if (c.state === 'connecting' || c.state === 'disconnected') {
      try {
        await c.waitConnected(this.options.timeoutMs);
      } catch {
        throw new ConnectionLossError(path);
      }
    }
    return c;
  }

  get currentHost(): string {
    return this.host;
  }

  // ---- events ---------------------------------------------------------------------------------

  private emitEvent(e: CliEvent): void {
    if (!this.printWatches || this.silenced) return;
    if (this.options.json) this.sink.out(`${JSON.stringify({ event: e })}\n`);
    else this.sink.out(`${eventLines(e).join('\n')}\n`);
    this.options.afterEvent?.();
  }

  private onWatchEvent(e: WatchedEvent): void {
    // one dispatch reaching several of our watches prints once, as in Java (the client hands every
    // stream the same event object; removeWatches' *WatchRemoved events included)
    if (this.seenEvents.has(e)) return;
    this.seenEvents.add(e);
    this.emitEvent({ state: 'SyncConnected', type: javaEventType(e.type), path: e.path });
  }

  /** Prints the events of a watch this shell left (one-shot or persistent), removal events included. */
  watch(_kind: TrackedKind, _path: string, events: EventStream): void {
    events.subscribe({ next: (e) => this.onWatchEvent(e), error: () => undefined });
  }

  // ---- the command loop -----------------------------------------------------------------------

  /** ZooKeeperMain.executeLine: one line of a script or of the interactive shell. */
  async executeLine(line: string): Promise<void> {
    const words = splitLine(line);
    // only an empty line has no words (zkCli skips it too; a line of spaces is the unknown command " ")
    if (words.length === 0) return;
    this.history.set(this.commandCount, line);
    await this.processCommand(words);
    this.commandCount++;
  }

  /** ZooKeeperMain.processCmd: runs one command and records its exit code. */
  async processCommand(words: string[]): Promise<void> {
    const ctx = new Context(this.sink, this.options.json, words);
    try {
      await this.processZkCommand(words, ctx);
      if (!ctx.keepExitCode) this.exitCode = EXIT_OK; // quit exits with the previous command's code
    } catch (e) {
      const code = e instanceof CliError ? e.exitCode : EXIT_COMMAND_FAILED;
      this.exitCode = code;
      ctx.fail(e, code);
    }
    ctx.finish(this.exitCode);
  }

  private async processZkCommand(words: string[], ctx: Context): Promise<void> {
    const cmd = words[0]!;
    if (!USAGE_LINES.has(cmd)) {
      this.usage(ctx);
      throw new CliError(`Command not found: Command not found ${cmd}`, EXIT_COMMAND_NOT_FOUND);
    }
    if (cmd === 'quit') {
      await this.shutdown();
      this.quitRequested = true;
      ctx.keepExitCode = true;
      return;
    } else if (cmd === 'redo' && words.length >= 2) {
      const i = javaIntegerDecode(words[1]!);
      if (i === undefined) throw new CliError(`For input string: "${words[1]}"`, EXIT_COMMAND_FAILED);
      if (this.commandCount <= i || i < 0) throw new CliError('Command index out of range', EXIT_COMMAND_FAILED);
      const again = splitLine(this.history.get(i) ?? '');
      if (again[0] === 'redo') throw new CliError('No redoing redos', EXIT_COMMAND_FAILED);
      this.history.set(this.commandCount, this.history.get(i)!);
      ctx.suspend();
      await this.processCommand(again);
      ctx.resume();
    } else if (cmd === 'history') {
      const entries: { index: number; command: string | null }[] = [];
      for (let i = this.commandCount - HISTORY_SHOWN; i <= this.commandCount; ++i) {
        if (i < 0) continue;
        const command = this.history.get(i) ?? null;
        entries.push({ index: i, command });
        ctx.out(`${i} - ${command}`);
      }
      ctx.result = { history: entries };
    } else if (cmd === 'printwatches') {
      if (words.length === 1) ctx.out(`printwatches is ${this.printWatches ? 'on' : 'off'}`);
      else this.printWatches = words[1] === 'on';
      ctx.result = { printWatches: this.printWatches };
    } else if (cmd === 'connect') {
      await this.connect(words.length >= 2 ? words[1]! : this.host);
    }
    // every command below needs a live session (and history, printwatches, connect pass by here too)
    if (!this.client || !this.isAlive()) {
      ctx.out('Not connected');
      ctx.result = { connected: false };
      return;
    }
    const command = COMMANDS.get(cmd);
    if (command) await command.run(ctx, words, this);
  }

  private usage(ctx: CommandContext): void {
    ctx.err('ZooKeeper -server host:port -client-configuration properties-file cmd args');
    for (const [name, options] of [...USAGE_LINES].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      ctx.err(`\t${name} ${options}`);
    }
  }

  setPrintWatches(on: boolean): void {
    this.printWatches = on;
  }
}

/**
 * One command's output: printed at once as text, or gathered into one JSON line with --json
 * ({command, args, exitCode, result?, error?, stdout, stderr}).
 */
class Context implements CommandContext {
  result: CommandResult | undefined;
  keepExitCode = false;
  private readonly stdout: string[] = [];
  private readonly stderr: string[] = [];
  private partial = '';
  private error: Record<string, unknown> | undefined;
  private suspended = false;

  constructor(private readonly sink: Sink, private readonly json: boolean, private readonly words: string[]) {}

  out(line: string): void {
    this.write(`${line}\n`);
  }
  /** Text without a newline (setAcl -R prints errors so). */
  write(text: string): void {
    if (!this.json) {
      this.sink.out(text);
      return;
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    this.stdout.push(...lines);
  }
  err(line: string): void {
    if (this.json) this.stderr.push(line);
    else this.sink.err(`${line}\n`);
  }
  fail(e: unknown, exitCode: number): void {
    const message = e instanceof CliError ? e.message : cliErrorMessage(e);
    this.err(message);
    const code = (e as { code?: unknown }).code;
    const codeName = (e as { codeName?: unknown }).codeName;
    this.error = { message, ...(typeof code === 'number' ? { code, codeName } : {}), exitCode };
  }
  /** redo runs the command again with its own context; this one prints nothing of its own. */
  suspend(): void {
    this.suspended = true;
  }
  resume(): void {
    /* the redone command printed its own JSON line */
  }
  finish(exitCode: number): void {
    if (!this.json || this.suspended) return;
    if (this.partial !== '') this.stdout.push(this.partial);
    const line = {
      command: this.words[0],
      args: this.words.slice(1),
      exitCode,
      ...(this.result !== undefined ? { result: this.result } : {}),
      ...(this.error ? { error: this.error } : {}),
      stdout: this.stdout,
      stderr: this.stderr,
    };
    this.sink.out(`${JSON.stringify(line)}\n`);
  }
}
