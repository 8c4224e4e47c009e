import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables } from '../src/index';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, countRows, seedSqliteItems, usePostgresDatabase } from './fixtures';

describe('copyTables between SQLite and Postgres', () => {
  const postgres = usePostgresDatabase();

  const freshPgTable = async (name: string) => {
    await postgres.adapter.execute(`DROP TABLE IF EXISTS ${name}`);
    await postgres.adapter.execute(`DELETE FROM _switchyard_checkpoints WHERE table_name = ?`, [name]).catch(() => {});
    await postgres.adapter.execute(ITEMS_POSTGRES.replace('items', name));
  };

  it('copies 100k rows SQLite -> Postgres through COPY, equal afterwards, and the identity moves past the max id', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, 100_000);
    await freshPgTable('items');
    const result = await copyTables(source, postgres.adapter);
    expect(result.tables[0]).toMatchObject({ status: 'done', method: 'copy', rowsCopied: 100_000, rowsWritten: 100_000 });
    expect(await assertTablesEqual(source, postgres.adapter, 'items')).toBe(100_000);
    const inserted = await postgres.adapter.first<{ id: number }>("INSERT INTO items (name) VALUES ('after copy') RETURNING id");
    expect(Number(inserted!.id)).toBe(100_001);
    await source.close();
  });

  // A key whose default draws from a sequence it does not own (written by hand, as older
  // schemas do) kept its sequence at 1 after the copy: the app's first insert collided.
  it('moves a sequence the key draws from without owning it past the copied ids', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute('CREATE TABLE orders_by_hand (id INTEGER PRIMARY KEY, item TEXT)');
    for (let id = 1; id <= 30; id++) await source.execute('INSERT INTO orders_by_hand VALUES (?, ?)', [id * 2, `item ${id}`]);
    await postgres.adapter.execute(`CREATE SCHEMA "Shop"; CREATE SEQUENCE "Shop".order_no;
      CREATE TABLE orders_by_hand (id bigint PRIMARY KEY DEFAULT nextval('"Shop".order_no'), item text)`);
    await copyTables(source, postgres.adapter, { tables: ['orders_by_hand'] });
    const inserted = await postgres.adapter.first<{ id: number }>("INSERT INTO orders_by_hand (item) VALUES ('next') RETURNING id");
    expect(Number(inserted!.id)).toBe(61);
    await source.close();
  });

  it('copies 100k rows Postgres -> SQLite, equal afterwards', async () => {
    const target = createSQLiteAdapter(':memory:');
    await target.execute(ITEMS_SQLITE);
    const result = await copyTables(postgres.adapter, target, { tables: ['items'] });
    expect(result.tables[0]).toMatchObject({ status: 'done', method: 'insert', rowsCopied: 100_001 });
    expect(await assertTablesEqual(postgres.adapter, target, 'items')).toBe(100_001);
    await target.close();
  });

  it('copies Postgres -> Postgres with concurrent key ranges, onConflict update overwriting stale rows', async () => {
    const other = await createTestDatabase();
    const target = createPostgresAdapter(other.url);
    try {
      await target.execute(ITEMS_POSTGRES);
      await target.execute("INSERT INTO items (id, name) VALUES (5, 'stale'), (7, 'stale')");
      const result = await copyTables(postgres.adapter, target, {
        tables: ['items'],
        onConflict: 'update',
        concurrency: 3,
        batchSize: 4000,
      });
      expect(result.tables[0]).toMatchObject({ status: 'done', ranges: 3 });
      expect(await assertTablesEqual(postgres.adapter, target, 'items')).toBe(100_001);
      const ranges = await target.query<{ status: string }>("SELECT status FROM _switchyard_checkpoints WHERE table_name = 'items'");
      expect(ranges.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    } finally {
      await target.close();
      await other.drop();
    }
  });

  it('falls back to multi-row INSERT without the COPY path and keeps onConflict skip', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, 3000);
    await freshPgTable('items_insert');
    await source.execute('ALTER TABLE items RENAME TO items_insert');
    await postgres.adapter.execute("INSERT INTO items_insert (id, name) VALUES (10, 'kept by skip')");
    const result = await copyTables(source, postgres.adapter, { copyFastPath: false });
    expect(result.tables[0]).toMatchObject({ status: 'done', method: 'insert', rowsCopied: 3000, rowsWritten: 2999, rowsSkipped: 1 });
    expect(await countRows(postgres.adapter, 'items_insert')).toBe(3000);
    expect((await postgres.adapter.first<{ name: string }>('SELECT name FROM items_insert WHERE id = 10'))!.name).toBe('kept by skip');
    const inserted = await postgres.adapter.first<{ id: number }>("INSERT INTO items_insert (name) VALUES ('next') RETURNING id");
    expect(Number(inserted!.id)).toBe(3001);
    await source.close();
  });

  it('keeps onConflict through COPY: rows already in Postgres are skipped, or updated, via the staging table', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute(ITEMS_SQLITE.replace('items', 'items_conflict'));
    await source.execute('ALTER TABLE items_conflict RENAME TO items');
    seedSqliteItems(source, 25_000);
    await source.execute('ALTER TABLE items RENAME TO items_conflict');
    await freshPgTable('items_conflict');
    // Conflicts in the first and in a later batch (10,000 rows per COPY batch).
    await postgres.adapter.execute("INSERT INTO items_conflict (id, name) VALUES (3, 'kept'), (12345, 'kept')");
    const skip = await copyTables(source, postgres.adapter, { tables: ['items_conflict'] });
    expect(skip.tables[0]).toMatchObject({ status: 'done', method: 'copy', rowsCopied: 25_000, rowsWritten: 24_998, rowsSkipped: 2 });
    expect(await postgres.adapter.query('SELECT name FROM items_conflict WHERE id IN (3, 12345) ORDER BY id')).toEqual([
      { name: 'kept' },
      { name: 'kept' },
    ]);
    expect(await countRows(postgres.adapter, 'items_conflict')).toBe(25_000);

    await postgres.adapter.execute("UPDATE items_conflict SET name = 'stale' WHERE id IN (3, 24999)");
    const update = await copyTables(source, postgres.adapter, { tables: ['items_conflict'], onConflict: 'update', resume: false });
    expect(update.tables[0]).toMatchObject({ status: 'done', rowsCopied: 25_000, rowsWritten: 25_000 });
    expect(await assertTablesEqual(source, postgres.adapter, 'items_conflict')).toBe(25_000);
    await source.close();
  });
});
