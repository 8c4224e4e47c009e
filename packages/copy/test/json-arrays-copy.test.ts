import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { expectCopiedAsIs, usePostgresArraySource } from './postgres-array-source';

// A json[] or jsonb[] array was copied from the elements pg parsed: a string element (`"s"`,
// read as `s`) made Postgres refuse the whole range, and the rest lost a jsonb number's
// scale, a json document's key order and spacing, and the JSON null document. From SQLite a
// JSON list's string element was written as bare text, which Postgres refused the same way.
const ROWS: [number, string | null, string | null][] = [
  [1, '{"{\\"a\\": 1.50}","\\"s\\""}', '{"{\\"b\\":1,  \\"a\\":2}"}'],
  [2, '{"null",NULL}', '{"null","\\"1\\"",1}'],
  [3, '{}', '{"[1.0, \\"x\\"]"}'],
  [4, null, null],
];
const DDL = 'CREATE TABLE docs (id int PRIMARY KEY, jb jsonb[], js json[])';
const TEXTS = 'SELECT id, jb::text AS jb, js::text AS js FROM docs ORDER BY id';

const pg = usePostgresArraySource(async (source) => {
  await source.execute(DDL);
  for (const [id, jb, js] of ROWS) await source.execute('INSERT INTO docs VALUES (?, ?::jsonb[], ?::json[])', [id, jb, js]);
});

describe('arrays of JSON documents copied', () => {
  it('Postgres -> Postgres: each array arrives as its literal and validates equal', async () => {
    await expectCopiedAsIs(pg, DDL, 'docs', TEXTS);
  });

  it('Postgres -> SQLite -> Postgres: a JSON list of the documents, strings as string documents, and back', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const back = createPostgresAdapter(pg.url(2), { max: 2 });
    try {
      await sqlite.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, jb JSON, js JSON)');
      await copyTables(pg.source, sqlite, { tables: ['docs'], checkpoint: false });
      expect(await sqlite.query('SELECT id, jb, js FROM docs ORDER BY id')).toEqual([
        // Each element's text where pg's reading keeps it (a json's always, a jsonb's number scale).
        { id: 1, jb: '[{"a": 1.50},"s"]', js: '[{"b":1,  "a":2}]' },
        { id: 2, jb: '[null,null]', js: '[null,"1",1]' },
        { id: 3, jb: '[]', js: '[[1.0, "x"]]' },
        { id: 4, jb: null, js: null },
      ]);
      expect((await validateDatabases(pg.source, sqlite, { validateAllRows: true, tables: ['docs'] })).ok).toBe(true);
      // The least change on SQLite's side: a string element made the number it spells.
      await sqlite.execute(`UPDATE docs SET js = '[null,1,1]' WHERE id = 2`);
      const changed = await validateDatabases(pg.source, sqlite, { validateAllRows: true, tables: ['docs'] });
      expect(changed.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 2 }]);
      await sqlite.execute(`UPDATE docs SET js = '[null,"1",1]' WHERE id = 2`);

      await back.execute(DDL);
      await copyTables(sqlite, back, { tables: ['docs'], checkpoint: false });
      expect((await back.query(TEXTS)).slice(0, 2)).toEqual([
        // Each element as SQLite holds its text: a jsonb number's scale, a json's key order and spacing.
        { id: 1, jb: '{"{\\"a\\": 1.50}","\\"s\\""}', js: '{"{\\"b\\":1,  \\"a\\":2}"}' },
        { id: 2, jb: '{NULL,NULL}', js: '{NULL,"\\"1\\"",1}' },
      ]);
      expect((await validateDatabases(sqlite, back, { validateAllRows: true, tables: ['docs'] })).ok).toBe(true);
    } finally {
      await sqlite.close();
      await back.close();
    }
  });
});
