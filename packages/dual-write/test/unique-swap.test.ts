import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import type { DualWriteOptions } from '../src/dual-write-options';
import { openSide } from './open-side';
import { twoTestDatabases } from './two-databases';

// A transaction that moves unique values between rows (two items swap positions in a
// list) leaves rows that no order of upserts applies on a side that checks each row as it
// is written: each upsert meets the other row's old value. Such rows are written after
// their old versions are deleted, in one batch, where a delete can do nothing more.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const ITEMS = 'CREATE TABLE items (id int PRIMARY KEY, list int NOT NULL, pos int NOT NULL, UNIQUE (list, pos))';
type Kind = 'postgres' | 'sqlite';

async function open(kind: Kind, which: 'a' | 'b', extra: string[] = []): Promise<DatabaseAdapter> {
  const adapter = openSide(dbs, kind, which, opened);
  if (kind === 'postgres') await adapter.execute('DROP TABLE IF EXISTS notes, items');
  for (const ddl of [ITEMS, ...extra]) await adapter.execute(ddl);
  return adapter;
}

/** Three items (and whatever `between` writes), then items 1 and 2 swap positions in one transaction, through a free position. */
async function swap(dual: DatabaseAdapter, between?: () => Promise<unknown>): Promise<void> {
  await dual.execute('INSERT INTO items (id, list, pos) VALUES (1, 1, 1), (2, 1, 2), (3, 1, 3)');
  await between?.();
  await dual.transaction(async (tx) => {
    await tx.execute('UPDATE items SET pos = 0 WHERE id = 1');
    await tx.execute('UPDATE items SET pos = 1 WHERE id = 2');
    await tx.execute('UPDATE items SET pos = 2 WHERE id = 1');
  });
}

async function expectEqual(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  expect(await secondary.query('SELECT id, pos FROM items ORDER BY id')).toEqual([
    { id: 1, pos: 2 },
    { id: 2, pos: 1 },
    { id: 3, pos: 3 },
  ]);
  const report = await validateDatabases(primary, secondary, { tables: ['items'], validateAllRows: true });
  if (!report.ok) throw new Error(report.summary);
}

describe('rows that swapped unique values', () => {
  for (const [from, to] of [
    ['postgres', 'postgres'],
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`${from} -> ${to}: reach the secondary as the transaction left them`, async () => {
      const primary = await open(from, 'a');
      const secondary = await open(to, 'b');
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      await swap(dual);
      const m = dual.getMetrics();
      expect({ failures: m.secondaryFailures, journal: m.journalDepth, resolved: m.secondaryConflictsResolved }).toEqual({
        failures: 0,
        journal: 0,
        resolved: 1,
      });
      await expectEqual(primary, secondary);
    });
  }

  it('settle from the journal when the write itself did not take the primary', async () => {
    const options: DualWriteOptions = { takePrimaryOnConflict: false, continueOnSecondaryFailure: true };
    const [primary, secondary] = [await open('sqlite', 'a'), await open('postgres', 'b')];
    const dual = createDualWriteAdapter(primary, secondary, options);
    await swap(dual);
    expect(dual.getMetrics().journalDepth).toBe(1);
    await dual.replayJournal();
    expect(dual.getMetrics().journalDepth).toBe(0);
    await expectEqual(primary, secondary);
  });

  it('are left in the journal, not deleted, where a foreign key on the secondary would cascade the delete', async () => {
    const notes = 'CREATE TABLE notes (id int PRIMARY KEY, item_id int NOT NULL REFERENCES items (id) ON DELETE CASCADE)';
    const primary = await open('sqlite', 'a', [notes]);
    const secondary = await open('postgres', 'b', [notes]);
    const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true });
    await swap(dual, () => dual.execute('INSERT INTO notes (id, item_id) VALUES (1, 1), (2, 2)'));
    expect(dual.getMetrics().journalDepth).toBe(1);
    expect(await secondary.query('SELECT id FROM notes ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
