import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { openSide } from './open-side';
import { recreateTables, twoTestDatabases } from './two-databases';

// A key move is journaled as its statement. The secondary can refuse it for good: a child
// written under the new key reached it first and had its parent copied there from the
// primary, so `UPDATE acct SET id = 17 WHERE id = 7` meets a row 17 already. Replayed as
// written it would fail on every replay and hold back every later write to the table; the
// replay settles the rows it would have changed from the primary instead.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0).reverse()) await a.close();
});

const TABLES = ['acct', 'item'];
const DDL = [
  'CREATE TABLE acct (id int PRIMARY KEY, code text NOT NULL UNIQUE)',
  'CREATE TABLE item (id int PRIMARY KEY, acct_id int REFERENCES acct (id) ON DELETE CASCADE ON UPDATE CASCADE, n int NOT NULL)',
];

// Postgres SQL written with `$n` placeholders too: the filter run again there names its values by number.
for (const [from, move] of [
  ['sqlite', 'UPDATE acct SET id = ?, code = ? WHERE id = ?'],
  ['postgres', 'UPDATE acct SET id = ?, code = ? WHERE id = ?'],
  ['postgres', 'UPDATE acct SET id = $1, code = $2 WHERE id = $3'],
  // The filter names the table by an alias, or joins another table: run again under the same names.
  ['sqlite', 'UPDATE acct AS a SET id = ?, code = ? WHERE a.id = ?'],
  [
    'postgres',
    'UPDATE acct a SET id = v.id, code = v.code FROM (VALUES ($1::int, $2::text, $3::int)) AS v (id, code, old) WHERE a.id = v.old',
  ],
] as const) {
  describe(`${from} -> postgres, foreign keys on both sides, ${move}`, () => {
    it('settles from the primary a key move the secondary refuses because the new key is there already, and what waited behind it', async () => {
      const primary = await recreateTables(openSide(dbs, from, 'a', opened), TABLES, DDL);
      const secondary = await recreateTables(openSide(dbs, 'postgres', 'b', opened), TABLES, DDL);
      const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true });
      opened.push(dual);
      await dual.execute("INSERT INTO acct (id, code) VALUES (7, 'c7'), (8, 'c8')");
      await dual.execute('INSERT INTO item (id, acct_id, n) VALUES (1, 7, 0), (2, 8, 0)');
      // The copy of the parent a child under the new key brought ahead of the move.
      await secondary.execute("INSERT INTO acct (id, code) VALUES (17, 'c17')");
      await dual.execute(move, [17, 'c17', 7]);
      expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);
      // Later writes to the table wait behind the journaled statement.
      await dual.execute('UPDATE acct SET code = ? WHERE id = 8', ['c9']);
      await dual.execute('INSERT INTO item (id, acct_id, n) VALUES (3, 17, 1)');
      const replayed = await dual.replayJournal();
      expect(replayed.error).toBeUndefined();
      expect(replayed.remaining).toBe(0);
      const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
      expect(report.ok, report.summary).toBe(true);
      expect(await secondary.query('SELECT id, acct_id FROM item ORDER BY id')).toEqual([
        { id: 1, acct_id: 17 },
        { id: 2, acct_id: 8 },
        { id: 3, acct_id: 17 },
      ]);
    });
  });
}
