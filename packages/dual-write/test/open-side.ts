import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import type { TwoDatabases } from './two-databases';

/** A side of a test pair: in-memory SQLite, or one of the file's two Postgres databases (`a` the first); added to `opened`. */
export function openSide(dbs: TwoDatabases, kind: 'sqlite' | 'postgres', which: 'a' | 'b', opened: DatabaseAdapter[]): DatabaseAdapter {
  const adapter =
    kind === 'sqlite'
      ? createSQLiteAdapter(':memory:', { name: `sqlite-${which}` })
      : createPostgresAdapter(which === 'a' ? dbs.database.url : dbs.other.url, { name: `pg-${which}`, max: 4 });
  opened.push(adapter);
  return adapter;
}
