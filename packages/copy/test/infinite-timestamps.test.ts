import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, translateSchema } from '../src/index';
import { copyError, countRows, usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// Postgres timestamps hold 'infinity' and '-infinity' ("valid until forever"); copied to
// SQLite they are REAL ±Inf. Copied back, SQLite rendered their COPY text with strftime,
// which answers NULL for them: the NULL made the whole line NULL, group_concat skipped it,
// and the rows were lost while copyTables reported success.
describe('timestamps SQLite cannot render as text', () => {
  const postgres = usePostgresDatabase();

  it('Postgres -> SQLite -> Postgres keeps infinite timestamps, every row', async () => {
    const source = postgres.adapter;
    await source.execute('CREATE TABLE plans (id int PRIMARY KEY, until timestamptz, starts timestamp, day date)');
    await source.execute(
      "INSERT INTO plans SELECT i, CASE i % 4 WHEN 0 THEN 'infinity' WHEN 1 THEN '-infinity' WHEN 2 THEN NULL ELSE '2024-01-01' END::timestamptz, " +
        "CASE i % 3 WHEN 0 THEN 'infinity' ELSE '2024-02-03 04:05:06' END::timestamp, CASE i % 5 WHEN 0 THEN 'infinity' ELSE '2024-03-04' END::date " +
        'FROM generate_series(1, 2500) AS i',
    );
    await withSqliteAndD1(async ({ sqlite }) => {
      for (const sql of translateSchema(await source.introspect(), 'sqlite', { from: 'postgres' }).statements) await sqlite.execute(sql);
      await copyTables(source, sqlite);
      expect((await validateDatabases(source, sqlite, { validateAllRows: true })).ok).toBe(true);
      const other = await createTestDatabase();
      const back = createPostgresAdapter(other.url);
      try {
        const schema = translateSchema(await sqlite.introspect(), 'postgres', { from: 'sqlite' });
        for (const sql of schema.statements) await back.execute(sql);
        await copyTables(sqlite, back);
        expect(await countRows(back, 'plans')).toBe(2500);
        expect(await back.query("SELECT count(*)::int AS n FROM plans WHERE until = 'infinity' OR until = '-infinity'")).toEqual([
          { n: 1250 },
        ]);
        expect((await validateDatabases(source, back, { validateAllRows: true, tables: ['plans'] })).ok).toBe(true);
      } finally {
        await back.close();
        await other.drop();
      }
    });
  });

  it('SQLite and D1 -> Postgres: an epoch number no timestamp holds fails the copy naming its row, and loses none', async () => {
    await withSqliteAndD1(async ({ sqlite, d1 }) => {
      for (const source of [sqlite, d1]) {
        await source.execute('CREATE TABLE pings (id INTEGER PRIMARY KEY, at DATETIME)');
        await source.execute(
          'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900) INSERT INTO pings SELECT i, 1700000000 + i FROM n',
        );
        await source.execute('UPDATE pings SET at = 1e20 WHERE id = 444');
        const schema = translateSchema(await source.introspect(), 'postgres', { from: 'sqlite' });
        for (const sql of schema.statements) await postgres.adapter.execute(sql);
        const error = await copyError(copyTables(source, postgres.adapter));
        expect(error.message).toMatch(
          /Table "pings", key \(444\), column "at": the number 100000000000000000000, read as epoch milliseconds, is no instant/,
        );
        await source.execute('UPDATE pings SET at = 1700000444 WHERE id = 444');
        await copyTables(source, postgres.adapter);
        expect(await countRows(postgres.adapter, 'pings')).toBe(900);
        expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true, tables: ['pings'] })).ok).toBe(true);
        await postgres.adapter.execute('DROP TABLE pings');
        await postgres.adapter.execute('DROP TABLE IF EXISTS _switchyard_checkpoints');
      }
    });
  });
});
