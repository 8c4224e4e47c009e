import { expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, translateSchema } from '../src/index';
import { withSqliteAndD1 } from './fixtures';

// A SQLite BLOB column keeps text as text ('abc' = X'616263' is false in SQLite). Copied
// between SQLite and D1, such text became the blob of its bytes: a query for the text no
// longer found its row, and validation, which compared the bytes, said "equal".
const KV = 'CREATE TABLE kv (k TEXT PRIMARY KEY, v, b BLOB, n NUMERIC)';
const ROWS =
  "INSERT INTO kv VALUES ('a', 'one', X'01', '1'), ('b', '1', 'text', 'x'), ('c', X'616263', '', 1.5), " +
  "('d', 'abc', X'', NULL), ('e', NULL, 'é', 7)";
const CLASSES = 'SELECT k, typeof(v) AS v, typeof(b) AS b, typeof(n) AS n FROM kv ORDER BY k';

async function copiedClasses(source: DatabaseAdapter, target: DatabaseAdapter) {
  for (const sql of translateSchema(await source.introspect(), 'sqlite', { from: 'sqlite' }).statements) await target.execute(sql);
  await copyTables(source, target);
  expect((await validateDatabases(source, target, { validateAllRows: true, tables: ['kv'] })).ok).toBe(true);
  expect(await target.query("SELECT k FROM kv WHERE b = 'text' OR b = '' OR b = 'é' ORDER BY k")).toEqual([
    { k: 'b' },
    { k: 'c' },
    { k: 'e' },
  ]);
  return target.query(CLASSES);
}

it('SQLite -> SQLite, SQLite -> D1 and D1 -> SQLite keep text in a BLOB column as text, and blobs and numbers in their classes', async () => {
  await withSqliteAndD1(async ({ sqlite, other, d1 }) => {
    await sqlite.execute(KV);
    await sqlite.execute(ROWS);
    const classes = await sqlite.query(CLASSES);
    expect(await copiedClasses(sqlite, d1)).toEqual(classes);
    expect(await copiedClasses(d1, other)).toEqual(classes);
  });
});
