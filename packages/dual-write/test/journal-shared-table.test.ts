import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { tableJournal, type DualWriteAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

// A journal table in the primary is shared: several instances append to it, and any of
// them may replay (and remove) entries another appended. A removal whose reply was lost
// also leaves an entry counted that the table no longer holds. Each instance's counts must
// follow the table, or journalDepth stays above 0 for good and switchPrimary() is refused,
// or an instance switches while another's entry still waits.

const DDL = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)';
const dirs: string[] = [];
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two instances on the same primary and secondary files, with the journal table in the primary. */
async function twoInstances(): Promise<{ a: DualWriteAdapter; b: DualWriteAdapter; primary: DatabaseAdapter; secondary: DatabaseAdapter }> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-journal-shared-'));
  dirs.push(dir);
  const open = (file: string, name: string) => {
    const adapter = createSQLiteAdapter(join(dir, file), { name });
    opened.push(adapter);
    return adapter;
  };
  const [primary, secondary] = [open('primary.db', 'primary'), open('secondary.db', 'secondary')];
  for (const side of [primary, secondary]) await side.execute(DDL);
  const instance = () =>
    createDualWriteAdapter(open('primary.db', 'primary'), open('secondary.db', 'secondary'), {
      journal: tableJournal(primary),
      continueOnSecondaryFailure: true,
    });
  return { a: instance(), b: instance(), primary, secondary };
}

describe('a journal table shared by instances', () => {
  it("an entry removed behind an instance's back is no longer counted after its next replay", async () => {
    const { a, primary, secondary } = await twoInstances();
    await secondary.execute('ALTER TABLE notes RENAME TO notes_away');
    await a.execute('INSERT INTO notes (id, body) VALUES (1, ?)', ['x']);
    expect(a.getMetrics().journalDepth).toBe(1);
    // As a removal whose reply was lost, or another instance's replay, leaves it.
    await primary.execute('DELETE FROM _switchyard_journal');
    await secondary.execute('ALTER TABLE notes_away RENAME TO notes');
    await a.replayJournal();
    expect(a.getMetrics()).toMatchObject({ journalDepth: 0, journalOldestAgeMs: 0 });
  });

  it("an instance sees another's entries before it switches, and settles them", async () => {
    const { a, b, secondary } = await twoInstances();
    await secondary.execute('ALTER TABLE notes RENAME TO notes_away');
    await b.execute('INSERT INTO notes (id, body) VALUES (2, ?)', ['from b']);
    expect([a.getMetrics().journalDepth, b.getMetrics().journalDepth]).toEqual([0, 1]);
    await expect(a.switchPrimary()).rejects.toMatchObject({ reason: 'journal-pending' });
    await secondary.execute('ALTER TABLE notes_away RENAME TO notes');
    await a.switchPrimary();
    expect(await secondary.query('SELECT id, body FROM notes')).toEqual([{ id: 2, body: 'from b' }]);
    expect(a.getMetrics().journalDepth).toBe(0);
    await b.replayJournal();
    expect(b.getMetrics().journalDepth).toBe(0);
  });

  it('switchPrimary() is refused while the journal table cannot be read, unless forced', async () => {
    const { primary, secondary } = await twoInstances();
    const journalDb = createSQLiteAdapter(':memory:', { name: 'journal' });
    const dual = createDualWriteAdapter(primary, secondary, { journal: tableJournal(journalDb) });
    await dual.execute('INSERT INTO notes (id, body) VALUES (3, ?)', ['y']);
    await journalDb.close();
    await expect(dual.switchPrimary()).rejects.toMatchObject({ reason: 'journal-pending', message: /could not be read/ });
    expect((await dual.switchPrimary({ force: true })).primary).toBe('secondary');
  });
});
