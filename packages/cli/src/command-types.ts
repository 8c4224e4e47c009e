import type { OptionSpecs, ParsedArgs } from './_internal/args-parse';

/** A writable stream as the CLI uses it: stdout or stderr, or a test's stand-in. */
export interface CliStream {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Where a command reads its environment and writes its output. */
export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C: long commands stop at a clean boundary. */
  signal?: AbortSignal;
}

/** One `switchyard <command>`. */
export interface CommandDefinition {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text: usage, flags, examples. */
  help: string;
  options: OptionSpecs;
  /** Runs the command and returns its exit code. */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
