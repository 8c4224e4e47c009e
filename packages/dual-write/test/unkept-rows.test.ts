import { afterEach, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { dualWithJournalInPrimary } from './journal-in-primary';
import { holdTables, sleep } from './table-locks';
import { twoTestDatabases } from './two-databases';

// Rows whose state on the secondary is in doubt are journaled to be settled. When the
// journal cannot keep them either (a table journal in a primary that stopped answering),
// nothing would ever settle them: they are counted and reported, naming the tables to repair.

const dbs = twoTestDatabases();
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** Waits until `n` sessions of the database wait for a lock. */
async function lockWaits(watcher: DatabaseAdapter, n: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const row = await watcher.first<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (row!.n >= n) return;
    await sleep(5);
  }
  throw new Error(`${n} sessions never waited for a lock`);
}

it('reports the rows of a write it could not read again after its commit when the journal cannot keep them', async () => {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 4, queryTimeoutMs: 300 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-b', max: 4 });
  const lockers = [0, 1].map(() => createPostgresAdapter(dbs.database.url, { name: 'locker', max: 1 }));
  const watcher = createPostgresAdapter(dbs.database.url, { name: 'watcher', max: 1 });
  cleanup.push(() => Promise.all([...lockers, watcher].map((l) => l.close())));
  for (const side of [primary, secondary]) {
    await side.execute('DROP TABLE IF EXISTS t; CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL)');
  }
  // An AFTER trigger: the primary's rows are read again after each write to t.
  await primary.execute('CREATE OR REPLACE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$');
  await primary.execute('CREATE TRIGGER noop AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION noop()');
  const { dual, failures } = await dualWithJournalInPrimary(primary, secondary);
  cleanup.push(() => dual.close());
  await dual.execute('INSERT INTO t (id, v) VALUES (1, 1)');
  await dual.execute('UPDATE t SET v = 2 WHERE id = 1');

  // The write waits for a row lock; meanwhile another session queues for t and the journal's
  // table whole, gets them as the write commits, and keeps them past both reads' timeouts.
  // Each step waits until the server shows the one before it waiting, however slow it is.
  let rowLocked!: () => void;
  let release!: () => void;
  const gotRow = new Promise<void>((resolve) => (rowLocked = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = lockers[0]!.transaction(async (l) => {
    await l.execute('SELECT v FROM t WHERE id = 1 FOR UPDATE');
    rowLocked();
    await gate;
  });
  await gotRow;
  const write = dual.execute('UPDATE t SET v = 3 WHERE id = 1');
  await lockWaits(watcher, 1);
  const locked = holdTables(lockers[1]!, 't, _switchyard_journal', 1_500);
  await lockWaits(watcher, 2);
  release();
  await write;
  await held;
  expect(failures).toHaveLength(1);
  expect(failures[0]!.entry).toBeUndefined();
  expect(failures[0]!.error.message).toMatch(/repair t on pg-b/);
  expect(dual.getMetrics().secondaryFailures).toBe(1);
  await locked;
  // The captured row went on all the same.
  expect(await secondary.first('SELECT v FROM t WHERE id = 1')).toEqual({ v: 3 });
});
