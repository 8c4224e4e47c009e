import { afterAll, beforeAll } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';

/** Two fresh Postgres databases of a test file, read once its `beforeAll` hooks have run. */
export interface TwoDatabases {
  readonly database: TestDatabase;
  readonly other: TestDatabase;
}

/** Registers hooks that create two test databases before the file's tests and drop them after. */
export function twoTestDatabases(): TwoDatabases {
  let held: [TestDatabase, TestDatabase] | undefined;
  beforeAll(async () => {
    held = [await createTestDatabase(), await createTestDatabase()];
  });
  afterAll(async () => {
    for (const d of held ?? []) await d.drop();
  });
  const get = (i: 0 | 1) => {
    if (!held) throw new Error('The test databases exist only once the beforeAll hooks have run.');
    return held[i];
  };
  return {
    get database() {
      return get(0);
    },
    get other() {
      return get(1);
    },
  };
}

/**
 * Drops Switchyard's own tables on a Postgres side (the outbox, the row versions). A drain
 * compares each entry with the row versions an earlier test left: with them a test's entries
 * could be stale and their rows re-read from the primary, which would hide what they hold.
 */
export async function dropOwnTables(side: DatabaseAdapter): Promise<void> {
  const own = await side.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE tablename LIKE '\\_switchyard\\_%'");
  for (const { name } of own) await side.execute(`DROP TABLE "${name}"`);
}

/**
 * Creates a test's tables from `ddl` on `adapter`. On a Postgres side, which earlier tests
 * share, `tables` (parents first) and Switchyard's own tables are dropped first.
 */
export async function recreateTables(
  adapter: DatabaseAdapter,
  tables: readonly string[],
  ddl: readonly string[],
): Promise<DatabaseAdapter> {
  if (adapter.dialect === 'postgres') {
    await adapter.execute(`DROP TABLE IF EXISTS ${[...tables].reverse().join(', ')}`);
    await dropOwnTables(adapter);
  }
  for (const sql of ddl) await adapter.execute(sql);
  return adapter;
}
