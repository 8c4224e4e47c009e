import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type FaultProxy } from '@switchyard/testkit';
import { create } from './cascade-workload';
import { proxiedPostgres } from './chaos-run';

/** Something a test closes after it, last opened first. */
export interface Opened {
  close(): Promise<unknown>;
}

/**
 * The foreign key workload's tables on a primary (SQLite in memory, or Postgres) with its
 * foreign keys, and on a Postgres secondary behind a fault proxy, with them or without.
 * What it opens is pushed on `open`.
 */
export async function faultedCascadeSides(
  from: 'sqlite' | 'postgres',
  secondaryForeignKeys: boolean,
  open: Opened[],
): Promise<{ primary: DatabaseAdapter; secondary: DatabaseAdapter; proxy: FaultProxy }> {
  const db = await createTestDatabase();
  open.push({ close: () => db.drop() });
  const { adapter: secondary, proxy } = await proxiedPostgres(db.url, 'pg-b');
  open.push(proxy, secondary);
  let primary: DatabaseAdapter;
  if (from === 'sqlite') primary = createSQLiteAdapter(':memory:', { name: 'sqlite-a' });
  else {
    const other = await createTestDatabase();
    open.push({ close: () => other.drop() });
    primary = createPostgresAdapter(other.url, { name: 'pg-a', max: 4 });
  }
  open.push(primary);
  return { primary: await create(primary, true), secondary: await create(secondary, secondaryForeignKeys), proxy };
}
