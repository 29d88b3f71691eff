// How the tools talk: text to out (the dump or report) and err (problems), and their exit codes.
export interface ToolIo {
  out(text: string): void;
  err(text: string): void;
}

/** Everything checked is intact. */
export const EXIT_CLEAN = 0;
/** Something is damaged (named with file and offset on stderr). */
export const EXIT_DAMAGED = 1;
/** Bad arguments (the message names the argument). */
export const EXIT_USAGE = 2;
/** The storage could not be read at all (permissions, a database locked by a running server, ...). */
export const EXIT_UNREADABLE = 3;
