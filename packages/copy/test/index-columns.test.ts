import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter, IndexInfo } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables, introspectSchemaObjects, translateSchema } from '../src/index';
import { usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// An index compares a column by its own collation unless it names one: UNIQUE (email COLLATE
// NOCASE) makes an email unique regardless of case, on a column that is not. Dropped, the
// target takes a second account for one address. DESC only orders, but it is kept too.
const options = async (db: DatabaseAdapter, table: string) =>
  (await db.introspect())
    .find((t) => t.name === table)!
    .indexes.map((i: IndexInfo) => [i.columns, i.descending, i.collations])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('index key columns', () => {
  const postgres = usePostgresDatabase();

  it('SQLite -> SQLite and D1 keep each key column collation and order; Postgres keeps the order and reports NOCASE', async () => {
    await withSqliteAndD1(async ({ sqlite: source, other, d1 }) => {
      await source.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, score INT, UNIQUE (email COLLATE NOCASE))');
      await source.execute('CREATE INDEX users_score ON users (score DESC, email COLLATE RTRIM)');
      await source.execute("INSERT INTO users VALUES (1, 'ann@x.io', 5), (2, 'bob@x.io', 7)");
      expect(await options(source, 'users')).toEqual([
        [['email'], undefined, ['NOCASE']],
        [
          ['score', 'email'],
          [true, false],
          [null, 'RTRIM'],
        ],
      ]);
      const tables = await source.introspect();
      for (const target of [other, d1]) {
        const schema = translateSchema(tables, target.dialect, { from: 'sqlite' });
        expect(schema.warnings).toEqual([]);
        for (const sql of schema.statements) await target.execute(sql);
        await copyTables(source, target);
        expect(await options(target, 'users')).toEqual(await options(source, 'users'));
        await expect(target.execute("INSERT INTO users (id, email) VALUES (3, 'ANN@X.IO')")).rejects.toThrow(/unique/i);
      }
      const toPg = translateSchema(tables, 'postgres', { from: 'sqlite' });
      expect(toPg.untranslated.map((w) => [w.kind, w.column, w.sql])).toEqual([
        ['index', 'email', 'COLLATE NOCASE'],
        ['index', 'email', 'COLLATE RTRIM'],
      ]);
      expect(toPg.untranslated[0]!.message).toMatch(/unique apart/);
      for (const sql of toPg.statements) await postgres.adapter.execute(sql);
      expect((await options(postgres.adapter, 'users')).map(([columns, descending]) => [columns, descending])).toEqual([
        [['email'], undefined],
        [
          ['score', 'email'],
          [true, false],
        ],
      ]);
    });
  });

  it('Postgres -> Postgres keeps them, creating a collation only an index uses', async () => {
    const source = postgres.adapter;
    await source.execute("CREATE COLLATION ci_index (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
    await source.execute('CREATE TABLE codes (id int PRIMARY KEY, code text, email text)');
    await source.execute('CREATE INDEX codes_code ON codes (code COLLATE "C" DESC, id)');
    await source.execute('CREATE INDEX codes_nulls ON codes (email DESC NULLS LAST, code NULLS FIRST, id)');
    await source.execute('CREATE UNIQUE INDEX codes_email ON codes (email COLLATE ci_index)');
    await source.execute("INSERT INTO codes VALUES (1, 'a', 'ann@x.io'), (2, 'B', 'bob@x.io')");
    expect(await options(source, 'codes')).toEqual([
      [
        ['code', 'id'],
        [true, false],
        ['"C"', null],
      ],
      [['email', 'code', 'id'], [true, false, false], undefined],
      [['email'], undefined, ['public.ci_index']],
    ]);
    expect((await source.introspect()).find((t) => t.name === 'codes')!.indexes.map((i) => i.nullsFirst)).toEqual([
      undefined,
      undefined,
      [false, true, false],
    ]);
    const tables = (await source.introspect()).filter((t) => t.name === 'codes');
    const schema = translateSchema(tables, 'postgres', { from: 'postgres', objects: await introspectSchemaObjects(source) });
    const other = await createTestDatabase();
    const target = createPostgresAdapter(other.url);
    try {
      for (const sql of schema.statements) await target.execute(sql);
      await copyTables(source, target, { tables: ['codes'] });
      expect(await options(target, 'codes')).toEqual(await options(source, 'codes'));
      const nullsFirst = async (db: DatabaseAdapter) =>
        (await db.introspect()).find((t) => t.name === 'codes')!.indexes.map((i) => i.nullsFirst);
      expect(await nullsFirst(target)).toEqual(await nullsFirst(source));
      await expect(target.execute("INSERT INTO codes (id, email) VALUES (3, 'ANN@X.IO')")).rejects.toThrow(/unique|duplicate/i);
    } finally {
      await target.close();
      await other.drop();
    }
  });
});
