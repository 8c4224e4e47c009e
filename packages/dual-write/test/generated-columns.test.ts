import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox } from '../src/mirror/outbox-drain';
import { outboxMirror } from '../src/mirror/outbox-mirror';
import { dropOwnTables, twoTestDatabases } from './two-databases';

// A generated column is computed by each side from the row: the image carries the
// primary's value, but the secondary takes none (Postgres refuses one with SQLSTATE 428C9,
// which used to fail every write to such a table there) and computes its own, which
// verifyWrites and validation then compare.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const PG = 'CREATE TABLE g (id int PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (a * 2) STORED)';
const SQLITE_STORED = 'CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 2) STORED)';
const SQLITE_VIRTUAL = 'CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, twice INTEGER AS (a * 2) VIRTUAL)';

type Side = 'pg-a' | 'pg-b' | 'sqlite';

async function open(side: Side, ddl: string): Promise<DatabaseAdapter> {
  const adapter =
    side === 'sqlite'
      ? createSQLiteAdapter(':memory:', { name: 'sqlite' })
      : createPostgresAdapter(side === 'pg-a' ? dbs.database.url : dbs.other.url, { name: side, max: 4 });
  opened.push(adapter);
  if (adapter.dialect === 'postgres') {
    await adapter.execute('DROP TABLE IF EXISTS g');
    await dropOwnTables(adapter);
  }
  await adapter.execute(ddl);
  return adapter;
}

/** Inserts, relative and absolute updates, a batch with a delete, a transaction. */
async function workload(dual: DatabaseAdapter): Promise<void> {
  await dual.execute('INSERT INTO g (id, a) VALUES (?, ?)', [1, 2]);
  await dual.execute('INSERT INTO g (id, a) VALUES (?, ?), (?, ?)', [2, 5, 3, 7]);
  await dual.execute('UPDATE g SET a = a + 1');
  await dual.batch([
    { sql: 'INSERT INTO g (id, a) VALUES (?, ?)', params: [10, 1] },
    { sql: 'DELETE FROM g WHERE id = ?', params: [1] },
  ]);
  await dual.transaction(async (tx) => {
    await tx.execute('UPDATE g SET a = ? WHERE id = ?', [7, 10]);
  });
}

async function expectEqual(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  const rows = await primary.query('SELECT id, a, twice FROM g ORDER BY id');
  expect(rows).toEqual([
    { id: 2, a: 6, twice: 12 },
    { id: 3, a: 8, twice: 16 },
    { id: 10, a: 7, twice: 14 },
  ]);
  expect(await secondary.query('SELECT id, a, twice FROM g ORDER BY id')).toEqual(rows);
  const report = await validateDatabases(primary, secondary, { tables: ['g'], validateAllRows: true });
  expect(report.tables[0]!.schemaDifferences).toEqual([]);
  expect(report.ok).toBe(true);
}

describe('generated columns', () => {
  const pairs: Array<[string, [Side, string], [Side, string]]> = [
    ['Postgres -> Postgres', ['pg-a', PG], ['pg-b', PG]],
    ['SQLite (stored) -> Postgres', ['sqlite', SQLITE_STORED], ['pg-b', PG]],
    ['SQLite (virtual) -> Postgres', ['sqlite', SQLITE_VIRTUAL], ['pg-b', PG]],
    ['Postgres -> SQLite', ['pg-a', PG], ['sqlite', SQLITE_STORED]],
  ];
  for (const [name, [p, pd], [s, sd]] of pairs) {
    it(`${name}: every write reaches the secondary, which computes the column itself; verifyWrites finds no difference`, async () => {
      const primary = await open(p, pd);
      const secondary = await open(s, sd);
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      await workload(dual);
      const m = dual.getMetrics();
      expect([m.secondaryFailures, m.verificationFailures, m.journalDepth]).toEqual([0, 0, 0]);
      await expectEqual(primary, secondary);
    });
  }

  it('SQLite -> Postgres through an outbox: the drain leaves the generated column to Postgres', async () => {
    const primary = await open('sqlite', SQLITE_STORED);
    const secondary = await open('pg-b', PG);
    const mirror = outboxMirror(primary);
    await workload(createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror }));
    const drained = await drainOutbox(secondary, { mirror });
    expect(drained).toMatchObject({ stale: 0, repaired: 0 });
    await expectEqual(primary, secondary);
  });
});
