import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { holdNextWrite } from './held-write';
import { openSide } from './open-side';
import { recreateTables, twoTestDatabases } from './two-databases';

// A transaction that renames an account's code and moves its key is settled after its
// commit, from the primary's rows as they are then. Here it waits for its locks behind a
// slow write while a seat is written under the new code (it lands at once) and a second
// transaction renames and moves the account again: the first settle then finds the
// account gone and never gives the secondary the code the seat was written under, so the
// second rename finds no seat there to move. The secondary has no foreign keys (they come
// after the backfill): the seat must still end up where the primary has it.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0).reverse()) await a.close();
});

const TABLES = ['acct', 'slot'];
const tables = (fk: string) => [
  'CREATE TABLE acct (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)',
  `CREATE TABLE slot (acct_code TEXT NOT NULL ${fk}, k INTEGER NOT NULL, PRIMARY KEY (acct_code, k))`,
];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`${kind} -> ${kind}, the secondary without foreign keys`, () => {
    it('settles a seat written under a code that a transaction gave its account and a later one renamed', async () => {
      const primary = await recreateTables(
        openSide(dbs, kind, 'a', opened),
        TABLES,
        tables('REFERENCES acct (code) ON UPDATE CASCADE ON DELETE CASCADE'),
      );
      const secondary = await recreateTables(openSide(dbs, kind, 'b', opened), TABLES, tables(''));
      const slow = holdNextWrite(secondary);
      const dual = createDualWriteAdapter(primary, slow.adapter, { secondaryTimeoutMs: 5_000 });
      opened.push(dual);
      await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1'), (50, 'c50')");

      // A key move, replicated as its statement, holds the account table while it is on its way.
      slow.arm(300);
      const holder = dual.execute('UPDATE acct SET id = 51 WHERE id = 50');
      await slow.held;
      const first = dual.transaction(async (tx) => {
        await tx.execute("UPDATE acct SET code = 't10' WHERE id = 1");
        await tx.execute('UPDATE acct SET id = 10 WHERE id = 1');
      });
      await expect.poll(() => primary.query('SELECT id FROM acct WHERE id = 10')).toEqual([{ id: 10 }]);
      await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('t10', 2)");
      await dual.transaction(async (tx) => {
        await tx.execute("UPDATE acct SET code = 't19' WHERE id = 10");
        await tx.execute('UPDATE acct SET id = 19 WHERE id = 10');
      });
      await Promise.all([holder, first]);

      expect(await primary.query('SELECT acct_code, k FROM slot')).toEqual([{ acct_code: 't19', k: 2 }]);
      expect(await secondary.query('SELECT acct_code, k FROM slot')).toEqual([{ acct_code: 't19', k: 2 }]);
      const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
      expect(report.ok, report.summary).toBe(true);
    });
  });
}
