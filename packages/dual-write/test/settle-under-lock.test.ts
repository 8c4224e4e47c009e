import { describe, expect, it } from 'vitest';
import pg from 'pg';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit';
import { ColumnTypeCache } from '../src/_internal/column-types';
import { RowSettler } from '../src/_internal/row-settle';
import { TableCatalog } from '../src/_internal/table-catalog';
import type { RowRef } from '../src/row-ref';

/** Settles `refs` from `primary` to `secondary` with their rows locked on the primary, as a settle after a divergence does. */
function lockedSettle(primary: DatabaseAdapter, secondary: DatabaseAdapter, ...refs: RowRef[]): Promise<unknown> {
  const catalog = new TableCatalog();
  return new RowSettler(catalog, new ColumnTypeCache(() => [primary, secondary], catalog)).resync(primary, secondary, refs, true);
}

const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);

describe('settling rows under the primary row lock', () => {
  it('reads the table definitions through the lock transaction: a SQLite primary never waits for itself', async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
    await primary.execute('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
    await primary.execute('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), n INTEGER)');
    await secondary.execute('PRAGMA foreign_keys = ON');
    await secondary.execute('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
    await secondary.execute('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), n INTEGER)');
    await primary.batch([{ sql: 'INSERT INTO parent (id) VALUES (1)' }, { sql: 'INSERT INTO child (id, parent_id, n) VALUES (1, 1, 7)' }]);
    // A catalog that has read nothing yet (as after a replay invalidated it), and a
    // secondary missing the parent, so the settle copies it: every definition and the
    // parent row are read while the lock transaction is open.
    await within(3_000, lockedSettle(primary, secondary, { table: 'child', key: { id: 1 } }));
    expect(await secondary.query('SELECT id, parent_id, n FROM child')).toEqual([{ id: 1, parent_id: 1, n: 7 }]);
    expect(await secondary.query('SELECT id FROM parent')).toEqual([{ id: 1 }]);
    await Promise.all([primary.close(), secondary.close()]);
  });
});

describe('the order in which a settle locks rows on a Postgres primary', () => {
  it('is the order of a cascade, referenced tables first: an app delete of the parent waits for it instead of deadlocking', async () => {
    const database = await createTestDatabase();
    const primary = createPostgresAdapter(database.url, { name: 'a', max: 3 });
    const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
    const blocker = new pg.Client({ connectionString: database.url });
    const app = new pg.Client({ connectionString: database.url });
    await Promise.all([blocker.connect(), app.connect()]);
    try {
      await primary.execute('CREATE TABLE parent (id int PRIMARY KEY, n int)');
      await primary.execute('CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id) ON DELETE CASCADE)');
      await secondary.execute('CREATE TABLE parent (id INTEGER PRIMARY KEY, n INTEGER)');
      await secondary.execute('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER)');
      for (const side of [primary, secondary]) {
        await side.batch([{ sql: 'INSERT INTO parent (id, n) VALUES (1, 0)' }, { sql: 'INSERT INTO child (id, parent_id) VALUES (1, 1)' }]);
      }
      const waiting = async () =>
        Number(
          (
            await blocker.query(
              "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
          ).rows[0].n,
        );
      // The parent is held, so the app's delete waits for it first, and the settle after it.
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM parent WHERE id = 1 FOR NO KEY UPDATE');
      const deleted = app.query('DELETE FROM parent WHERE id = 1');
      await expect.poll(waiting, { timeout: 5_000 }).toBe(1);
      // The child is named first: locked in that order, the settle would hold the child the
      // delete's cascade needs while it waits for the parent the delete holds.
      const settled = lockedSettle(primary, secondary, { table: 'child', key: { id: 1 } }, { table: 'parent', key: { id: 1 } });
      await expect.poll(waiting, { timeout: 5_000 }).toBe(2);
      await blocker.query('COMMIT');
      const [deleteResult, settleResult] = await Promise.allSettled([deleted, within(10_000, settled)]);
      if (deleteResult.status === 'rejected') console.log(String(deleteResult.reason));
      expect(deleteResult).toMatchObject({ status: 'fulfilled', value: { rowCount: 1 } });
      expect(settleResult.status).toBe('fulfilled');
      // The settle ran after the delete: both rows are gone from the secondary too.
      expect(await secondary.query('SELECT id FROM parent UNION ALL SELECT id FROM child')).toEqual([]);
    } finally {
      await Promise.all([blocker.end(), app.end(), primary.close(), secondary.close()]);
      await database.drop();
    }
  });
});

describe('rows of one table that a settle locks on a Postgres primary', () => {
  it('are locked in key order, whatever order the table stores them in: a transaction locking them in key order waits, it does not deadlock', async () => {
    const database = await createTestDatabase();
    const primary = createPostgresAdapter(database.url, { name: 'a', max: 3 });
    const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
    const app = new pg.Client({ connectionString: database.url });
    await app.connect();
    try {
      await primary.execute('CREATE TABLE t (id int PRIMARY KEY, n int)');
      await secondary.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)');
      // Stored 2 before 1: a scan of the table meets them in that order.
      await primary.batch([{ sql: 'INSERT INTO t (id, n) VALUES (2, 0)' }, { sql: 'INSERT INTO t (id, n) VALUES (1, 0)' }]);
      await app.query('BEGIN');
      await app.query('UPDATE t SET n = 1 WHERE id = 1');
      const settled = lockedSettle(primary, secondary, { table: 't', key: { id: 1 } }, { table: 't', key: { id: 2 } });
      await expect
        .poll(
          async () =>
            Number(
              (
                await primary.query<{ n: string }>(
                  "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                )
              )[0]!.n,
            ),
          {
            timeout: 5_000,
          },
        )
        .toBe(1);
      // The app now takes the second row: the settle must not hold it already.
      await app.query('UPDATE t SET n = 1 WHERE id = 2');
      await app.query('COMMIT');
      await within(10_000, settled);
      expect(await secondary.query('SELECT id, n FROM t ORDER BY id')).toEqual([
        { id: 1, n: 1 },
        { id: 2, n: 1 },
      ]);
    } finally {
      await Promise.all([app.end(), primary.close(), secondary.close()]);
      await database.drop();
    }
  });
});
