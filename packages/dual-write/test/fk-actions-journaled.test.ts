import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startFaultProxy, type FaultProxy } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { type DualWriteAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

// Writes over foreign keys that act, journaled because the secondary (Postgres, behind a
// fault proxy, without those foreign keys) stopped answering: what their lookups leave
// behind once they were given up on, and what the replay brings.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
});

const TABLES = ['acct', 'item', 'slot'];

function ddl(foreignKeys: boolean): string[] {
  const fk = (sql: string) => (foreignKeys ? sql : '');
  return [
    'CREATE TABLE acct (id int PRIMARY KEY, code text NOT NULL UNIQUE)',
    `CREATE TABLE item (id int PRIMARY KEY, acct_id int ${fk('REFERENCES acct (id) ON DELETE CASCADE')}, n int NOT NULL)`,
    // Keyed by its account's code, which ON UPDATE CASCADE rewrites: a rename moves the row's key.
    `CREATE TABLE slot (acct_code text NOT NULL ${fk('REFERENCES acct (code) ON UPDATE CASCADE ON DELETE CASCADE')}, k int NOT NULL, PRIMARY KEY (acct_code, k))`,
  ];
}

async function pair(primaryKind: 'sqlite' | 'postgres') {
  const db = await createTestDatabase();
  open.push({ close: () => db.drop() });
  const target = new URL(db.url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  open.push(proxy);
  const secondary = createPostgresAdapter(proxy.url(db.url), { name: 'pg-b', max: 2, queryTimeoutMs: 2_000, connectTimeoutMs: 500 });
  open.push(secondary);
  let primary: DatabaseAdapter;
  if (primaryKind === 'sqlite') primary = createSQLiteAdapter(':memory:', { name: 'sqlite-a' });
  else {
    const other = await createTestDatabase();
    open.push({ close: () => other.drop() });
    primary = createPostgresAdapter(other.url, { name: 'pg-a' });
  }
  open.push(primary);
  for (const sql of ddl(true)) await primary.execute(sql);
  for (const sql of ddl(false)) await secondary.execute(sql);
  return { primary, secondary, proxy };
}

/** A pair whose secondary refuses every connection from the start: each write is journaled. */
async function journaling(primaryKind: 'sqlite' | 'postgres') {
  const sides = await pair(primaryKind);
  const dual = createDualWriteAdapter(sides.primary, sides.secondary, { continueOnSecondaryFailure: true, secondaryTimeoutMs: 300 });
  sides.proxy.setMode('refuse');
  return { ...sides, dual };
}

/** The secondary answers again, and one replay empties the journal. */
async function replayedOnceBack(proxy: FaultProxy, dual: DualWriteAdapter): Promise<void> {
  proxy.setMode('pass');
  expect((await dual.replayJournal()).remaining).toBe(0);
}

/** Every row of the workload's tables is the same on both sides. */
async function expectEqualSides(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
  expect(report.ok, report.summary).toBe(true);
}

describe('writes over acting foreign keys journaled while the secondary does not answer', () => {
  it('a delete whose lookup of cascaded rows was given up on leaves no lock behind when the lookup ends', async () => {
    const { primary, secondary, proxy } = await pair('sqlite');
    const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true, secondaryTimeoutMs: 200 });
    await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1')");
    await dual.execute('INSERT INTO item (id, acct_id, n) VALUES (2, 1, 0), (3, 1, 0)');
    // The lookup of the items the delete cascaded to waits on the secondary past the timeout...
    proxy.setMode('hang');
    await dual.execute('DELETE FROM acct WHERE id = 1');
    expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);
    // ...and ends once it answers: it found items 2 and 3, and must not lock them now.
    proxy.setMode('pass');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A write that may touch any item takes the table whole: it would wait for ever behind such a lock.
    const later = dual.execute('UPDATE item SET n = n + 1 WHERE acct_id = 1');
    const stalled = new Promise((resolve) => setTimeout(() => resolve('stalled'), 5_000));
    expect(await Promise.race([later.then(() => 'done'), stalled])).toBe('done');
    await dual.replayJournal();
    await expectEqualSides(primary, secondary);
    await dual.close();
  });

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind} -> postgres: rows a rename moved to a new key reach the secondary under it on replay`, async () => {
      const { primary, secondary, proxy, dual } = await journaling(kind);
      // Every write is journaled: the account's entry is settled first, from the primary's
      // row as it is now (already renamed), so the rename's own entry finds no change of code.
      await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1')");
      await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('c1', 1), ('c1', 2)");
      await dual.execute("UPDATE acct SET code = 'c2' WHERE id = 1");
      await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('c2', 3)");
      await dual.execute("UPDATE acct SET code = 'c3' WHERE id = 1");
      expect(dual.getMetrics().journalDepth).toBe(5);
      await replayedOnceBack(proxy, dual);
      expect(await secondary.query('SELECT acct_code, k FROM slot ORDER BY k')).toEqual([
        { acct_code: 'c3', k: 1 },
        { acct_code: 'c3', k: 2 },
        { acct_code: 'c3', k: 3 },
      ]);
      await expectEqualSides(primary, secondary);
      await dual.close();
    });
  }

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind} -> postgres: a key moved in a transaction reaches the secondary under its new key on replay`, async () => {
      const { primary, secondary, proxy, dual } = await journaling(kind);
      // The account's own entry settles key 1, which the primary no longer holds; the move
      // is replayed as its statement, which finds no key 1 to move on the secondary.
      await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1')");
      await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('c1', 1)");
      await dual.transaction(async (tx) => {
        await tx.execute("UPDATE acct SET code = 't5' WHERE id = 1");
        await tx.execute('UPDATE acct SET id = 5 WHERE id = 1');
      });
      await dual.execute('UPDATE acct SET id = 6 WHERE id = 5');
      await replayedOnceBack(proxy, dual);
      expect(await secondary.query('SELECT id, code FROM acct')).toEqual([{ id: 6, code: 't5' }]);
      expect(await secondary.query('SELECT acct_code, k FROM slot')).toEqual([{ acct_code: 't5', k: 1 }]);
      await expectEqualSides(primary, secondary);
      await dual.close();
    });
  }

  it('a row written under a parent value whose rename waits in the journal waits behind it', async () => {
    const { primary, secondary } = await pair('sqlite');
    // The secondary refuses the first rename (a CHECK the primary lacks): its entry waits in the
    // journal. Settling it from the primary at once reads the rows that reference the new code
    // inside the primary's transaction (before, it read them beside it, and waited for ever).
    await secondary.execute("ALTER TABLE acct ADD CONSTRAINT no_c2 CHECK (code <> 'c2')");
    const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true });
    await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1')");
    await dual.execute("UPDATE acct SET code = 'c2' WHERE id = 1");
    expect(dual.getMetrics().journalDepth).toBe(1);
    // Written live, this seat would reference a value the secondary never holds: the next
    // rename's lookup there looks for c1, not c2, and the seat would stay behind.
    await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('c2', 1)");
    await dual.execute("UPDATE acct SET code = 'c3' WHERE id = 1");
    await secondary.execute('ALTER TABLE acct DROP CONSTRAINT no_c2');
    expect((await dual.replayJournal()).remaining).toBe(0);
    expect(await secondary.query('SELECT acct_code, k FROM slot')).toEqual([{ acct_code: 'c3', k: 1 }]);
    await expectEqualSides(primary, secondary);
    await dual.close();
  });
});
