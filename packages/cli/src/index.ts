export { runCli, COMMANDS } from './cli-run';
export { ExitCode, CliUsageError } from './cli-error';
export { parseConnectionString, describeConnection, CONNECTION_FORMS, type ConnectionSpec } from './connection-parse';
export { openConnection, type OpenConnectionOptions, type ConnectionEnv } from './connection-open';
export { redactUrl, redactText } from './url-redact';
export type { CliIO, CliStream, CommandDefinition } from './command-types';
