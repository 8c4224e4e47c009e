import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';

// A Postgres numeric with more than 15 significant digits (a numeric(78,0) token amount, a
// large Decimal(65,30)) went into a SQLite NUMERIC column, which keeps such a value as a
// double: rounded at the write, without a word (validation found it afterwards).
let database: TestDatabase;
let source: DatabaseAdapter;

beforeAll(async () => {
  database = await createTestDatabase();
  source = createPostgresAdapter(database.url, { max: 2 });
  await source.execute('CREATE TABLE amounts (id int PRIMARY KEY, n numeric)');
  await source.execute(`INSERT INTO amounts VALUES (1, 1.50), (2, 123456789012345678), (3, 12345.678901234), (4, 'NaN'), (5, NULL)`);
});
afterAll(async () => {
  await source?.close();
  await database?.drop();
});

describe('a Postgres numeric copied to SQLite', () => {
  it('copies what a NUMERIC column keeps, and validates equal', async () => {
    const target = createSQLiteAdapter(':memory:');
    await target.execute('CREATE TABLE amounts (id INTEGER PRIMARY KEY, n NUMERIC)');
    await copyTables(source, target, { tables: ['amounts'], checkpoint: false });
    expect((await validateDatabases(source, target, { validateAllRows: true, tables: ['amounts'] })).ok).toBe(true);
    await target.close();
  });

  it.each(['12345678901234567890.123', '99999999999999999999', '-1234567.890123456'])(
    'refuses %s for a NUMERIC column, naming the key and column, and copies it exactly into TEXT',
    async (value) => {
      await source.execute('INSERT INTO amounts VALUES (6, ?::numeric)', [value]);
      try {
        const numeric = createSQLiteAdapter(':memory:');
        await numeric.execute('CREATE TABLE amounts (id INTEGER PRIMARY KEY, n NUMERIC)');
        await expect(copyTables(source, numeric, { tables: ['amounts'], checkpoint: false })).rejects.toThrow(
          /key \(6\), column "n": the numeric .* Declare the column TEXT/,
        );
        await numeric.close();
        const text = createSQLiteAdapter(':memory:');
        await text.execute('CREATE TABLE amounts (id INTEGER PRIMARY KEY, n TEXT)');
        await copyTables(source, text, { tables: ['amounts'], checkpoint: false });
        expect(await text.query('SELECT n FROM amounts WHERE id = 6')).toEqual([{ n: value }]);
        expect((await validateDatabases(source, text, { validateAllRows: true, tables: ['amounts'] })).ok).toBe(true);
        await text.close();
      } finally {
        await source.execute('DELETE FROM amounts WHERE id = 6');
      }
    },
  );
});
