import { describe, expect, it } from 'vitest';
import { ConstraintError, QueryError } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables, translateSchema } from '../src/index';
import { assertTablesEqual, copyError, withMemorySqlite, usePostgresDatabase } from './fixtures';

// A SQLite column holds whatever was written, so a copy into Postgres meets the odd value
// Postgres refuses. Postgres names only the line of its COPY stream; the error names the row.
describe('a row Postgres refuses', () => {
  const postgres = usePostgresDatabase();

  it('SQLite -> Postgres: the error names the key and column of a value the type does not take; fixed, the copy resumes', async () => {
    await withMemorySqlite(async (source) => {
      await source.execute('CREATE TABLE stock (id INTEGER PRIMARY KEY, sku TEXT, qty INTEGER)');
      await source.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO stock SELECT i, 's' || i, i FROM n",
      );
      await source.execute("UPDATE stock SET qty = 'n/a' WHERE id = 2718");
      const schema = translateSchema(await source.introspect(), 'postgres', { from: 'sqlite' });
      for (const sql of schema.statements) await postgres.adapter.execute(sql);
      const error = await copyError(copyTables(source, postgres.adapter));
      expect(error.message).toMatch(
        /Table "stock", key \(2718\), column "qty": Postgres refused the row: invalid input syntax for type bigint: "n\/a"/,
      );
      expect(error.message).toMatch(/Fix the value at the source/);
      // Not a failure a retry cures: it was not retried, and the message does not say it was.
      expect(error.message).not.toMatch(/retries/);
      expect(error.cause).toBeInstanceOf(QueryError);
      expect(((error.cause as Error).cause as { code: string }).code).toBe('22P02');
      await source.execute('UPDATE stock SET qty = 0 WHERE id = 2718');
      await copyTables(source, postgres.adapter);
      expect(await assertTablesEqual(source, postgres.adapter, 'stock')).toBe(3000);
    });
  });

  it("SQLite -> Postgres: a primary key holding NULL (Drizzle's migrations table) is named as such, with what to do", async () => {
    await withMemorySqlite(async (source) => {
      await source.execute('CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
      await source.execute(`INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES ('4f1c', 1700000000000)`);
      for (const sql of translateSchema(await source.introspect(), 'postgres').statements) await postgres.adapter.execute(sql);
      const error = await copyError(copyTables(source, postgres.adapter));
      expect(error.message).toMatch(/Table "__drizzle_migrations", key \(\\N\): Postgres refused the row: null value in column "id"/);
      expect(error.message).toMatch(/primary key holds NULL.*exclude: \['__drizzle_migrations'\]/);
      await postgres.adapter.execute('DROP TABLE "__drizzle_migrations", _switchyard_checkpoints');
    });
  });

  it("Postgres -> Postgres: a row the target's CHECK refuses is named by its composite key", async () => {
    const source = postgres.adapter;
    const other = await createTestDatabase();
    const target = createPostgresAdapter(other.url);
    try {
      await source.execute('CREATE TABLE lines (order_id int, line int, qty int, PRIMARY KEY (order_id, line))');
      await target.execute('CREATE TABLE lines (order_id int, line int, qty int CHECK (qty >= 0), PRIMARY KEY (order_id, line))');
      await source.execute('INSERT INTO lines SELECT o, l, o * l FROM generate_series(1, 40) o, generate_series(1, 5) l');
      await source.execute('UPDATE lines SET qty = -1 WHERE order_id = 33 AND line = 4');
      const error = await copyError(copyTables(source, target, { tables: ['lines'] }));
      expect(error.message).toMatch(
        /Table "lines", key \(33, 4\): Postgres refused the row: new row for relation "lines" violates check constraint/,
      );
      expect(error.message).toMatch(/Fix the row at the source, or relax the target's constraint/);
      expect(error.cause).toBeInstanceOf(ConstraintError);
    } finally {
      await target.close();
      await other.drop();
    }
  });
});
