import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';

/**
 * The two databases of the move, from the environment:
 * SQLITE_PATH (today's database) and DATABASE_URL (the PostgreSQL to move to).
 */
export function openDatabases() {
  const sqlitePath = process.env.SQLITE_PATH;
  const databaseUrl = process.env.DATABASE_URL;
  if (!sqlitePath || !databaseUrl) {
    console.error(
      'Set SQLITE_PATH to the SQLite file and DATABASE_URL to the PostgreSQL, e.g.\n  SQLITE_PATH=./app.db DATABASE_URL=postgres://app@localhost/app',
    );
    process.exit(2);
  }
  return { source: createSQLiteAdapter(sqlitePath), target: createPostgresAdapter(databaseUrl) };
}
