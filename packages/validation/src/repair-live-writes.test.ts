import { describe, expect, it } from 'vitest';
import { repair, validateDatabases } from './index';
import { openEngine } from '../test/engine-pairs';
import { withLiveWrite } from '../test/live-writes';

// Dual write runs while a repair does. A live write between the repair's read of the source
// and its write to the target reached the target first, and the repair then overwrote it with
// the row as it had read it: an updated row went back to its old values (reported as a type the
// target cannot hold), and a deleted row came back into the target, unreported, for a switch
// to revive. Rows that moved on the source are read and written again, or deleted, now.
describe('repair while the app writes through dual write', () => {
  it.each([
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const)('%s -> %s: a row updated and one deleted meanwhile end as the source holds them', async (from, to) => {
    const [source, target] = [await openEngine(from), await openEngine(to)];
    try {
      for (const side of [source.adapter, target.adapter]) {
        await side.execute('CREATE TABLE accounts (id integer PRIMARY KEY, balance integer, note text)');
        await side.execute(`INSERT INTO accounts VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, 40, 'd')`);
      }
      // Rows 1-3 differ (the target missed writes); row 5 is extra in the target.
      await target.adapter.execute(`UPDATE accounts SET balance = 0 WHERE id <= 3`);
      await target.adapter.execute(`INSERT INTO accounts VALUES (5, 50, 'e'), (7, 70, 'g')`);
      const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true });
      expect(report.tables[0]).toMatchObject({ differentRowsCount: 3, extraInTargetCount: 2 });
      // Row 7, extra when validated, written by the app before the repair starts: kept.
      await source.adapter.execute(`INSERT INTO accounts VALUES (7, 70, 'g')`);

      // What dual write does, on both sides, after the repair read rows 1-3.
      const live = async () => {
        for (const side of [source.adapter, target.adapter]) {
          await side.execute('UPDATE accounts SET balance = 11 WHERE id = 1');
          await side.execute('DELETE FROM accounts WHERE id = 2');
          await side.execute(`INSERT INTO accounts VALUES (6, 60, 'f')`);
        }
        // Row 5, extra when validated, now written by the app on both sides.
        await source.adapter.execute(`INSERT INTO accounts VALUES (5, 55, 'e')`);
        await target.adapter.execute('UPDATE accounts SET balance = 55 WHERE id = 5');
      };
      const repaired = await repair(report, source.adapter, withLiveWrite(target.adapter, 'batch', live), { deleteExtra: true });
      expect(repaired.stillDifferent).toBe(0);
      expect(repaired.tables[0]!.deleted).toBe(1);
      expect(await target.adapter.query('SELECT id, balance FROM accounts ORDER BY id')).toEqual(
        await source.adapter.query('SELECT id, balance FROM accounts ORDER BY id'),
      );
      expect((await validateDatabases(source.adapter, target.adapter, { validateAllRows: true })).ok).toBe(true);
    } finally {
      await source.dispose();
      await target.dispose();
    }
  });

  it('a row that keeps changing is written three times, then reported as moving', async () => {
    const [source, target] = [await openEngine('sqlite'), await openEngine('postgres')];
    try {
      for (const side of [source.adapter, target.adapter]) await side.execute('CREATE TABLE hits (id integer PRIMARY KEY, n integer)');
      await source.adapter.execute('INSERT INTO hits VALUES (1, 1)');
      const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true });
      const bump = async () => {
        for (const side of [source.adapter, target.adapter]) await side.execute('UPDATE hits SET n = n + 1 WHERE id = 1');
      };
      const repaired = await repair(report, source.adapter, withLiveWrite(target.adapter, 'batch', bump, { every: true }));
      expect(repaired.tables[0]!.stillDifferent).toEqual([
        {
          key: { id: 1 },
          reasons: ['the source row changed while it was repaired, 3 times: validate and repair again once writes to it pause'],
        },
      ]);
    } finally {
      await source.dispose();
      await target.dispose();
    }
  });
});
