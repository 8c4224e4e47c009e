import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { CHECKPOINT_TABLE, copyTables } from '../src/index';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, seedSqliteItems, usePostgresDatabase } from './fixtures';

describe('several workers sharing one copy into Postgres', () => {
  const postgres = usePostgresDatabase();

  it('claims key ranges with FOR UPDATE SKIP LOCKED: each range copied by one worker, every row once', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, 40_000);
    await postgres.adapter.execute(ITEMS_POSTGRES);
    // Two workers as two machines would run them: their own adapters, their own names.
    const second = createPostgresAdapter(postgres.url);
    const options = { ranges: 8, batchSize: 1000 };
    const [a, b] = await Promise.all([
      copyTables(source, postgres.adapter, { ...options, workerId: 'worker-a' }),
      copyTables(source, second, { ...options, workerId: 'worker-b' }),
    ]);
    await second.close();
    expect(a.tables[0]!.status).toBe('done');
    expect(b.tables[0]!.status).toBe('done');
    // Each range is read once: the rows the two workers copied add up to the table.
    expect(a.summary.rowsCopied + b.summary.rowsCopied).toBe(40_000);
    expect(a.summary.rowsCopied).toBeGreaterThan(0);
    expect(b.summary.rowsCopied).toBeGreaterThan(0);
    const ranges = await postgres.adapter.query<{ range_id: number; status: string; worker: string; rows_copied: number }>(
      `SELECT range_id, status, worker, rows_copied FROM ${CHECKPOINT_TABLE} WHERE table_name = 'items' ORDER BY range_id`,
    );
    expect(ranges).toHaveLength(8);
    expect(new Set(ranges.map((r) => r.status))).toEqual(new Set(['done']));
    expect(new Set(ranges.map((r) => r.worker))).toEqual(new Set(['worker-a', 'worker-b']));
    expect(ranges.reduce((n, r) => n + Number(r.rows_copied), 0)).toBe(40_000);
    expect(await assertTablesEqual(source, postgres.adapter, 'items')).toBe(40_000);
    await source.close();
  });
});
