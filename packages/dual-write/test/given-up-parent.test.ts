import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { type DualWriteAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { holdNextWrite } from './held-write';
import { openSide } from './open-side';
import { replayUntilEmpty } from './replay-until-empty';
import { recreateTables, twoTestDatabases } from './two-databases';

// A parent's write that failed on the secondary (given up on at its timeout and never
// landed, or refused there) while children written under the parent's code reached the
// secondary on another batch; then the code is renamed, and the primary's ON UPDATE CASCADE
// moves the children. The secondary has no foreign keys (they come after the backfill), so
// nothing there moves them: the replay must still leave them where the primary has them.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0).reverse()) await a.close();
});

const TABLES = ['acct', 'slot', 'item'];
const tables = (fk: (sql: string) => string) => [
  'CREATE TABLE acct (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)',
  `CREATE TABLE slot (acct_code TEXT NOT NULL ${fk('REFERENCES acct (code) ON UPDATE CASCADE ON DELETE CASCADE')}, k INTEGER NOT NULL, PRIMARY KEY (acct_code, k))`,
  `CREATE TABLE item (id INTEGER PRIMARY KEY, acct_code TEXT ${fk('REFERENCES acct (code) ON UPDATE CASCADE')})`,
];

/** Sent while the parent's write is on its way: these land. Then the rename, the replay, and what the secondary holds. */
async function childrenThenRename(dual: DualWriteAdapter, primary: DatabaseAdapter, secondary: DatabaseAdapter, parent: Promise<unknown>) {
  await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('a', 1)");
  await dual.execute("INSERT INTO item (id, acct_code) VALUES (5, 'a')");
  expect(await secondary.query('SELECT acct_code, k FROM slot')).toEqual([{ acct_code: 'a', k: 1 }]);
  await parent;
  expect(await secondary.query('SELECT id FROM acct')).toEqual([]);

  await dual.execute("UPDATE acct SET code = 'b' WHERE id = 1");
  await replayUntilEmpty(dual);

  expect(await secondary.query('SELECT id, code FROM acct')).toEqual([{ id: 1, code: 'b' }]);
  expect(await secondary.query('SELECT acct_code, k FROM slot')).toEqual([{ acct_code: 'b', k: 1 }]);
  expect(await secondary.query('SELECT id, acct_code FROM item')).toEqual([{ id: 5, acct_code: 'b' }]);
  const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
  expect(report.ok, report.summary).toBe(true);
}

async function open(kind: 'sqlite' | 'postgres', secondaryTables: string[]) {
  const primary = await recreateTables(
    openSide(dbs, kind, 'a', opened),
    TABLES,
    tables((sql) => sql),
  );
  const secondary = await recreateTables(openSide(dbs, kind, 'b', opened), TABLES, secondaryTables);
  return { primary, secondary };
}

const options = { continueOnSecondaryFailure: true, secondaryTimeoutMs: 400, probeIntervalMs: 30 };

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`${kind} -> ${kind}, the secondary without foreign keys`, () => {
    it('moves a child that reached the secondary while its parent was given up on, once the parent is renamed', async () => {
      const { primary, secondary } = await open(
        kind,
        tables(() => ''),
      );
      const silent = holdNextWrite(secondary);
      const dual = createDualWriteAdapter(primary, silent.adapter, options);
      opened.push(dual);
      silent.arm();
      const parent = dual.execute("INSERT INTO acct (id, code) VALUES (1, 'a')");
      await silent.held;
      await childrenThenRename(dual, primary, secondary, parent);
      expect(dual.getMetrics().secondaryTimeouts).toBe(1);
    });

    it('moves a child that reached the secondary while its parent was refused there, once the parent is renamed', async () => {
      // The secondary refuses the old code (a CHECK it alone has), so the parent's row reaches it only after the rename.
      const [acct, ...rest] = tables(() => '');
      const { primary, secondary } = await open(kind, [acct!.replace('UNIQUE', "UNIQUE CHECK (code <> 'a')"), ...rest]);
      const slow = holdNextWrite(secondary);
      const dual = createDualWriteAdapter(primary, slow.adapter, options);
      opened.push(dual);
      slow.arm(150);
      const parent = dual.execute("INSERT INTO acct (id, code) VALUES (1, 'a')");
      await slow.held;
      await childrenThenRename(dual, primary, secondary, parent);
      expect(dual.getMetrics().secondaryTimeouts).toBe(0);
    });
  });
}
