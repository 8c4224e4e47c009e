import { describe, expect, it } from 'vitest';
import { ConstraintError, type DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { dropOwnTables, twoTestDatabases } from './two-databases';
import { cleanupAfterEach, openSide, syncOrOutbox, withD1Primary } from './open-side';

/**
 * SQLite's `INSERT OR FAIL` keeps the rows a statement wrote before the one that failed and
 * reports only the error, so no RETURNING shows them. Through the dual write it runs as
 * `OR ABORT`: a failing statement leaves no row on either side, the transaction around it
 * goes on, and one that succeeds lands on both.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

const FAILING = 'INSERT OR FAIL INTO t (id, n) VALUES (10, 10), (11, 11), (1, 12)';

async function pairWithTable(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  for (const side of [primary, secondary]) {
    if (side.dialect === 'postgres') await dropOwnTables(side);
    await side.execute('DROP TABLE IF EXISTS t');
    await side.execute('DROP TABLE IF EXISTS keyless');
    await side.execute('CREATE TABLE t (id bigint PRIMARY KEY, n bigint UNIQUE)');
    await side.execute('CREATE TABLE keyless (n bigint UNIQUE, note text)');
  }
}

const ids = async (side: DatabaseAdapter) => (await side.query<{ id: unknown }>('SELECT id FROM t ORDER BY id')).map((r) => Number(r.id));

describe('INSERT OR FAIL through the dual write', () => {
  it.each(['sync', 'outbox'] as const)('SQLite -> Postgres (%s): a failing statement leaves no row on either side', async (mode) => {
    const opened: DatabaseAdapter[] = [];
    cleanup(() => Promise.all(opened.map((a) => a.close())));
    const primary = openSide(dbs, 'sqlite', 'a', opened);
    const secondary = openSide(dbs, 'postgres', 'b', opened);
    await pairWithTable(primary, secondary);
    const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);
    await app.execute('INSERT INTO t (id, n) VALUES (1, 1), (2, 2)');

    await expect(app.execute(FAILING)).rejects.toBeInstanceOf(ConstraintError);
    await app.transaction(async (tx) => {
      await expect(tx.execute('INSERT OR FAIL INTO t (id, n) VALUES (20, 20), (2, 21)')).rejects.toBeInstanceOf(ConstraintError);
      await tx.execute('INSERT INTO t (id, n) VALUES (30, 30)');
    });
    const db = app.db as any;
    await expect(
      db
        .insertInto('t')
        .orFail()
        .values([
          { id: 40, n: 40 },
          { id: 2, n: 41 },
        ])
        .execute(),
    ).rejects.toBeInstanceOf(ConstraintError);
    // A table without a key replays the statement: the secondary gets what the primary kept.
    await app.execute("INSERT INTO keyless (n, note) VALUES (1, 'a')");
    await expect(app.execute("INSERT OR FAIL INTO keyless (n, note) VALUES (2, 'b'), (1, 'c')")).rejects.toBeInstanceOf(ConstraintError);
    await app.execute('INSERT OR FAIL INTO t (id, n) VALUES (50, 50), (51, 51)');
    await drained();

    expect(await ids(primary)).toEqual([1, 2, 30, 50, 51]);
    expect(await ids(secondary)).toEqual([1, 2, 30, 50, 51]);
    expect(await primary.query('SELECT n FROM keyless')).toEqual([{ n: 1 }]);
    expect(await secondary.query('SELECT n FROM keyless')).toEqual([{ n: 1 }]);
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, keyColumns: { keyless: ['n'] } });
    expect(report.ok).toBe(true);
  });

  it('D1 -> SQLite: the same on a D1 primary', async () => {
    await withD1Primary(async (primary) => {
      const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
      cleanup(() => secondary.close());
      await pairWithTable(primary, secondary);
      const { adapter: app } = syncOrOutbox(primary, secondary, 'sync', cleanup);
      await app.execute('INSERT INTO t (id, n) VALUES (1, 1)');
      await expect(app.execute(FAILING)).rejects.toBeInstanceOf(ConstraintError);
      await app.execute('INSERT OR FAIL INTO t (id, n) VALUES (50, 50)');
      expect(await ids(primary)).toEqual([1, 50]);
      expect(await ids(secondary)).toEqual([1, 50]);
      await app.close();
    });
  });
});
