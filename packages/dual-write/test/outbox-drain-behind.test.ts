import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createMirrorConsumer, drainOutbox, outboxMirror } from '../src/mirror';
import { openSide } from './open-side';
import { withQueuePair } from './queue-delivery';
import { recreateTables, twoTestDatabases } from './two-databases';

// A drain applies each outbox entry long after its write. An account's code is renamed
// (ON UPDATE CASCADE to its members' account_code, SET NULL to their backup_code); a badge
// is then added under member 10; then the account is deleted, and its ON DELETE CASCADE
// removes member 10 and, below it, the badge. When the drain reaches the rename, member 10
// is already gone from the primary. Deleting it then, ahead of its time, would leave the
// account's delete, which finds members on the secondary by the code they hold, unable to
// reach the badge. The drain gives member 10 the new code instead, as the cascade did then.
// A row a delete's SET NULL cleared is cleared the same way, not deleted ahead of time.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const TABLES = ['account', 'member', 'badge'];

function tables(foreignKeys: boolean): string[] {
  const fk = (sql: string) => (foreignKeys ? sql : '');
  return [
    'CREATE TABLE account (id int PRIMARY KEY, code text NOT NULL UNIQUE)',
    `CREATE TABLE member (id int PRIMARY KEY, account_code text ${fk('REFERENCES account (code) ON UPDATE CASCADE ON DELETE CASCADE')}, ` +
      `backup_code text ${fk('REFERENCES account (code) ON UPDATE SET NULL')})`,
    `CREATE TABLE badge (id int PRIMARY KEY, member_id int ${fk('REFERENCES member (id) ON DELETE CASCADE')})`,
  ];
}

const create = (adapter: DatabaseAdapter, foreignKeys: boolean) => recreateTables(adapter, TABLES, tables(foreignKeys));

/** Seeds and brings the secondary up to date (`catchUp`), then renames, adds below, removes and deletes, without it. */
async function renameAndDelete(dual: DatabaseAdapter, catchUp: () => Promise<unknown>): Promise<void> {
  await dual.execute("INSERT INTO account (id, code) VALUES (1, 'A'), (2, 'B')");
  await dual.execute(
    "INSERT INTO member (id, account_code, backup_code) VALUES (10, 'A', 'B'), (11, 'B', 'A'), (12, 'A', NULL), (13, 'B', 'A')",
  );
  await dual.execute('INSERT INTO badge (id, member_id) VALUES (400, 12)');
  await catchUp();

  await dual.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]);
  await dual.execute('INSERT INTO badge (id, member_id) VALUES (500, 10)');
  // Gone before the secondary catches up too: its backup_code was cleared by the rename.
  await dual.execute('DELETE FROM member WHERE id = ?', [11]);
  await dual.execute('DELETE FROM account WHERE id = ?', [1]);
}

/** What both sides hold once everything reached the secondary. */
async function expectDeleted(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  expect(await secondary.query('SELECT id, account_code, backup_code FROM member ORDER BY id')).toEqual([
    { id: 13, account_code: 'B', backup_code: null },
  ]);
  expect(await secondary.query('SELECT id FROM badge')).toEqual([]);
  const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
  if (!report.ok) throw new Error(report.summary);
}

describe('an outbox drain, or a queue consumer, far behind the writes', () => {
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`${from} -> ${to}: rows a rename changed and a later write removed still lead the later deletes to the rows below them`, async () => {
      const primary = await create(openSide(dbs, from, 'a', opened), true);
      const secondary = await create(openSide(dbs, to, 'b', opened), false);
      const mirror = outboxMirror(primary);
      const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
      await renameAndDelete(dual, () => drainOutbox(secondary, { mirror }));
      await drainOutbox(secondary, { mirror });
      await expectDeleted(primary, secondary);
    });
  }

  it('a queue consumer given the primary, sqlite -> postgres, every message in one batch: the same', () =>
    withQueuePair('sqlite', dbs, opened, create, async ({ primary, secondary, dual, deliver }) => {
      const consume = async () => expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]);
      await renameAndDelete(dual, consume);
      await consume();
      await expectDeleted(primary, secondary);
    }));

  const OWNERS = ['owner', 'gadget', 'remark'];
  const owners = (foreignKeys: boolean) => {
    const fk = (sql: string) => (foreignKeys ? sql : '');
    return [
      'CREATE TABLE owner (id int PRIMARY KEY)',
      `CREATE TABLE gadget (id int PRIMARY KEY, owner_id int ${fk('REFERENCES owner (id) ON DELETE SET NULL')}, tag text NOT NULL UNIQUE)`,
      `CREATE TABLE remark (id int PRIMARY KEY, gadget_tag text ${fk('REFERENCES gadget (tag) ON DELETE CASCADE')})`,
    ];
  };
  const createOwners = (adapter: DatabaseAdapter, foreignKeys: boolean) => recreateTables(adapter, OWNERS, owners(foreignKeys));

  /** A gadget its owner's delete cleared, a remark added by its tag, the gadget deleted, then the secondary catches up. */
  async function clearAndDelete(
    dual: DatabaseAdapter,
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    catchUp: () => Promise<unknown>,
  ) {
    await dual.execute('INSERT INTO owner (id) VALUES (1)');
    await dual.execute("INSERT INTO gadget (id, owner_id, tag) VALUES (10, 1, 't10')");
    await catchUp();
    await dual.execute('DELETE FROM owner WHERE id = ?', [1]);
    await dual.execute("INSERT INTO remark (id, gadget_tag) VALUES (100, 't10')");
    // Found by the tag the secondary still holds for gadget 10.
    await dual.execute('DELETE FROM gadget WHERE id = ?', [10]);
    await catchUp();
    expect(await secondary.query('SELECT id FROM remark')).toEqual([]);
    const report = await validateDatabases(primary, secondary, { tables: OWNERS, validateAllRows: true });
    if (!report.ok) throw new Error(report.summary);
  }

  it("sqlite -> postgres: a row a delete's SET NULL cleared and a later write removed still leads that write to the rows below it", async () => {
    const primary = await createOwners(openSide(dbs, 'sqlite', 'a', opened), true);
    const secondary = await createOwners(openSide(dbs, 'postgres', 'b', opened), false);
    const mirror = outboxMirror(primary);
    const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    await clearAndDelete(dual, primary, secondary, () => drainOutbox(secondary, { mirror }));
  });

  it('a queue consumer given the primary, sqlite -> postgres, every message in one batch: the same', () =>
    withQueuePair('sqlite', dbs, opened, createOwners, async ({ primary, secondary, dual, deliver }) => {
      await clearAndDelete(dual, primary, secondary, async () =>
        expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]),
      );
    }));
});
