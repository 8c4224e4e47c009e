import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createD1Adapter } from '@switchyard/d1';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';

// Postgres to Postgres, a JSON document is copied as the source holds it: a json's key
// order, repeated keys and spacing, a jsonb number's scale, a bare string or number, and the
// JSON `null` document, which pg reads as SQL NULL and a copy once wrote as one (`IS NULL`
// then found it on the target only). To SQLite documents go as before (see the README).
const ROWS: [number, string | null, string | null][] = [
  [1, '{"b": 1,  "a": [1, 2], "a": 3}', '{"price": 10.50, "tiny": 0.0000001}'],
  [2, 'null', 'null'],
  [3, null, null],
  [4, '"a string"', '"{\\"looks\\": \\"like json\\"}"'],
  [5, '[1.0, -0, 1e2]', '[]'],
  [6, '1.50', 'true'],
  [7, ' false ', '-0.0'],
];

let databases: TestDatabase[] = [];
let source: DatabaseAdapter;

beforeAll(async () => {
  databases = await Promise.all([createTestDatabase(), createTestDatabase()]);
  source = createPostgresAdapter(databases[0]!.url, { max: 2 });
  await source.execute('CREATE TABLE docs (id int PRIMARY KEY, j json, jb jsonb)');
  for (const [id, j, jb] of ROWS) await source.execute('INSERT INTO docs VALUES (?, ?::json, ?::jsonb)', [id, j, jb]);
});
afterAll(async () => {
  await source?.close();
  await Promise.all(databases.map((d) => d.drop()));
});

describe('JSON documents copied from Postgres', () => {
  it('reach Postgres with their text, the JSON null document included, and validate equal', async () => {
    const target = createPostgresAdapter(databases[1]!.url, { max: 2 });
    try {
      await target.execute('CREATE TABLE docs (id int PRIMARY KEY, j json, jb jsonb)');
      await copyTables(source, target, { tables: ['docs'], checkpoint: false });
      const read = 'SELECT id, j::text AS j, jb::text AS jb, j IS NULL AS jn, jb IS NULL AS jbn FROM docs ORDER BY id';
      expect(await target.query(read)).toEqual(await source.query(read));
      expect((await validateDatabases(source, target, { validateAllRows: true, tables: ['docs'] })).ok).toBe(true);
      // The least change: the JSON null document made SQL NULL.
      await target.execute('UPDATE docs SET j = NULL WHERE id = 2');
      const report = await validateDatabases(source, target, { validateAllRows: true, tables: ['docs'] });
      expect(report.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 2 }]);
    } finally {
      await target.close();
    }
  });

  it('reach SQLite as documents, their text where pg kept it, and validate equal', async () => {
    const target = createSQLiteAdapter(':memory:');
    try {
      await target.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, j TEXT, jb TEXT)');
      await copyTables(source, target, { tables: ['docs'], checkpoint: false });
      expect(await target.query('SELECT id, j, jb FROM docs WHERE id IN (1, 4, 6) ORDER BY id')).toEqual([
        // pg's reading keeps a json's text, and a jsonb's where a number would be written otherwise.
        { id: 1, j: '{"b": 1,  "a": [1, 2], "a": 3}', jb: '{"tiny": 0.0000001, "price": 10.50}' },
        // A bare string document is its string on SQLite (the README's rule for text that is not JSON).
        { id: 4, j: 'a string', jb: '{"looks": "like json"}' },
        // A bare number or boolean as its JSON text (`true` once arrived as 1, `1.50` as 1.5).
        { id: 6, j: '1.50', jb: 'true' },
      ]);
      expect((await validateDatabases(source, target, { validateAllRows: true, tables: ['docs'] })).ok).toBe(true);
    } finally {
      await target.close();
    }
  });

  // A string document that holds JSON text once went into a JSON column as that JSON (an
  // object, a number), and validation, reading the string as JSON text too, called it equal.
  it('reach a SQLite or D1 JSON column as documents, a string document as the JSON string, and validate equal', async () => {
    const d1 = await createTestD1();
    for (const target of [createSQLiteAdapter(':memory:'), createD1Adapter(d1.binding)]) {
      try {
        await target.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, j JSON, jb JSON)');
        await copyTables(source, target, { tables: ['docs'], checkpoint: false });
        expect(await target.query('SELECT id, j, jb FROM docs WHERE id IN (2, 4) ORDER BY id')).toEqual([
          // The JSON null document as SQL NULL there (the README's rule).
          { id: 2, j: null, jb: null },
          { id: 4, j: '"a string"', jb: '"{\\"looks\\": \\"like json\\"}"' },
        ]);
        expect((await validateDatabases(source, target, { validateAllRows: true, tables: ['docs'] })).ok).toBe(true);
        // The least change: the string made the object it spells.
        await target.execute(`UPDATE docs SET jb = '{"looks": "like json"}' WHERE id = 4`);
        const report = await validateDatabases(source, target, { validateAllRows: true, tables: ['docs'] });
        expect(report.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 4 }]);
      } finally {
        await target.close();
      }
    }
    await d1.dispose();
  });
  // SQLite's `'null'` is the JSON null document: it reached Postgres as that document, and
  // validation, reading Postgres's side as SQL NULL, then reported every such row different.
  it('from SQLite or D1, `null` reaches Postgres as the null document and validates equal', async () => {
    const d1 = await createTestD1();
    for (const from of [createSQLiteAdapter(':memory:'), createD1Adapter(d1.binding)]) {
      const target = createPostgresAdapter(databases[1]!.url, { max: 2 });
      try {
        await from.execute('CREATE TABLE nulls (id INTEGER PRIMARY KEY, j JSON)');
        await from.execute(`INSERT INTO nulls VALUES (1, 'null'), (2, NULL), (3, ' null '), (4, '"null"')`);
        await target.execute('DROP TABLE IF EXISTS nulls');
        await target.execute('CREATE TABLE nulls (id int PRIMARY KEY, j jsonb)');
        await copyTables(from, target, { tables: ['nulls'], checkpoint: false });
        expect(await target.query('SELECT id, j::text AS j FROM nulls ORDER BY id')).toEqual([
          { id: 1, j: 'null' },
          { id: 2, j: null },
          { id: 3, j: 'null' },
          { id: 4, j: '"null"' },
        ]);
        for (const [s, t] of [
          [from, target],
          [target, from],
        ] as const)
          expect((await validateDatabases(s, t, { validateAllRows: true, tables: ['nulls'] })).ok).toBe(true);
        // The least change: the null document made SQL NULL on Postgres.
        await target.execute('UPDATE nulls SET j = NULL WHERE id = 1');
        const report = await validateDatabases(from, target, { validateAllRows: true, tables: ['nulls'] });
        expect(report.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 1 }]);
      } finally {
        await Promise.all([from.close(), target.close()]);
      }
    }
    await d1.dispose();
  });
});
