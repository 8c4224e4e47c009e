import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import type { DatabaseAdapter } from '@switchyard/core';
import { dropOwnTables, twoTestDatabases } from './two-databases';
import { cleanupAfterEach, syncOrOutbox } from './open-side';

/**
 * Legacy table inheritance on Postgres (`CREATE TABLE special (…) INHERITS (items)`): an
 * `UPDATE items` or `DELETE FROM items` without `ONLY` also reaches `special`'s rows, and
 * `RETURNING` shows them as `items` rows, so captured they landed in `items` on the
 * secondary and `special` kept its old values, nothing counted. Such writes are replicated
 * as their statements and named so; with `ONLY`, and every INSERT, they are captured;
 * validation reads `items` with `ONLY`, and says so when a secondary without the
 * inheritance could not follow.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

async function inheriting(side: DatabaseAdapter): Promise<void> {
  await dropOwnTables(side);
  await side.execute('DROP TABLE IF EXISTS items CASCADE');
  await side.execute('CREATE TABLE items (id bigserial PRIMARY KEY, n int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())');
  await side.execute('CREATE TABLE special (id bigint PRIMARY KEY, extra text) INHERITS (items)');
}

async function sqliteTables(side: DatabaseAdapter): Promise<void> {
  await side.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, at TEXT)');
  await side.execute('CREATE TABLE special (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, at TEXT, extra TEXT)');
}

/** Writes every secondary can follow: inserts, and updates and deletes with ONLY or on the child. */
async function capturedWrites(app: DatabaseAdapter): Promise<void> {
  await app.execute('INSERT INTO items (n) VALUES (1), (2)');
  await app.execute("INSERT INTO special (id, n, extra) VALUES (10, 10, 'x'), (11, 11, 'y')");
  await app.execute('UPDATE ONLY items SET n = n + 100');
  await app.execute('DELETE FROM ONLY items WHERE id = ?', [2]);
  await app.execute("UPDATE special SET extra = extra || '!' WHERE id = ?", [10]);
}

describe('a Postgres table other tables inherit', () => {
  it.each(['sync', 'outbox'] as const)(
    'Postgres -> Postgres (%s): writes reaching the heirs are replayed, the sides equal',
    async (mode) => {
      const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
      const secondary = createPostgresAdapter(dbs.database.url, { name: 'b' });
      for (const side of [primary, secondary]) await inheriting(side);
      const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);
      await capturedWrites(app);
      expect(app.getMetadata().replicatedByStatement).toEqual([]);
      // Reaches special's rows: replayed, as the secondary has the same inheritance.
      await app.execute('UPDATE items SET n = -n WHERE n >= ?', [10]);
      await app.execute('DELETE FROM items WHERE id = ?', [11]);
      await drained();
      const replayed = app.getMetadata().replicatedByStatement;
      expect(replayed.map((r) => r.sql)).toEqual(['UPDATE items SET n = -n WHERE n >= ?', 'DELETE FROM items WHERE id = ?']);
      for (const { reason } of replayed) expect(reason).toMatch(/special inherits items \(INHERITS\).*UPDATE ONLY/);
      expect(await secondary.query('SELECT id, n FROM ONLY items ORDER BY id')).toEqual([{ id: 1, n: -101 }]);
      expect(await secondary.query('SELECT id, n, extra FROM special ORDER BY id')).toEqual([{ id: 10, n: -10, extra: 'x!' }]);
      expect(app.getMetrics()).toMatchObject({ journalDepth: 0, verificationFailures: 0 });
      // Read without ONLY, items would hold id 10 twice on each side: validation read it as an error.
      const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['items', 'special'] });
      expect(report.ok).toBe(true);
      // The default the primary evaluated, not the secondary's own.
      expect(await secondary.query('SELECT at FROM ONLY items')).toEqual(await primary.query('SELECT at FROM ONLY items'));
      await primary.close();
      await secondary.close();
    },
  );

  it.each(['sync', 'outbox'] as const)(
    'Postgres -> SQLite (%s): ONLY writes arrive as rows; a write reaching the heirs is named, and validation sees the difference',
    async (mode) => {
      const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
      const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
      await inheriting(primary);
      await sqliteTables(secondary);
      const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);
      await capturedWrites(app);
      await drained();
      const tables = ['items', 'special'];
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables })).ok).toBe(true);
      expect(app.getMetadata().replicatedByStatement).toEqual([]);

      // SQLite has no inheritance: the replayed UPDATE changes its items only.
      await app.execute('UPDATE items SET n = 0 WHERE id = ?', [10]);
      await drained();
      expect(app.getMetadata().replicatedByStatement).toHaveLength(1);
      const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables });
      expect(report.tables.find((t) => t.table === 'special')?.status).toBe('mismatch');
      expect(report.tables.find((t) => t.table === 'items')?.status).toBe('ok');
      await primary.close();
      await secondary.close();
    },
  );
});
