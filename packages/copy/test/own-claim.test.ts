import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { CHECKPOINT_TABLE, copyTables, type CopyNotice } from '../src/index';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, seedSqliteItems, usePostgresDatabase } from './fixtures';

describe('a worker resuming its own copy', () => {
  const postgres = usePostgresDatabase();

  it('takes back a range left running under its own worker id at once, without waiting out the claim timeout', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, 3000);
    await postgres.adapter.execute(ITEMS_POSTGRES);
    // What a stopped run of the same worker leaves: its range running, with a fresh heartbeat.
    await copyTables(source, postgres.adapter, { workerId: 'copier-1', batchSize: 1000 });
    await postgres.adapter.execute('DELETE FROM items WHERE id > 1000');
    await postgres.adapter.execute(
      `UPDATE ${CHECKPOINT_TABLE} SET status = 'running', last_key = '[1000]', rows_copied = 1000, batch_start = '*', updated_at = ?`,
      [new Date().toISOString()],
    );
    const notices: CopyNotice[] = [];
    const started = Date.now();
    const result = await copyTables(source, postgres.adapter, {
      workerId: 'copier-1',
      claimTimeoutMs: 600_000,
      onNotice: (n) => notices.push(n),
    });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result.tables[0]).toMatchObject({ status: 'done', rowsCopied: 2000 });
    expect(notices.map((n) => n.message).join('\n')).toMatch(/own id from a run that stopped/);
    expect(await assertTablesEqual(source, postgres.adapter, 'items')).toBe(3000);
    await source.close();
  });
});
