import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { type DualWriteAdapter } from '../src/dual-write-adapter';
import { createDualWriteAdapter } from './patient-dual-write';
import { cascadeTables } from './cascade-tables';
import { openSide } from './open-side';
import { sleep } from './table-locks';
import { twoTestDatabases } from './two-databases';

// Within one process, writes to the same row reach the secondary in the primary's order,
// including the rows a foreign key action changed, which no write names. Here a write of
// a child reaches Postgres late (its batch waits behind a row another session locked), and
// a write of its parent, whose foreign key action changed the child on the primary after
// it, overtakes it on the other connection. Postgres has no foreign keys yet (the runbook
// adds them after the backfill), so the late upsert would put back the child as it was.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
const lockers: pg.Client[] = [];
afterEach(async () => {
  for (const c of lockers.splice(0)) await c.end().catch(() => {});
  for (const a of opened.splice(0)) await a.close();
});

/** A session holding a row of `other` locked: its backend's pid, and how to let the row go. */
interface Locker {
  pid: number;
  free: () => Promise<void>;
}

/** Locks row `id` of `other` on a session of its own until `free` is called. */
async function lockRow(id: number): Promise<Locker> {
  const client = new pg.Client({ connectionString: dbs.other.url });
  lockers.push(client);
  await client.connect();
  await client.query('BEGIN');
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await client.query('SELECT * FROM other WHERE id = $1 FOR UPDATE', [id]);
  return { pid: rows[0]!.pid, free: async () => void (await client.query('COMMIT')) };
}

/**
 * Waits until a session of the secondary waits for the row `locker` holds. Asked by the
 * holder's pid, not by a count of waiting sessions: a session woken by a commit still
 * shows as waiting until it runs again, so a count can be reached before the woken
 * session took its next batch.
 */
async function waitsFor(secondary: DatabaseAdapter, locker: Locker): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const [row] = await secondary.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))',
      [locker.pid],
    );
    if (row!.n >= 1) return;
    await sleep(10);
  }
  throw new Error(`no session ever waited for the row of backend ${locker.pid}`);
}

/** SQLite (with foreign keys) -> Postgres (without), both with `ddl(fk)` and a table `other` to hold batches up with. */
async function pair(ddl: (foreignKeys: boolean) => string[]): Promise<[DatabaseAdapter, DatabaseAdapter, DualWriteAdapter]> {
  const primary = openSide(dbs, 'sqlite', 'a', opened);
  const secondary = openSide(dbs, 'postgres', 'b', opened);
  await secondary.execute('DROP TABLE IF EXISTS grandchild, child, parent, seat, member, account, other');
  for (const sql of ddl(true)) await primary.execute(sql);
  for (const sql of ddl(false)) await secondary.execute(sql);
  for (const side of [primary, secondary]) await side.execute('CREATE TABLE other (id int PRIMARY KEY, n int)');
  const dual = createDualWriteAdapter(primary, secondary, { secondaryTimeoutMs: 20_000 });
  await dual.execute('INSERT INTO other (id, n) VALUES (1, 0), (2, 0), (3, 0)');
  return [primary, secondary, dual];
}

/**
 * Runs `late` so that its batch waits on Postgres (grouped behind a write of a locked row)
 * and then `overtaking`, whose batch lands first; `landed` says when it did. Resolves once
 * both are done and the locks are gone.
 */
async function overtake(
  dual: DatabaseAdapter,
  secondary: DatabaseAdapter,
  late: () => Promise<unknown>,
  overtaking: () => Promise<unknown>,
  landed: () => Promise<boolean>,
): Promise<void> {
  const [row1, row2, row3] = [await lockRow(1), await lockRow(2), await lockRow(3)];
  // Both of the secondary's write slots wait behind rows 1 and 2.
  const blocked = [dual.execute('UPDATE other SET n = 1 WHERE id = 1'), dual.execute('UPDATE other SET n = 1 WHERE id = 2')];
  await waitsFor(secondary, row1);
  await waitsFor(secondary, row2);
  // Queued together: a write that will wait behind row 3, then the late write.
  const grouped = [dual.execute('UPDATE other SET n = 1 WHERE id = 3'), late()];
  await sleep(20);
  await row1.free();
  await waitsFor(secondary, row3);
  const second = overtaking();
  await sleep(20);
  await row2.free();
  for (let i = 0; i < 500 && !(await landed()); i++) await sleep(10);
  expect(await landed()).toBe(true);
  await row3.free();
  await Promise.all([...blocked, ...grouped, second]);
}

