import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { expectCopiedAsIs, usePostgresArraySource } from './postgres-array-source';

// Array items JSON has no value for. Postgres -> Postgres a bytea[] item went into COPY text
// as the JSON of its Buffer (`\x7b2274797065…`, other bytes) and a float8[] -0 as 0. To SQLite,
// a bytea[] item went as that JSON too, and NaN and the infinities of float8[] and timestamp[]
// as JSON null, which validation (converting Postgres's side the same way) called equal and
// which came back to Postgres as NULL; a BC time in a timestamp[] went to SQLite in ISO's six-digit
// years, which Postgres refused on the way back.
const DDL = 'CREATE TABLE items (id int PRIMARY KEY, b bytea[], f float8[], t timestamp[])';
const TEXTS = 'SELECT id, b::text AS b, f::text AS f, t::text AS t FROM items ORDER BY id';

const pg = usePostgresArraySource(async (source) => {
  await source.execute(DDL);
  await source.execute(
    `INSERT INTO items VALUES (1, '{"\\\\x0102",NULL,"\\\\x"}', '{1.5,NaN,-Infinity,Infinity,-0}', '{"2024-01-01 10:00:00.123456",infinity,-infinity,"0044-03-15 10:00:00.5 BC"}'),
      (2, '{}', '{NULL}', NULL)`,
  );
});

describe('array items JSON has no value for', () => {
  it('Postgres -> Postgres: bytes and -0 arrive as they are', async () => {
    await expectCopiedAsIs(pg, DDL, 'items', TEXTS);
  });

  it('Postgres -> SQLite -> Postgres: bytes as hex, NaN and infinities as their words, BC times, and back', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const back = createPostgresAdapter(pg.url(2), { max: 2 });
    try {
      await sqlite.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, b JSON, f JSON, t JSON)');
      await copyTables(pg.source, sqlite, { tables: ['items'], checkpoint: false });
      expect(await sqlite.query('SELECT b, f, t FROM items WHERE id = 1')).toEqual([
        {
          b: '["\\\\x0102",null,"\\\\x"]',
          f: '[1.5,"NaN","-infinity","infinity",0]',
          t: '["2024-01-01T10:00:00.123456Z","infinity","-infinity","-000043-03-15T10:00:00.500Z"]',
        },
      ]);
      expect((await validateDatabases(pg.source, sqlite, { validateAllRows: true, tables: ['items'] })).ok).toBe(true);
      // The least change: NaN made the null JSON once wrote for it.
      await sqlite.execute(`UPDATE items SET f = '[1.5,null,"-infinity","infinity",0]' WHERE id = 1`);
      const changed = await validateDatabases(pg.source, sqlite, { validateAllRows: true, tables: ['items'] });
      expect(changed.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 1 }]);
      await sqlite.execute(`UPDATE items SET f = '[1.5,"NaN","-infinity","infinity",0]' WHERE id = 1`);

      await back.execute(DDL);
      await copyTables(sqlite, back, { tables: ['items'], checkpoint: false });
      // -0 is 0 on SQLite's side (JSON writes no sign there), which validation calls equal (docs/normalization.md).
      const expected = (await pg.source.query<Record<string, unknown>>(TEXTS)).map((r) => ({
        ...r,
        f: (r.f as string | null)?.replace('-0}', '0}') ?? null,
      }));
      expect(await back.query(TEXTS)).toEqual(expected);
      expect((await validateDatabases(sqlite, back, { validateAllRows: true, tables: ['items'] })).ok).toBe(true);
    } finally {
      await sqlite.close();
      await back.close();
    }
  });
});
