import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { CHECKPOINT_TABLE, copyTables } from '../src/index';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, seedSqliteItems, usePostgresDatabase } from './fixtures';

describe('a copy that died between a batch commit and its reconcile', () => {
  const postgres = usePostgresDatabase();

  it('reconciles that batch when it resumes: a row deleted meanwhile goes, an updated one is current', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, 3000);
    await postgres.adapter.execute(ITEMS_POSTGRES);
    await copyTables(source, postgres.adapter, { workerId: 'copier-1', batchSize: 1000 });
    // What the run left: batches up to 2000 committed, the one of 1001..2000 not reconciled.
    await postgres.adapter.execute('DELETE FROM items WHERE id > 2000');
    await postgres.adapter.execute(
      `UPDATE ${CHECKPOINT_TABLE} SET status = 'running', last_key = '[2000]', batch_start = '[1000]', rows_copied = 2000, updated_at = ?`,
      [new Date().toISOString()],
    );
    // The app's writes inside that batch's window reached the target before the batch's older
    // rows did (a dual-write delete of a row not copied yet, an update the copy overwrote).
    await source.execute('DELETE FROM items WHERE id IN (1500, 1501)');
    await source.execute('UPDATE items SET name = ?, score = score + 1 WHERE id = 1600', ['changed']);
    const result = await copyTables(source, postgres.adapter, { workerId: 'copier-1', batchSize: 1000 });
    expect(result.tables[0]).toMatchObject({ status: 'done' });
    expect(await assertTablesEqual(source, postgres.adapter, 'items')).toBe(2998);
    await source.close();
  });
});