/** Accounts, and members and seats (keyed by the code) that follow their account's code (`ON UPDATE CASCADE`). */
const accounts = (fk: boolean) => [
  'CREATE TABLE account (id int PRIMARY KEY, code text NOT NULL UNIQUE)',
  `CREATE TABLE member (id int PRIMARY KEY, account_code text ${fk ? 'REFERENCES account (code) ON UPDATE CASCADE' : ''}, name text)`,
  `CREATE TABLE seat (account_code text ${fk ? 'REFERENCES account (code) ON UPDATE CASCADE' : ''}, n int, PRIMARY KEY (account_code, n))`,
];

async function expectEqual(primary: DatabaseAdapter, secondary: DatabaseAdapter, dual: DualWriteAdapter, tables: string[]) {
  const report = await validateDatabases(primary, secondary, { tables, validateAllRows: true });
  expect(report.ok, report.summary).toBe(true);
  expect(dual.getMetrics().secondaryFailures).toBe(0);
}

describe('rows a foreign key action changed, while another write of them is on its way to the secondary', () => {
  for (const via of ['execute', 'transaction'] as const) {
    it(`ON DELETE CASCADE (${via}): the child an update left comes back on Postgres unless settled after it`, async () => {
      const [primary, secondary, dual] = await pair(cascadeTables);
      await dual.execute("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
      await dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (10, 1, NULL), (11, 2, NULL)');
      const remove = 'DELETE FROM parent WHERE id = 1';
      await overtake(
        dual,
        secondary,
        () => dual.execute('UPDATE child SET other_id = 2 WHERE id = 10'),
        () => (via === 'execute' ? dual.execute(remove) : dual.transaction((tx) => tx.execute(remove))),
        async () => (await secondary.query('SELECT id FROM parent WHERE id = 1')).length === 0,
      );
      expect(await secondary.query('SELECT id FROM child ORDER BY id')).toEqual([{ id: 11 }]);
      await expectEqual(primary, secondary, dual, ['parent', 'child', 'other']);
    });
  }

  it('ON DELETE SET NULL: a child inserted just before its parent was deleted, still on its way, is cleared on Postgres too', async () => {
    const [primary, secondary, dual] = await pair(cascadeTables);
    await dual.execute("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
    await overtake(
      dual,
      secondary,
      () => dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (12, 2, 1)'),
      () => dual.execute('DELETE FROM parent WHERE id = 1'),
      async () => (await secondary.query('SELECT id FROM parent WHERE id = 1')).length === 0,
    );
    expect(await secondary.query('SELECT id, parent_id, other_id FROM child')).toEqual([{ id: 12, parent_id: 2, other_id: null }]);
    await expectEqual(primary, secondary, dual, ['parent', 'child', 'other']);
  });

  it('ON UPDATE CASCADE: a seat keyed by the old code, inserted just before the rename and still on its way, moves on Postgres too', async () => {
    const [primary, secondary, dual] = await pair(accounts);
    await dual.execute("INSERT INTO account (id, code) VALUES (1, 'ab')");
    await overtake(
      dual,
      secondary,
      () => dual.execute("INSERT INTO seat (account_code, n) VALUES ('ab', 1)"),
      () => dual.execute("UPDATE account SET code = 'cd' WHERE id = 1"),
      async () => (await secondary.query("SELECT id FROM account WHERE code = 'cd'")).length === 1,
    );
    expect(await secondary.query('SELECT account_code, n FROM seat')).toEqual([{ account_code: 'cd', n: 1 }]);
    await expectEqual(primary, secondary, dual, ['account', 'seat', 'other']);
  });

  it("ON UPDATE CASCADE: a member an update left keeps its account's old code on Postgres unless settled after it", async () => {
    const [primary, secondary, dual] = await pair(accounts);
    await dual.execute("INSERT INTO account (id, code) VALUES (1, 'ab')");
    await dual.execute("INSERT INTO member (id, account_code, name) VALUES (10, 'ab', 'old')");
    await overtake(
      dual,
      secondary,
      () => dual.execute("UPDATE member SET name = 'new' WHERE id = 10"),
      () => dual.execute("UPDATE account SET code = 'cd' WHERE id = 1"),
      async () => (await secondary.query("SELECT id FROM account WHERE code = 'cd'")).length === 1,
    );
    expect(await secondary.query('SELECT id, account_code, name FROM member')).toEqual([{ id: 10, account_code: 'cd', name: 'new' }]);
    await expectEqual(primary, secondary, dual, ['account', 'member', 'other']);
  });
});
