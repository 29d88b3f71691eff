// The CLI as a library, for tests and embedding: runCli runs zkts-cli on given streams.
export { runCli, complete, HELP, READLINE_HISTORY_MAX, type CliIo } from './cli.js';
export { Shell, EXIT_OK, EXIT_COMMAND_FAILED, EXIT_INVALID_INVOCATION, EXIT_COMMAND_NOT_FOUND, type Sink, type ShellOptions } from './shell.js';
export { COMMANDS, COMMAND_NAMES, USAGE_LINES, CliError, parseAcl, clientConfigString, ZKTS_CLI_VERSION } from './commands.js';
export * from './format.js';
export * from './parse.js';
