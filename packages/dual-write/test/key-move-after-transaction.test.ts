import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { openSide } from './open-side';
import { sleep } from './table-locks';
import { recreateTables, twoTestDatabases } from './two-databases';

// A transaction moves ticket 1 to key 12. Meanwhile a write asks to move ticket 1 to key
// 10: it takes its locks first, but runs on the primary after the transaction committed,
// so it moves nothing there. A transaction's rows are settled after its commit, so on the
// secondary the write comes first: replayed there, it would still find ticket 1 and leave
// a ticket 10 the primary never had. A key move that moved nothing is not replayed.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const DDL = ['CREATE TABLE ticket (id int PRIMARY KEY, state text NOT NULL)'];

describe('a key move that moved nothing on the primary', () => {
  for (const from of ['sqlite', 'postgres'] as const) {
    it(`${from} -> Postgres: is not replayed after a transaction that moved the row first`, async () => {
      const primary = await recreateTables(openSide(dbs, from, 'a', opened), ['ticket'], DDL);
      const secondary = await recreateTables(openSide(dbs, 'postgres', 'b', opened), ['ticket'], DDL);
      const dual = createDualWriteAdapter(primary, secondary);
      await dual.execute("INSERT INTO ticket (id, state) VALUES (1, 'open')");

      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let moved = false;
      const tx = dual.transaction(async (t) => {
        await t.execute('UPDATE ticket SET id = 12 WHERE id = 1');
        moved = true;
        await gate;
      });
      while (!moved) await sleep(5);
      // Waits on the primary for the transaction; on the secondary it goes first.
      const late = dual.execute('UPDATE ticket SET id = 10 WHERE id = 1');
      await sleep(50);
      open();
      await tx;
      expect((await late).rowsAffected).toBe(0);

      expect(await secondary.query('SELECT id, state FROM ticket ORDER BY id')).toEqual([{ id: 12, state: 'open' }]);
      const report = await validateDatabases(primary, secondary, { tables: ['ticket'], validateAllRows: true });
      expect(report.ok, report.summary).toBe(true);
    });
  }
});
