// The storage tools behind zkts-server's subcommands: log-dump, snapshot-dump, verify.
import { UsageError } from './args.js';
import { EXIT_UNREADABLE, EXIT_USAGE, type ToolIo } from './io.js';
import { LOG_DUMP_USAGE, SNAPSHOT_DUMP_USAGE, VERIFY_USAGE } from './usage.js';

export { EXIT_CLEAN, EXIT_DAMAGED, EXIT_UNREADABLE, EXIT_USAGE, type ToolIo } from './io.js';

type Tool = (argv: readonly string[], io: ToolIo) => Promise<number>;

// Each tool's code is imported when it runs, so starting the server loads none of it.
export const TOOLS: Readonly<Record<string, { readonly run: Tool; readonly usage: string }>> = {
  'log-dump': { run: async (argv, io) => (await import('./log-dump.js')).logDump(argv, io), usage: LOG_DUMP_USAGE },
  'snapshot-dump': { run: async (argv, io) => (await import('./snapshot-dump.js')).snapshotDump(argv, io), usage: SNAPSHOT_DUMP_USAGE },
  verify: { run: async (argv, io) => (await import('./verify.js')).verify(argv, io), usage: VERIFY_USAGE },
};

export const isTool = (name: string | undefined): boolean => name !== undefined && Object.hasOwn(TOOLS, name);

/** Runs one tool; a UsageError becomes exit 2 with its message (naming the argument) and usage. */
export async function runTool(name: string, argv: readonly string[], io: ToolIo): Promise<number> {
  const tool = TOOLS[name]!;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`usage: ${tool.usage}\n`);
    return 0;
  }
  try {
    return await tool.run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`zkts-server ${e.message}\nusage: ${tool.usage}\n`);
      return EXIT_USAGE;
    }
    // Anything else is the storage refusing to be read (a lock held by a running server, EACCES).
    io.err(`zkts-server ${name}: cannot read: ${(e as Error).message}\n`);
    return EXIT_UNREADABLE;
  }
}
