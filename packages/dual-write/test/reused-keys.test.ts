import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { openSide } from './open-side';
import { recreateTables, twoTestDatabases } from './two-databases';

// SQLite gives an insert without a key the highest key plus one: once the highest row is
// deleted, the next insert gets its key again. A write that names that row and then
// inserts holds the row's lock already when the new row needs it; the locks are not
// reentrant, so taking it again used to wait for the write itself, and every later write
// to the table waited behind it for ever.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const DDL = (side: DatabaseAdapter) => [
  `CREATE TABLE t (id ${side.dialect === 'postgres' ? 'bigint' : 'INTEGER'} PRIMARY KEY, n int NOT NULL)`,
];

async function pair(to: 'sqlite' | 'postgres') {
  const primary = openSide(dbs, 'sqlite', 'a', opened);
  const secondary = openSide(dbs, to, 'b', opened);
  for (const side of [primary, secondary]) await recreateTables(side, ['t'], DDL(side));
  const dual = createDualWriteAdapter(primary, secondary, { secondaryTimeoutMs: 2_000 });
  await dual.execute('INSERT INTO t (id, n) VALUES (1, 1), (2, 2), (3, 3)');
  return { primary, secondary, dual };
}

async function expectEqual(primary: DatabaseAdapter, secondary: DatabaseAdapter) {
  const report = await validateDatabases(primary, secondary, { tables: ['t'], validateAllRows: true });
  expect(report.ok, report.summary).toBe(true);
}

describe('a new row that gets the key of a row the same write named or created', () => {
  for (const to of ['sqlite', 'postgres'] as const) {
    it(`sqlite -> ${to}: a batch deleting the highest row, then inserting without a key, completes`, { timeout: 15_000 }, async () => {
      const { primary, secondary, dual } = await pair(to);
      const results = await dual.batch([
        { sql: 'DELETE FROM t WHERE id = ?', params: [3] },
        { sql: 'INSERT INTO t (n) VALUES (?)', params: [30] },
      ]);
      expect(results[1]!.lastInsertId).toBe(3);
      // The table is free again: a later write to the same row does not wait.
      await dual.execute('UPDATE t SET n = n + 1 WHERE id = ?', [3]);
      expect(await secondary.query('SELECT id, n FROM t ORDER BY id')).toEqual([
        { id: 1, n: 1 },
        { id: 2, n: 2 },
        { id: 3, n: 31 },
      ]);
      await expectEqual(primary, secondary);
    });

    it(
      `sqlite -> ${to}: a batch inserting the same new key twice (deleted between by a non-key column) completes`,
      { timeout: 15_000 },
      async () => {
        const { primary, secondary, dual } = await pair(to);
        const results = await dual.batch([
          { sql: 'INSERT INTO t (n) VALUES (?)', params: [40] },
          { sql: 'DELETE FROM t WHERE n = ?', params: [40] },
          { sql: 'INSERT INTO t (n) VALUES (?)', params: [41] },
        ]);
        expect([results[0]!.lastInsertId, results[2]!.lastInsertId]).toEqual([4, 4]);
        await dual.execute('UPDATE t SET n = n + 1 WHERE id = ?', [4]);
        expect(await secondary.query('SELECT id, n FROM t WHERE id = 4')).toEqual([{ id: 4, n: 42 }]);
        await expectEqual(primary, secondary);
      },
    );
  }
});
