import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter, TableInfo } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables, introspectSchemaObjects, translateSchema } from '../src/index';
import { assertTablesEqual, usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// Postgres 15's UNIQUE NULLS NOT DISTINCT refuses a second row whose key holds the same NULL
// (one free seat, one default address). Dropped, the target takes the second NULL: during
// dual write a side accepts what the other refuses. SQLite has no such clause; an index of
// the rows with a NULL, over terms that are never NULL, refuses exactly the same rows.
const SCHEMA = `CREATE TABLE seats (
  id int PRIMARY KEY, holder text, row_no int, seat text,
  UNIQUE NULLS NOT DISTINCT (holder))`;
const INDEXES = [
  'CREATE UNIQUE INDEX seats_place ON seats (row_no, seat) NULLS NOT DISTINCT',
  'CREATE UNIQUE INDEX seats_box ON seats (seat) NULLS NOT DISTINCT WHERE row_no = 0 OR row_no = 9',
];

/** Rows each written on its own, in order: some the source takes, some it refuses. */
const CANDIDATES: [number, string | null, number | null, string | null][] = [
  [2, null, 1, 'a'],
  [3, null, 2, 'b'], // a second NULL holder
  [4, 'bob', null, 'a'],
  [5, 'cy', null, 'a'], // the same (NULL, 'a')
  [6, 'dee', 0, 'a'], // 0 is not NULL
  [7, 'eve', null, null],
  [8, 'fay', null, null], // (NULL, NULL) again
  [9, 'gus', 1, null],
  [10, 'hal', 1, 'A'], // another case
  [11, 'ivy', 2, null],
  [12, 'jo', 9, 'a'], // the box's seat 'a' again
  [13, 'kim', 9, null],
  [14, 'lu', 0, null], // the box's NULL seat again
  [15, 'mo', 3, null], // outside the box
];

/** Writes each candidate on `db`, saying which it took. */
async function outcomes(db: DatabaseAdapter): Promise<boolean[]> {
  const taken: boolean[] = [];
  for (const row of CANDIDATES)
    taken.push(
      await db.execute('INSERT INTO seats (id, holder, row_no, seat) VALUES (?, ?, ?, ?)', row).then(
        () => true,
        () => false,
      ),
    );
  return taken;
}

/** Creates the seats table on the source with one row, and returns its introspection. */
async function seatsOn(source: DatabaseAdapter): Promise<TableInfo[]> {
  await source.execute(SCHEMA);
  for (const sql of INDEXES) await source.execute(sql);
  await source.execute("INSERT INTO seats VALUES (1, 'ann', 1, 'x')");
  return (await source.introspect()).filter((t) => t.name === 'seats');
}

describe('UNIQUE NULLS NOT DISTINCT', () => {
  const postgres = usePostgresDatabase();

  it('Postgres -> Postgres keeps it on the constraint and the index', async () => {
    const source = postgres.adapter;
    const tables = await seatsOn(source);
    expect(tables[0]!.indexes.map((i) => [i.columns, i.nullsNotDistinct])).toEqual([
      [['seat'], true],
      [['holder'], true],
      [['row_no', 'seat'], true],
    ]);
    const schema = translateSchema(tables, 'postgres', { from: 'postgres', objects: await introspectSchemaObjects(source) });
    expect(schema.warnings).toEqual([]);
    const other = await createTestDatabase();
    const target = createPostgresAdapter(other.url);
    try {
      for (const sql of schema.statements) await target.execute(sql);
      await copyTables(source, target, { tables: ['seats'] });
      expect((await target.introspect()).find((t) => t.name === 'seats')!.indexes.map((i) => i.nullsNotDistinct)).toEqual([
        true,
        true,
        true,
      ]);
      expect(await outcomes(target)).toEqual(await outcomes(source));
      await assertTablesEqual(source, target, 'seats');
    } finally {
      await target.close();
      await other.drop();
      await source.execute('DROP TABLE seats');
    }
  });

  it('Postgres -> SQLite and D1 refuse the rows Postgres refuses', async () => {
    const source = postgres.adapter;
    const tables = await seatsOn(source);
    const schema = translateSchema(tables, 'sqlite', { from: 'postgres' });
    expect(schema.warnings).toEqual([]);
    const expected = await outcomes(source);
    expect(expected).toEqual([true, false, true, false, true, true, false, true, true, true, false, true, false, true]);
    await withSqliteAndD1(async ({ sqlite, d1 }) => {
      for (const target of [sqlite, d1]) {
        for (const sql of schema.statements) await target.execute(sql);
        await target.execute("INSERT INTO seats VALUES (1, 'ann', 1, 'x')");
        expect(await outcomes(target)).toEqual(expected);
        await assertTablesEqual(source, target, 'seats');
      }
    });
    // A case-insensitive holder (the columnTypes override) stays case-insensitive among the rows with a NULL.
    const nocase = translateSchema(tables, 'sqlite', { from: 'postgres', columnTypes: { 'seats.seat': 'TEXT COLLATE NOCASE' } });
    await withSqliteAndD1(async ({ sqlite }) => {
      for (const sql of nocase.statements) await sqlite.execute(sql);
      await sqlite.execute("INSERT INTO seats VALUES (1, 'ann', NULL, 'x')");
      await expect(sqlite.execute("INSERT INTO seats VALUES (2, 'bob', NULL, 'X')")).rejects.toThrow(/unique/i);
      await expect(sqlite.execute("INSERT INTO seats VALUES (3, 'cy', 1, 'x'), (4, 'dee', 1, 'X')")).rejects.toThrow(/unique/i);
    });
    await source.execute('DROP TABLE seats');
  });
});
