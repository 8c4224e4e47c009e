import { describe, expect, it } from 'vitest';
import { createDualWriteAdapter } from '@switchyard/dual-write';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { copyTables } from '../src/index';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, seedSqliteItems, usePostgresDatabase } from './fixtures';

const EXISTING = 20_000;

describe('copyTables while dual writes run', () => {
  const postgres = usePostgresDatabase();

  it('SQLite -> Postgres ends equal with inserts, updates and deletes made through the dual-write adapter during the copy', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    await sqlite.execute(ITEMS_SQLITE);
    seedSqliteItems(sqlite, EXISTING);
    await postgres.adapter.execute(ITEMS_POSTGRES);
    const app = createDualWriteAdapter(sqlite, postgres.adapter, { mode: 'primary-sqlite', secondaryTimeoutMs: 30_000 });

    let copying = true;
    let writes = 0;
    let nextId = EXISTING + 1;
    // Deterministic pseudo-random ops so a failure can be replayed.
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const appLoop = (async () => {
      while (copying || writes < 300) {
        const op = random(10);
        const id = 1 + random(EXISTING);
        if (op < 4) {
          // created_at is given: each engine would fill its DEFAULT CURRENT_TIMESTAMP with its own clock.
          await app.execute('INSERT INTO items (id, name, active, payload, created_at) VALUES (?, ?, ?, ?, ?)', [
            nextId++,
            `new ${writes}`,
            true,
            { w: writes },
            new Date(1_700_000_000_000 + writes),
          ]);
        } else if (op < 8) {
          await app.execute('UPDATE items SET name = ?, score = ?, active = ? WHERE id = ?', [
            `updated ${writes}`,
            writes / 3,
            op % 2 === 0,
            id,
          ]);
        } else {
          await app.execute('DELETE FROM items WHERE id = ?', [id]);
        }
        writes++;
        // Yield so the copy's batches interleave with the app's writes.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    const result = await copyTables(sqlite, postgres.adapter, { tables: ['items'], batchSize: 500, reconcile: true });
    copying = false;
    await appLoop;
    expect(result.tables[0]!.status).toBe('done');
    expect(writes).toBeGreaterThanOrEqual(300);
    const rows = await assertTablesEqual(sqlite, postgres.adapter, 'items');
    expect(rows).toBeGreaterThan(EXISTING - writes);
    await sqlite.close();
  });
});
