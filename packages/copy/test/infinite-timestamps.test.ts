import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, translateSchema } from '../src/index';
import { copyError, countRows, usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// Postgres timestamps hold 'infinity' and '-infinity' ("valid until forever"). Copied to
// SQLite they were REAL ±Inf, which SQLite sorts before every ISO text (a plan valid forever
// compared as expired) and D1 refused. Copied back, SQLite rendered their COPY text with
// strftime, which answers NULL for them: the whole line was NULL, group_concat skipped it,
// and the rows were lost while copyTables reported success.
const INFINITE_PLANS =
  "INSERT INTO plans SELECT i, CASE i % 4 WHEN 0 THEN 'infinity' WHEN 1 THEN '-infinity' WHEN 2 THEN NULL ELSE '2024-01-01' END::timestamptz, " +
  "CASE i % 3 WHEN 0 THEN 'infinity' ELSE '2024-02-03 04:05:06' END::timestamp, CASE i % 5 WHEN 0 THEN 'infinity' ELSE '2024-03-04' END::date " +
  'FROM generate_series(1, 2500) AS i';

describe('infinite timestamps and the ones SQLite cannot render', () => {
  const postgres = usePostgresDatabase();

  it('Postgres -> SQLite and D1 -> Postgres keeps them: the word on SQLite and D1, sorted as Postgres sorts them, and every row back', async () => {
    const source = postgres.adapter;
    await source.execute('CREATE TABLE plans (id int PRIMARY KEY, until timestamptz, starts timestamp, day date)');
    await source.execute(INFINITE_PLANS);
    const order = 'SELECT id FROM plans WHERE id <= 8 ORDER BY until NULLS FIRST, id';
    await withSqliteAndD1(async ({ sqlite, d1 }) => {
      for (const side of [sqlite, d1]) {
        for (const sql of translateSchema(await source.introspect(), 'sqlite', { from: 'postgres' }).statements) await side.execute(sql);
        await copyTables(source, side);
        expect((await validateDatabases(source, side, { validateAllRows: true, tables: ['plans'] })).ok).toBe(true);
        expect(await side.query('SELECT until, typeof(until) AS type FROM plans WHERE id IN (4, 5) ORDER BY id')).toEqual([
          { until: 'infinity', type: 'text' },
          { until: '-infinity', type: 'text' },
        ]);
        expect(await side.query(order)).toEqual(await source.query(order));
        const other = await createTestDatabase();
        const back = createPostgresAdapter(other.url);
        try {
          for (const sql of translateSchema(await side.introspect(), 'postgres', { from: 'sqlite' }).statements) await back.execute(sql);
          await copyTables(side, back);
          expect(await countRows(back, 'plans')).toBe(2500);
          expect((await validateDatabases(source, back, { validateAllRows: true, tables: ['plans'] })).ok).toBe(true);
        } finally {
          await back.close();
          await other.drop();
        }
      }
    });
  });

  it('SQLite -> Postgres: REAL ±Inf in a DATETIME (what earlier copies wrote) arrives as the infinity, every row', async () => {
    await withSqliteAndD1(async ({ sqlite }) => {
      await sqlite.execute('CREATE TABLE passes (id INTEGER PRIMARY KEY, until DATETIME)');
      await sqlite.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO passes SELECT i, CASE i % 3 WHEN 0 THEN 9e999 WHEN 1 THEN -9e999 ELSE '2024-01-01 00:00:00' END FROM n",
      );
      for (const sql of translateSchema(await sqlite.introspect(), 'postgres', { from: 'sqlite' }).statements)
        await postgres.adapter.execute(sql);
      await copyTables(sqlite, postgres.adapter);
      expect(
        await postgres.adapter.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE until = 'infinity')::int AS inf FROM passes"),
      ).toEqual([{ n: 2000, inf: 666 }]);
      expect((await validateDatabases(sqlite, postgres.adapter, { validateAllRows: true, tables: ['passes'] })).ok).toBe(true);
      await postgres.adapter.execute('DROP TABLE passes');
      await postgres.adapter.execute('DROP TABLE IF EXISTS _switchyard_checkpoints');
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
