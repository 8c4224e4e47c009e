import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createMirrorConsumer, drainOutbox, outboxMirror, queueMirror } from '../src/mirror';
import { openSide, withD1Primary } from './open-side';
import { collectingQueue, withQueuePair } from './queue-delivery';
import { recreateTables, twoTestDatabases } from './two-databases';
import { writeDuringFault } from './write-during-fault';

// An UPDATE of a unique column that foreign keys reference (an account's code) is
// captured as the parent's new row; the primary's ON UPDATE CASCADE and SET NULL changed
// the rows that referenced the old value too. A secondary without those foreign keys
// (they are created after the backfill) must get those rows as well: found there by the
// value the secondary still holds, and on the primary by the new one, where the cascade
// changed a key (a seat keyed by its account's code), and one level further down.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const TABLES = ['account', 'member', 'seat', 'ticket'];

function tables(foreignKeys: boolean): string[] {
  const fk = (sql: string) => (foreignKeys ? sql : '');
  return [
    'CREATE TABLE account (id int PRIMARY KEY, code text NOT NULL UNIQUE)',
    `CREATE TABLE member (id int PRIMARY KEY, account_code text ${fk('REFERENCES account (code) ON UPDATE CASCADE')}, ` +
      `backup_code text ${fk('REFERENCES account (code) ON UPDATE SET NULL')})`,
    `CREATE TABLE seat (account_code text NOT NULL ${fk('REFERENCES account (code) ON UPDATE CASCADE')}, n int NOT NULL, ` +
      'PRIMARY KEY (account_code, n))',
    `CREATE TABLE ticket (id int PRIMARY KEY, seat_account text, seat_n int${fk(
      ', FOREIGN KEY (seat_account, seat_n) REFERENCES seat (account_code, n) ON UPDATE CASCADE',
    )})`,
  ];
}

const create = (adapter: DatabaseAdapter, foreignKeys: boolean) => recreateTables(adapter, TABLES, tables(foreignKeys));

async function seed(dual: DatabaseAdapter): Promise<void> {
  await dual.execute("INSERT INTO account (id, code) VALUES (1, 'A'), (2, 'B')");
  await dual.execute("INSERT INTO member (id, account_code, backup_code) VALUES (10, 'A', 'B'), (11, 'B', 'A'), (12, 'B', 'B')");
  await dual.execute("INSERT INTO seat (account_code, n) VALUES ('A', 1), ('A', 2), ('B', 1)");
  await dual.execute("INSERT INTO ticket (id, seat_account, seat_n) VALUES (100, 'A', 2), (101, 'B', 1)");
}

/** What the secondary holds after account 1's code became 'Z', and that validation finds both sides equal. */
async function expectRenamed(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  expect(await secondary.query('SELECT id, account_code, backup_code FROM member ORDER BY id')).toEqual([
    { id: 10, account_code: 'Z', backup_code: 'B' },
    { id: 11, account_code: 'B', backup_code: null },
    { id: 12, account_code: 'B', backup_code: 'B' },
  ]);
  expect(await secondary.query('SELECT account_code, n FROM seat ORDER BY account_code, n')).toEqual([
    { account_code: 'B', n: 1 },
    { account_code: 'Z', n: 1 },
    { account_code: 'Z', n: 2 },
  ]);
  expect(await secondary.query('SELECT id, seat_account, seat_n FROM ticket ORDER BY id')).toEqual([
    { id: 100, seat_account: 'Z', seat_n: 2 },
    { id: 101, seat_account: 'B', seat_n: 1 },
  ]);
  const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
  if (!report.ok) throw new Error(report.summary);
}

