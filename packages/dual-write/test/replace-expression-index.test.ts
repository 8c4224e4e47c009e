import { expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { cleanupAfterEach, openEmbeddedPrimary, primaryAndFreshPostgres } from './open-side';

// A unique index on lower(email), now carried by translateSchema to the other engine. SQLite's
// REPLACE deletes the row holding the same address in another case without returning it; the
// secondary, still holding it, refused the new row on that index, and the write stayed in the
// journal (a replay failed the same way). The secondary's rows that clash are now found by
// the index's expression too, and settled from the primary first.
const cleanup = cleanupAfterEach();

async function replaceThroughExpression(primary: DatabaseAdapter, secondary: DatabaseAdapter, expression: string): Promise<void> {
  for (const side of [primary, secondary]) {
    await side.execute(
      `CREATE TABLE users (id ${side.dialect === 'postgres' ? 'bigint' : 'INTEGER'} PRIMARY KEY, email TEXT NOT NULL, name TEXT)`,
    );
    await side.execute(`CREATE UNIQUE INDEX users_email_ci ON users (${side.dialect === 'postgres' ? `(${expression})` : expression})`);
  }
  const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true, continueOnSecondaryFailure: true });
  await app.execute("INSERT INTO users VALUES (1, 'ann@x.io', 'Ann'), (2, 'bob@x.io', 'Bob'), (3, 'cy@x.io', NULL)");
  await app.execute("INSERT OR REPLACE INTO users VALUES (4, 'ANN@x.io', 'Ann again')");
  await app.execute("UPDATE OR REPLACE users SET email = 'Bob@X.io' WHERE id = 3");
  expect(app.getMetrics()).toMatchObject({ secondaryFailures: 0, journalDepth: 0, secondaryConflictsResolved: 2 });
  expect(await secondary.query('SELECT id, email FROM users ORDER BY id')).toEqual([
    { id: 3, email: 'Bob@X.io' },
    { id: 4, email: 'ANN@x.io' },
  ]);
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['users'] })).ok).toBe(true);
}

it('SQLite -> Postgres: a row REPLACE deleted for lower(email) is deleted on the secondary too', async () => {
  const { primary, secondary } = await primaryAndFreshPostgres('sqlite', cleanup);
  await replaceThroughExpression(primary, secondary, 'lower(email)');
});

it('SQLite -> D1: the same, the side evaluating its own index text (trim and lower)', async () => {
  const primary = createSQLiteAdapter(':memory:', { name: 'a' });
  const secondary = await openEmbeddedPrimary('d1', cleanup);
  cleanup(() => Promise.all([primary.close(), secondary.close()]));
  await replaceThroughExpression(primary, secondary, 'lower(trim(email))');
});
