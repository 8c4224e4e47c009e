import { describe, expect, it } from 'vitest';
import { ConstraintError, ParameterError, type DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables } from '../src/index';
import { countRows, copyError, usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// A multi-row INSERT into SQLite or D1 that one row spoils said only which key range failed
// ("Parameter 19 is NaN", "CHECK constraint failed"): the operator searched thousands of
// rows for it. The error now names the row's key and column, as a COPY into Postgres does.
describe('a row a multi-row INSERT is refused for, named', () => {
  const postgres = usePostgresDatabase();

  const seed = async (rows: number, spoil: string) => {
    await postgres.adapter.execute('CREATE TABLE IF NOT EXISTS m (id int PRIMARY KEY, sku text, price double precision, n bigint)');
    await postgres.adapter.execute('TRUNCATE m');
    await postgres.adapter.execute(`INSERT INTO m SELECT i, 's' || i, i * 1.5, i FROM generate_series(1, ${rows}) AS i`);
    await postgres.adapter.execute(spoil);
  };
  const target = async (side: DatabaseAdapter, check = '') => {
    await side.execute('DROP TABLE IF EXISTS m');
    await side.execute('DROP TABLE IF EXISTS _switchyard_checkpoints');
    await side.execute(`CREATE TABLE m (id INTEGER PRIMARY KEY, sku TEXT${check}, price REAL, n INTEGER)`);
  };

  it('Postgres -> SQLite and D1: a value the engine cannot store (NaN) is named by key and column; fixed, the copy resumes', async () => {
    await seed(2500, "UPDATE m SET price = 'NaN' WHERE id = 1789");
    await withSqliteAndD1(async ({ sqlite, d1 }) => {
      for (const side of [sqlite, d1]) {
        await target(side);
        const error = await copyError(copyTables(postgres.adapter, side, { tables: ['m'] }));
        expect(error.message).toMatch(/Table "m", key \(1789\), column "price": the value is NaN, which (sqlite|d1) would store as NULL/);
        expect(error.cause).toBeInstanceOf(ParameterError);
      }
      await postgres.adapter.execute('UPDATE m SET price = 0 WHERE id = 1789');
      for (const side of [sqlite, d1]) {
        await copyTables(postgres.adapter, side, { tables: ['m'] });
        expect(await countRows(side, 'm')).toBe(2500);
      }
    });
  });

  it('Postgres -> D1: an int64 D1 would round is named by key and column', async () => {
    await seed(600, 'UPDATE m SET n = 9007199254740993 WHERE id = 444');
    await withSqliteAndD1(async ({ d1 }) => {
      await target(d1);
      const error = await copyError(copyTables(postgres.adapter, d1, { tables: ['m'] }));
      expect(error.message).toMatch(/Table "m", key \(444\), column "n": the value is 9007199254740993n, beyond 2\^53: d1 would round it/);
    });
  });

  it("Postgres -> SQLite: a row the target's CHECK refuses is named by its key, and nothing of the search is left", async () => {
    await seed(3000, "UPDATE m SET sku = 'bad sku' WHERE id = 2222");
    await withSqliteAndD1(async ({ sqlite }) => {
      await target(sqlite, " CHECK (sku NOT LIKE '% %')");
      const error = await copyError(copyTables(postgres.adapter, sqlite, { tables: ['m'], batchSize: 1000 }));
      expect(error.message).toMatch(/Table "m", key \(2222\): sqlite refused the row: CHECK constraint failed: sku NOT LIKE '% %'/);
      expect(error.message).toMatch(/Fix the row at the source, or relax the target's constraint/);
      expect(error.cause).toBeInstanceOf(ConstraintError);
      // The batches before the refused row's are in; the search inserted nothing of its own.
      expect(await countRows(sqlite, 'm')).toBe(2000);
    });
  });

  it("Postgres -> Postgres by INSERT (copyFastPath: false): a row the target's CHECK refuses is named by its key", async () => {
    await seed(1500, "UPDATE m SET sku = 'bad sku' WHERE id = 1234");
    const other = await createTestDatabase();
    const side = createPostgresAdapter(other.url);
    try {
      await side.execute("CREATE TABLE m (id int PRIMARY KEY, sku text CHECK (sku NOT LIKE '% %'), price double precision, n bigint)");
      const error = await copyError(copyTables(postgres.adapter, side, { tables: ['m'], copyFastPath: false }));
      expect(error.message).toMatch(/Table "m", key \(1234\): \S+ refused the row: .*violates check constraint/);
    } finally {
      await side.close();
      await other.drop();
    }
  });
});
