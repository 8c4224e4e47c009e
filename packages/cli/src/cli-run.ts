import { SwitchyardError } from '@switchyard/core';
import packageJson from '../package.json';
import { CliUsageError, ExitCode } from './cli-error';
import type { CliIO, CommandDefinition } from './command-types';
import { CONNECTION_FORMS } from './connection-parse';
import { redactText } from './url-redact';
import { parseCommandArgs } from './_internal/args-parse';
import { copyCommand } from './commands/copy-command';
import { exportCommand } from './commands/export-command';
import { rehearseCommand } from './commands/rehearse-command';
import { repairCommand } from './commands/repair-command';
import { schemaCommand } from './commands/schema-command';
import { statusCommand } from './commands/status-command';
import { validateCommand } from './commands/validate-command';

/** Every command, in the order `switchyard --help` lists them. */
export const COMMANDS: readonly CommandDefinition[] = [
  copyCommand,
  validateCommand,
  schemaCommand,
  exportCommand,
  statusCommand,
  repairCommand,
  rehearseCommand,
];

// Bundled at build time, so the printed version is always the published one.
const VERSION: string = packageJson.version;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `switchyard ${VERSION} - move a live app between SQLite, Cloudflare D1 and PostgreSQL

Usage: switchyard <command> [arguments] [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Connection strings:
${CONNECTION_FORMS.map((f) => `  ${f}`).join('\n')}

Exit codes: 0 ok, 1 differences found, 2 error.
Run \`switchyard <command> --help\` for a command's flags and examples.

Examples:
  switchyard schema sqlite:./app.db postgres://app@localhost/app --apply
  switchyard copy sqlite:./app.db postgres://app@localhost/app
  switchyard validate sqlite:./app.db postgres://app@localhost/app --all
`;
}

/**
 * Runs the `switchyard` command line and returns its exit code: 0 ok, 1 differences
 * found, 2 error. Never throws: errors are printed to `io.stderr` with credentials hidden.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['validate', 'sqlite:./app.db', process.env.DATABASE_URL!, '--all']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? topic.help : mainHelp());
    return name === undefined ? ExitCode.error : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(
      `switchyard: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See \`switchyard --help\`.\n`,
    );
    return ExitCode.error;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help);
    return ExitCode.ok;
  }
  try {
    const args = parseCommandArgs(command.name, rest, command.options);
    return await command.run(args, io);
  } catch (error) {
    io.stderr.write(`switchyard ${command.name}: ${describeError(error, io)}\n`);
    return ExitCode.error;
  }
}

function describeError(error: unknown, io: CliIO): string {
  const secrets = [io.env.CLOUDFLARE_API_TOKEN ?? ''];
  if (error instanceof CliUsageError) return redactText(error.message, secrets);
  const message = error instanceof Error ? error.message : String(error);
  let text = message;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  // Switchyard errors carry their own code; the driver's (SQLSTATE, errno) is on the cause.
  const codes = [(error as { code?: string }).code, cause?.code, /SQLSTATE (\w{5})/.exec(message)?.[1]];
  if (error instanceof SwitchyardError && cause?.message && !message.includes(cause.message)) text += ` (${cause.message})`;
  if (codes.includes('ECONNREFUSED') || /ECONNREFUSED/.test(text))
    text += '\nIs the database server running, and are the host and port in the connection string right?';
  if (codes.includes('28P01') || /password authentication failed/.test(text))
    text += '\nCheck the user and password in the connection string.';
  if (codes.includes('3D000')) text += '\nCreate the database first (createdb <name>), or fix its name in the connection string.';
  return redactText(text, secrets);
}

function defaultIO(): CliIO {
  const controller = new AbortController();
  // First Ctrl-C: stop at a clean boundary (a copy keeps its checkpoint); second: exit now.
  process.once('SIGINT', () => {
    process.stderr.write('\nStopping after the current batch (Ctrl-C again to quit now)...\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
}