describe("rows a primary's ON UPDATE actions changed", () => {
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`${from} -> ${to} without foreign keys: cascaded and nulled rows reach it, a cascaded key and a level below it too`, async () => {
      const primary = await create(openSide(dbs, from, 'a', opened), true);
      const secondary = await create(openSide(dbs, to, 'b', opened), false);
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      await seed(dual);
      await dual.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]);
      await expectRenamed(primary, secondary);
      expect(dual.getMetrics().verificationFailures).toBe(0);
      // A value no foreign key action reaches changes nothing else.
      await dual.execute('UPDATE member SET backup_code = ? WHERE id = ?', ['Z', 12]);
      expect(await secondary.query('SELECT backup_code FROM member WHERE id = 12')).toEqual([{ backup_code: 'Z' }]);
    });
  }

  it('inside a transaction, Postgres -> Postgres, and on a secondary that has the foreign keys itself', async () => {
    const primary = await create(openSide(dbs, 'postgres', 'a', opened), true);
    const secondary = await create(openSide(dbs, 'postgres', 'b', opened), true);
    const dual = createDualWriteAdapter(primary, secondary);
    await seed(dual);
    await dual.transaction((tx) => tx.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]));
    await expectRenamed(primary, secondary);
    expect(dual.getMetrics().secondaryFailures).toBe(0);
  });

  for (const mode of ['refuse', 'hang'] as const) {
    it(`a write journaled while the secondary ${mode === 'hang' ? 'hung (within secondaryTimeoutMs)' : 'refused'}: its replay finds the rows the same way`, async () => {
      const primary = await create(openSide(dbs, 'sqlite', 'a', opened), true);
      await create(openSide(dbs, 'postgres', 'b', opened), false);
      await writeDuringFault(dbs, opened, primary, mode, {
        seed,
        write: (dual) => dual.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]),
        check: (secondary) => expectRenamed(primary, secondary),
      });
    });
  }

  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`an outbox drain, ${from} -> ${to}: the rename's entry is applied after the entries before it, then the rows it changed`, async () => {
      const primary = await create(openSide(dbs, from, 'a', opened), true);
      const secondary = await create(openSide(dbs, to, 'b', opened), false);
      const mirror = outboxMirror(primary);
      const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
      await seed(dual);
      await dual.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]);
      await drainOutbox(secondary, { mirror });
      await expectRenamed(primary, secondary);
    });
  }

  for (const from of ['d1', 'sqlite'] as const) {
    it(`a queue consumer given the primary, ${from} -> Postgres: the rows the rename changed come after its message's`, () =>
      withQueuePair(from, dbs, opened, create, async ({ primary, secondary, dual, deliver }) => {
        await seed(dual);
        // On SQLite inside a transaction, whose message is sent after the commit.
        const rename = (db: DatabaseAdapter) => db.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]);
        await (primary.capabilities.transactions ? dual.transaction(rename) : rename(dual));
        // A write to the same table that changes no referenced value brings nothing more.
        await dual.execute('UPDATE account SET code = code WHERE id = ?', [2]);
        expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]);
        await expectRenamed(primary, secondary);
      }));
  }

  it('a queue consumer without the primary leaves the referencing rows as they were', async () => {
    const primary = await create(openSide(dbs, 'sqlite', 'a', opened), true);
    const secondary = await create(openSide(dbs, 'postgres', 'b', opened), false);
    const { producer, deliver } = collectingQueue();
    const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror: queueMirror(producer) });
    await seed(dual);
    await dual.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]);
    expect(await deliver(createMirrorConsumer(secondary))).toEqual([]);
    expect(await secondary.query('SELECT account_code FROM member WHERE id = 10')).toEqual([{ account_code: 'A' }]);
    const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
    expect(report.ok).toBe(false);
  });

  it('D1 -> Postgres', async () => {
    await withD1Primary(async (primary) => {
      await create(primary, true);
      const secondary = await create(openSide(dbs, 'postgres', 'b', opened), false);
      const dual = createDualWriteAdapter(primary, secondary);
      await seed(dual);
      await dual.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]);
      await expectRenamed(primary, secondary);
    });
  });
});
