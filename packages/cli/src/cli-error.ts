/**
 * Exit codes of the `switchyard` command, stable so CI and runbooks can gate on them.
 */
export const ExitCode = {
  /** Everything matched / the command did what it was asked. */
  ok: 0,
  /** Validation found differences (`validate`, `repair --dry-run`). */
  mismatch: 1,
  /** The command could not run: a bad flag, an unreachable database, an engine error. */
  error: 2,
} as const;

/**
 * A mistake in how the command was called: a flag, an argument or a connection string.
 * The message names what was wrong and how to fix it, and is printed without a stack.
 */
export class CliUsageError extends Error {
  /** The command whose `--help` shows the right usage, when there is one. */
  readonly command?: string;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'CliUsageError';
    if (command) this.command = command;
  }
}
