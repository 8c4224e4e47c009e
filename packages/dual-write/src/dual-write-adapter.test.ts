import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, QueryError, UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { SecondaryWriteError, SwitchPrimaryError, type DualWriteEvent, type DualWriteOptions } from './index';
import { createDualWriteAdapter } from '../test/patient-dual-write';

function pair(options: DualWriteOptions = {}) {
  const a = createSQLiteAdapter(':memory:', { name: 'left' });
  const b = createSQLiteAdapter(':memory:', { name: 'right' });
  const events: DualWriteEvent[] = [];
  const adapter = createDualWriteAdapter(a, b, { onEvent: (e) => events.push(e), ...options });
  return { a, b, adapter, events };
}

const rowsOf = (side: DatabaseAdapter, table = 't') => side.query(`SELECT * FROM ${table} ORDER BY id`);

describe('dual-write on SQLite -> SQLite', () => {
  it('resolves mode against adapter names and rejects a mode naming neither', () => {
    const { adapter } = pair({ mode: 'primary-right' });
    expect(adapter.getMetadata()).toMatchObject({ mode: 'primary-right', primary: 'right', secondary: 'left' });
    expect(adapter.name).toBe('right');
    // Writes reach two engines: no single driver stands for both, so callers take their portable paths.
    expect((adapter as DatabaseAdapter).native).toBeUndefined();
    expect(() => pair({ mode: 'primary-postgres' })).toThrow(InvalidArgumentError);
    expect(() => pair({ mode: 'primary-postgres' })).toThrow(/'primary-left' or 'primary-right'/);
    expect(() => pair({ readRouting: { secondaryPercent: 120 } })).toThrow(InvalidArgumentError);
    expect(() => pair({ shadowReads: { sampleRate: 5 } })).toThrow(/0 to 1/);
  });

  it('sends writes, schema statements and write queries to both, reads to the primary', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    await adapter.execute('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'one']);
    const returned = await adapter.query('INSERT INTO t (id, name) VALUES (?, ?) RETURNING id', [2, 'two']);
    expect(returned).toEqual([{ id: 2 }]);
    await adapter.prepare('UPDATE t SET name = ? WHERE id = ?').bind('uno', 1).run();
    await adapter.prepare('INSERT INTO t (id, name) VALUES (?, ?) RETURNING *').bind(3, 'three').all();
    expect(await rowsOf(a)).toEqual(await rowsOf(b));
    expect(await rowsOf(b)).toEqual([
      { id: 1, name: 'uno' },
      { id: 2, name: 'two' },
      { id: 3, name: 'three' },
    ]);
    expect(await adapter.prepare('SELECT name FROM t WHERE id = ?').bind(2).first('name')).toBe('two');
    const metrics = adapter.getMetrics();
    expect(metrics).toMatchObject({ totalWrites: 5, successfulDualWrites: 5, secondaryFailures: 0, reads: { primary: 1, secondary: 0 } });
    expect(metrics.averagePrimaryLatency).toBeGreaterThan(0);
    expect(metrics.primaryLatency.p99).toBeGreaterThanOrEqual(metrics.primaryLatency.p50);
    adapter.resetMetrics();
    expect(adapter.getMetrics().totalWrites).toBe(0);
    await adapter.close();
  });

  it('throws a primary failure and sends nothing to the secondary', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await a.execute('INSERT INTO t (id) VALUES (1)');
    await expect(adapter.execute('INSERT INTO t (id) VALUES (1)')).rejects.toMatchObject({ code: 'CONSTRAINT_VIOLATION' });
    expect(await rowsOf(b)).toEqual([]);
    expect(adapter.getMetrics().totalWrites).toBe(1);
  });

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

  it('transaction() replays committed writes on the secondary and nothing of a rollback', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    const out = await adapter.transaction(async (tx) => {
      await tx.execute('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'a']);
      await tx.query('INSERT INTO t (id, name) VALUES (?, ?) RETURNING id', [2, 'b']);
      await tx.db
        .insertInto('t' as never)
        .values({ id: 3, name: 'c' } as never)
        .execute();
      expect(await b.query('SELECT * FROM t')).toEqual([]);
      await tx.transaction(async (inner) => {
        await inner.execute('INSERT INTO t (id, name) VALUES (?, ?)', [4, 'd']);
      });
      await tx
        .transaction(async (inner) => {
          await inner.execute('INSERT INTO t (id, name) VALUES (?, ?)', [5, 'rolled back']);
          throw new Error('inner');
        })
        .catch(() => {});
      return (await tx.query('SELECT count(*) AS n FROM t'))[0];
    });
    expect(out).toEqual({ n: 4 });
    await expect(
      adapter.transaction(async (tx) => {
        await tx.execute('INSERT INTO t (id, name) VALUES (?, ?)', [9, 'never']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await rowsOf(a)).map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(await rowsOf(b)).toEqual(await rowsOf(a));
    expect(adapter.getMetrics().totalWrites).toBe(2);
  });

  it('switchPrimary() swaps the roles, and again rolls back', async () => {
    const { adapter, events } = pair();
    const before = adapter.getMetadata();
    expect(before.lastSwitchAt).toBeNull();
    const after = await adapter.switchPrimary();
    expect(after).toMatchObject({ mode: 'primary-right', primary: 'right', secondary: 'left', switchCount: 1 });
    expect(after.lastSwitchAt).toBeInstanceOf(Date);
    expect(adapter.getMetrics().mode).toBe('primary-right');
    expect((await adapter.switchPrimary()).mode).toBe('primary-left');
    expect(events.filter((e) => e.type === 'switch')).toHaveLength(2);
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

  it('routes a share of reads to the secondary and falls back to the primary on failure', async () => {
    const { a, b, adapter, events } = pair({ readRouting: { secondaryPercent: 100 } });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await b.execute('INSERT INTO t (id) VALUES (7)');
    expect(await adapter.query('SELECT id FROM t')).toEqual([{ id: 7 }]);
    await b.execute('DROP TABLE t');
    await a.execute('INSERT INTO t (id) VALUES (1)');
    expect(await adapter.query('SELECT id FROM t')).toEqual([{ id: 1 }]);
    expect(adapter.getMetrics()).toMatchObject({ reads: { primary: 1, secondary: 1 }, readFallbacks: 1 });
    expect(events.some((e) => e.type === 'read-fallback')).toBe(true);
  });

  it('shadow reads compare both sides and return the primary rows', async () => {
    const { b, adapter, events } = pair({ shadowReads: { sampleRate: 1 } });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, flag BOOLEAN)');
    await adapter.execute('INSERT INTO t (id, flag) VALUES (?, ?), (?, ?)', [1, true, 2, false]);
    expect(await adapter.query('SELECT * FROM t')).toHaveLength(2);
    expect(adapter.getMetrics()).toMatchObject({ shadowReads: 1, shadowReadMismatches: 0 });
    await b.execute('UPDATE t SET flag = 1 WHERE id = 2');
    expect(await adapter.query('SELECT * FROM t ORDER BY id')).toEqual([
      { id: 1, flag: 1 },
      { id: 2, flag: 0 },
    ]);
    expect(adapter.getMetrics()).toMatchObject({ shadowReads: 2, shadowReadMismatches: 1 });
    expect(events.find((e) => e.type === 'shadow-mismatch')).toMatchObject({
      secondary: [
        { id: 1, flag: 1 },
        { id: 2, flag: 1 },
      ],
    });
  });

  it('verifyWrites catches a trigger that alters a value on the secondary, without failing the write', async () => {
    const { b, adapter } = pair({ verifyWrites: true });
    const seen: DualWriteEvent[] = [];
    const off = adapter.on('verification-failed', (e) => seen.push(e));
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, price INTEGER, active BOOLEAN)');
    await adapter.execute('INSERT INTO t (id, price, active) VALUES (?, ?, ?) RETURNING *', [1, 10, true]);
    expect(adapter.getMetrics().verificationFailures).toBe(0);
    await b.execute('CREATE TRIGGER bump AFTER INSERT ON t BEGIN UPDATE t SET price = NEW.price + 1 WHERE id = NEW.id; END');
    const rows = await adapter.query('INSERT INTO t (id, price, active) VALUES (?, ?, ?) RETURNING price', [2, 20, true]);
    expect(rows).toEqual([{ price: 20 }]);
    // The secondary's row differs from the primary's: counted, reported, and settled from the primary.
    expect(adapter.getMetrics()).toMatchObject({ verificationFailures: 1, divergencesSettled: 1 });
    expect(seen[0]).toMatchObject({ type: 'verification-failed', reason: expect.stringMatching(/column price: "20" != "21"/) });
    expect(await rowsOf(b)).toEqual(await rowsOf(adapter.primary));
    off();
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

  it('refuses transaction-control statements sent as SQL', async () => {
    const { adapter } = pair();
    await expect(adapter.execute('BEGIN')).rejects.toBeInstanceOf(UnsupportedError);
    await expect(adapter.execute('COMMIT')).rejects.toThrow(/transaction\(fn\)/);
  });

  it('skips latency timing with collectMetrics: false, keeps counters, and survives a throwing listener', async () => {
    const { adapter } = pair({ collectMetrics: false });
    adapter.on('secondary-failure', () => {
      throw new Error('listener bug');
    });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await adapter.execute('INSERT INTO t (id) VALUES (1)');
    expect(adapter.getMetrics()).toMatchObject({
      totalWrites: 2,
      successfulDualWrites: 2,
      averagePrimaryLatency: 0,
      primaryLatency: { p50: 0, p95: 0, p99: 0 },
    });
    expect(() => pair({ secondaryWrites: 'async' })).toThrow(/secondaryWrites: 'async' needs a mirror/);
  });

  it('uses a custom shadow compare when given one', async () => {
    const seen: number[] = [];
    const { adapter } = pair({
      shadowReads: {
        sampleRate: 1,
        compare: (primary, secondary) => {
          seen.push(primary.length, secondary.length);
          return false;
        },
      },
    });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await adapter.execute('INSERT INTO t (id) VALUES (1)');
    await adapter.query('SELECT * FROM t');
    expect(seen).toEqual([1, 1]);
    expect(adapter.getMetrics().shadowReadMismatches).toBe(1);
  });

  it('applies writes issued after switchPrimary() to the new primary first, and the in-flight one to both', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await b.execute("CREATE TRIGGER no_two BEFORE INSERT ON t WHEN NEW.id = 2 BEGIN SELECT RAISE(ABORT, 'right refuses 2'); END");
    const first = adapter.execute('INSERT INTO t (id) VALUES (1)');
    const switched = adapter.switchPrimary();
    // Now on the new primary (right) first: its refusal is a primary failure, left gets nothing.
    const second = adapter.execute('INSERT INTO t (id) VALUES (2)').catch((e: unknown) => e);
    await first;
    expect((await switched).primary).toBe('right');
    expect(await second).toMatchObject({ message: expect.stringMatching(/right refuses 2/) });
    expect(await rowsOf(a)).toEqual([{ id: 1 }]);
    expect(await rowsOf(b)).toEqual([{ id: 1 }]);
  });
});
