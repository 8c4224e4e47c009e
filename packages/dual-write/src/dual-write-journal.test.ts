import { describe, expect, it } from 'vitest';
import { QueryError } from '@switchyard/core';
import { SecondaryWriteError, SwitchPrimaryError } from './index';
import { sqlitePair as pair, rowsOf } from '../test/sqlite-pair';

describe('dual-write journal on SQLite -> SQLite', () => {
  it('journals a secondary failure and throws SecondaryWriteError saying the primary write happened', async () => {
    const { a, b, adapter, events } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    await b.execute('DROP TABLE t');
    const error = await adapter.execute('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecondaryWriteError);
    expect(error).toMatchObject({ code: 'SECONDARY_WRITE_FAILED', primary: 'left', secondary: 'right' });
    expect((error as Error).message).toMatch(/succeeded on left \(primary\) but failed on right.*journal as entry 1.*replayJournal/);
    expect(await rowsOf(a)).toEqual([{ id: 1, name: 'x' }]);
    const [entry] = await adapter.journalEntries();
    // The entry names the row; replay settles it from the primary's current state.
    expect(entry).toMatchObject({ id: 1, target: 'right', rows: [{ table: 't', key: { id: 1 } }], attempts: 1 });
    expect(entry!.at).toBeInstanceOf(Date);
    expect(events.filter((e) => e.type === 'secondary-failure')).toHaveLength(1);

    await expect(adapter.execute('UPDATE t SET name = ? WHERE id = ?', ['y', 1])).rejects.toBeInstanceOf(SecondaryWriteError);
    expect(adapter.getMetrics()).toMatchObject({ secondaryFailures: 2, journalDepth: 2 });
    expect(adapter.getMetrics().journalOldestAgeMs).toBeGreaterThanOrEqual(0);

    // Still broken: nothing applies, and the attempt is counted.
    const stuck = await adapter.replayJournal();
    expect(stuck).toMatchObject({ applied: 0, remaining: 2 });
    expect(stuck.error).toBeInstanceOf(QueryError);
    expect((await adapter.journalEntries())[0]!.attempts).toBe(2);

    await b.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    expect(await adapter.replayJournal()).toEqual({ applied: 2, remaining: 0 });
    expect(await rowsOf(b)).toEqual([{ id: 1, name: 'y' }]);
    expect(adapter.getMetrics().journalDepth).toBe(0);
    await adapter.execute('INSERT INTO t (id, name) VALUES (?, ?)', [2, 'z']);
    expect(await rowsOf(b)).toEqual(await rowsOf(a));
  });

  it('batch() runs atomically on each side and journals a failed secondary batch as one entry', async () => {
    // The trigger below stands for any secondary refusal: it is not settled from the primary here.
    const { a, b, adapter } = pair({ continueOnSecondaryFailure: true, takePrimaryOnConflict: false });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    const results = await adapter.batch([
      { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [1, 'a'] },
      { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [2, 'b'] },
    ]);
    expect(results.map((r) => r.rowsAffected)).toEqual([1, 1]);
    // A row the secondary holds already (a backfill's copy) is overwritten with the primary's.
    await b.execute('INSERT INTO t (id, name) VALUES (3, ?)', ['only-b']);
    await b.execute("CREATE TRIGGER no_c BEFORE INSERT ON t WHEN NEW.name = 'c' BEGIN SELECT RAISE(ABORT, 'no c'); END");
    await adapter.batch([
      { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [4, 'd'] },
      { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [5, 'c'] },
    ]);
    // The secondary rolled back its whole batch: id 4 is not there.
    expect((await rowsOf(b)).map((r) => r.id)).toEqual([1, 2, 3]);
    const [entry] = await adapter.journalEntries();
    expect(entry!.rows).toHaveLength(2);
    await b.execute('DROP TRIGGER no_c');
    await adapter.execute('INSERT INTO t (id, name) VALUES (?, ?)', [3, 'three']);
    expect(await adapter.replayJournal()).toMatchObject({ applied: 1, remaining: 0 });
    expect(await rowsOf(b)).toEqual(await rowsOf(a));
  });

  it('refuses to switch to a side that misses journaled writes, unless forced', async () => {
    const { a, b, adapter } = pair({ continueOnSecondaryFailure: true });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await b.execute('DROP TABLE t');
    await adapter.execute('INSERT INTO t (id) VALUES (1)');
    const refused = await adapter.switchPrimary().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SwitchPrimaryError);
    expect(refused).toMatchObject({ reason: 'journal-pending', message: expect.stringMatching(/Cannot make right primary: 1 journaled/) });
    await b.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    // The switch replays what is pending first.
    expect((await adapter.switchPrimary()).primary).toBe('right');
    expect(await rowsOf(b)).toEqual(await rowsOf(a));
  });

  it('close() flushes the memory journal, and throws with the entries it cannot apply instead of dropping them', async () => {
    const flushed = pair({ continueOnSecondaryFailure: true });
    await flushed.adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    await flushed.b.execute('ALTER TABLE t RENAME TO t_away');
    await flushed.adapter.execute('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'kept']);
    await flushed.b.execute('ALTER TABLE t_away RENAME TO t');
    expect(flushed.adapter.getMetrics().journalDepth).toBe(1);
    // The last replay applies the entry, so nothing is left to lose.
    await expect(flushed.adapter.close()).resolves.toBeUndefined();

    const { b, adapter } = pair({ continueOnSecondaryFailure: true });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    await b.execute('DROP TABLE t');
    await adapter.execute('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'x']);
    await adapter.execute('UPDATE t SET name = ? WHERE id = ?', ['y', 1]);
    const error = await adapter.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecondaryWriteError);
    expect((error as Error).message).toMatch(/close\(\): 2 journaled write\(s\) could not be applied/);
    expect((error as { entries: unknown[] }).entries).toHaveLength(2);
  });

  it('discardJournalEntry() removes an entry settled by other means', async () => {
    const { b, adapter } = pair({ continueOnSecondaryFailure: true });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await b.execute('DROP TABLE t');
    await adapter.execute('INSERT INTO t (id) VALUES (1)');
    const [entry] = await adapter.journalEntries();
    expect(await adapter.discardJournalEntry(entry!.id)).toBe(true);
    expect(await adapter.discardJournalEntry(entry!.id)).toBe(false);
    expect(adapter.getMetrics()).toMatchObject({ journalDepth: 0, journalOldestAgeMs: 0 });
  });
});
