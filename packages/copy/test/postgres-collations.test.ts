import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables, introspectSchemaObjects, translateSchema } from '../src/index';
import { assertTablesEqual, usePostgresDatabase, withMemorySqlite } from './fixtures';

// Postgres apps make an email unique regardless of case with a nondeterministic ICU
// collation, and sort codes by byte with COLLATE "C". A translation that drops them gives
// the target a second account for one address and another order.
const SCHEMA = [
  "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
  'CREATE TABLE accounts (id int PRIMARY KEY, email text COLLATE ci NOT NULL UNIQUE, code text COLLATE "C", name text)',
  "INSERT INTO accounts VALUES (1, 'ann@x.io', 'a', 'Ann'), (2, 'bob@x.io', 'B', 'Bob'), (3, 'cy@x.io', 'Z', 'Cy')",
];

describe('Postgres column collations', () => {
  const postgres = usePostgresDatabase();

  it('Postgres -> Postgres keeps them, creating the schema own collation first', async () => {
    const source = postgres.adapter;
    for (const sql of SCHEMA) await source.execute(sql);
    const columns = (await source.introspect()).find((t) => t.name === 'accounts')!.columns;
    expect(columns.map((c) => c.collation)).toEqual([undefined, 'public.ci', '"C"', undefined]);
    const schema = translateSchema(await source.introspect(), 'postgres', {
      from: 'postgres',
      objects: await introspectSchemaObjects(source),
    });
    expect(schema.warnings.filter((w) => w.kind === 'collation')).toEqual([]);
    const other = await createTestDatabase();
    const target = createPostgresAdapter(other.url);
    try {
      for (const sql of schema.statements) await target.execute(sql);
      await copyTables(source, target);
      expect(await assertTablesEqual(source, target, 'accounts')).toBe(3);
      await expect(target.execute("INSERT INTO accounts (id, email) VALUES (4, 'ANN@X.IO')")).rejects.toThrow(/unique|duplicate/i);
      expect(await target.query("SELECT id FROM accounts WHERE email = 'Bob@X.io'")).toEqual([{ id: 2 }]);
      const order = 'SELECT code FROM accounts ORDER BY code';
      expect(await target.query(order)).toEqual(await source.query(order));
      expect((await target.query<{ code: string }>(order)).map((r) => r.code)).toEqual(['B', 'Z', 'a']);
    } finally {
      await target.close();
      await other.drop();
    }
  });

  it('Postgres -> SQLite keeps byte order as SQLite default and reports the case-insensitive one, with what to use', async () => {
    const source = postgres.adapter;
    const tables = (await source.introspect()).filter((t) => t.name === 'accounts');
    const objects = await introspectSchemaObjects(source);
    const schema = translateSchema(tables, 'sqlite', { from: 'postgres', objects });
    const lost = schema.untranslated.filter((w) => w.kind === 'collation');
    expect(lost.map((w) => [w.column, w.sql])).toEqual([['email', 'COLLATE public.ci']]);
    expect(lost[0]!.message).toMatch(/'accounts\.email': 'TEXT COLLATE NOCASE'/);
    await withMemorySqlite(async (target) => {
      const fixed = translateSchema(tables, 'sqlite', {
        from: 'postgres',
        objects,
        columnTypes: { 'accounts.email': 'TEXT COLLATE NOCASE' },
      });
      for (const sql of fixed.statements) await target.execute(sql);
      await copyTables(source, target, { tables: ['accounts'] });
      await expect(target.execute("INSERT INTO accounts (id, email) VALUES (4, 'ANN@X.IO')")).rejects.toThrow(/unique/i);
      expect((await target.query<{ code: string }>('SELECT code FROM accounts ORDER BY code')).map((r) => r.code)).toEqual(['B', 'Z', 'a']);
    });
  });
});
