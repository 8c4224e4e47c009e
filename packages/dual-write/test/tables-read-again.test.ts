import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { openSide } from './open-side';
import { recreateTables, twoTestDatabases } from './two-databases';

// A replay reads both sides' tables again (some may have been created or fixed behind the
// adapter's back). A write that runs meanwhile still needs the primary's foreign keys: a
// delete whose ON DELETE CASCADE removed rows, or a key move whose ON UPDATE CASCADE moved
// them, must take those rows along on a secondary without foreign keys. Here the write
// waits on a row lock of the primary while an (empty) replay runs.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0).reverse()) await a.close();
});

const TABLES = ['acct', 'item'];
const tables = (fk: string) => [
  'CREATE TABLE acct (id int PRIMARY KEY, code text NOT NULL)',
  `CREATE TABLE item (id int PRIMARY KEY, acct_id int ${fk}, n int NOT NULL)`,
];

/** The pair (the primary given, with foreign keys; a secondary without), two accounts and their items written through dual write. */
async function seeded(primaryAdapter: DatabaseAdapter) {
  const primary = await recreateTables(primaryAdapter, TABLES, tables('REFERENCES acct (id) ON DELETE CASCADE ON UPDATE CASCADE'));
  const secondary = await recreateTables(openSide(dbs, 'postgres', 'b', opened), TABLES, tables(''));
  const dual = createDualWriteAdapter(primary, secondary);
  opened.push(dual);
  await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'a'), (2, 'b')");
  await dual.execute('INSERT INTO item (id, acct_id, n) VALUES (10, 1, 0), (11, 1, 0), (12, 2, 0)');
  return { primary, secondary, dual };
}

async function expectEqual(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
  expect(report.ok, report.summary).toBe(true);
}

/**
 * Runs `write` through dual write while another transaction holds account 1's row on the
 * primary, and meanwhile `meanwhile` (a replay, by default) makes the adapter read the tables again.
 */
async function writeBehindLockDuringReplay(
  write: (dual: DatabaseAdapter) => Promise<unknown>,
  meanwhile: (dual: DatabaseAdapter & { replayJournal(): Promise<unknown> }) => Promise<unknown> = (dual) => dual.replayJournal(),
) {
  const { primary, secondary, dual } = await seeded(openSide(dbs, 'postgres', 'a', opened));
  const unlock = latch();
  const held = latch();
  const holder = primary.transaction(async (tx) => {
    await tx.query('SELECT id FROM acct WHERE id = 1 FOR UPDATE');
    held.open();
    await unlock.promise;
  });
  await held.promise;
  const written = write(dual);
  await expect.poll(() => waitingOnLocks(primary), { timeout: 5_000 }).toBeGreaterThan(0);
  await meanwhile(dual);
  unlock.open();
  await holder;
  await written;
  await expectEqual(primary, secondary);
}

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function waitingOnLocks(primary: DatabaseAdapter): Promise<number> {
  return primary
    .query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
    .then((rows) => rows[0]!.n);
}

describe('a write whose foreign key actions changed other rows, made while a replay reads the tables again', () => {
  it('a delete takes the rows its ON DELETE CASCADE removed along', async () => {
    await writeBehindLockDuringReplay((dual) => dual.execute('DELETE FROM acct WHERE id = 1'));
  });

  it('a key move takes the rows its ON UPDATE CASCADE moved along', async () => {
    await writeBehindLockDuringReplay((dual) => dual.execute('UPDATE acct SET id = 5 WHERE id = 1'));
  });

  // A schema change through the adapter makes it forget the tables it read.
  it('a delete made while a schema change runs through the adapter takes the rows its ON DELETE CASCADE removed along', async () => {
    await writeBehindLockDuringReplay(
      (dual) => dual.execute('DELETE FROM acct WHERE id = 1'),
      (dual) => dual.execute('CREATE INDEX item_n ON item (n)'),
    );
  });

  // A transaction reads the tables through its own connection when another read of them is
  // on its way (on SQLite that read would wait for the transaction). Here that read waits
  // for one of the primary's two connections, both taken.
  it('a key move in a transaction, while another write reads the tables again, takes the rows its ON UPDATE CASCADE moved along', async () => {
    const pool = createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 2 });
    opened.push(pool);
    const { primary, secondary, dual } = await seeded(pool);
    await dual.replayJournal();
    const gate = latch();
    const holder = primary.transaction(() => gate.promise);
    const start = latch();
    const moved = dual.transaction(async (tx) => {
      await start.promise;
      await tx.execute('UPDATE acct SET id = 5 WHERE id = 1');
    });
    const other = dual.execute('UPDATE item SET n = 1 WHERE id = 12');
    await new Promise((resolve) => setTimeout(resolve, 100));
    start.open();
    await moved;
    gate.open();
    await holder;
    await other;
    await expectEqual(primary, secondary);
  });
});
