import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from '../src/dual-write-adapter';
import { drainOutbox, outboxMirror } from '../src/mirror';
import { openSide } from './open-side';
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

describe('an outbox drain far behind the writes', () => {
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`${from} -> ${to}: rows a rename changed and a later write removed still lead the later deletes to the rows below them`, async () => {
      const primary = await recreateTables(openSide(dbs, from, 'a', opened), TABLES, tables(true));
      const secondary = await recreateTables(openSide(dbs, to, 'b', opened), TABLES, tables(false));
      const mirror = outboxMirror(primary);
      const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
      await dual.execute("INSERT INTO account (id, code) VALUES (1, 'A'), (2, 'B')");
      await dual.execute(
        "INSERT INTO member (id, account_code, backup_code) VALUES (10, 'A', 'B'), (11, 'B', 'A'), (12, 'A', NULL), (13, 'B', 'A')",
      );
      await dual.execute('INSERT INTO badge (id, member_id) VALUES (400, 12)');
      await drainOutbox(secondary, { mirror });

      await dual.execute('UPDATE account SET code = ? WHERE id = ?', ['Z', 1]);
      await dual.execute('INSERT INTO badge (id, member_id) VALUES (500, 10)');
      // Gone before the drain too: its backup_code was cleared by the rename.
      await dual.execute('DELETE FROM member WHERE id = ?', [11]);
      await dual.execute('DELETE FROM account WHERE id = ?', [1]);
      await drainOutbox(secondary, { mirror });

      expect(await secondary.query('SELECT id, account_code, backup_code FROM member ORDER BY id')).toEqual([
        { id: 13, account_code: 'B', backup_code: null },
      ]);
      expect(await secondary.query('SELECT id FROM badge')).toEqual([]);
      const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
      if (!report.ok) throw new Error(report.summary);
    });
  }
  it("sqlite -> postgres: a row a delete's SET NULL cleared and a later write removed still leads that write to the rows below it", async () => {
    const names = ['owner', 'gadget', 'remark'];
    const ddl = (fk: (sql: string) => string) => [
      'CREATE TABLE owner (id int PRIMARY KEY)',
      `CREATE TABLE gadget (id int PRIMARY KEY, owner_id int ${fk('REFERENCES owner (id) ON DELETE SET NULL')}, tag text NOT NULL UNIQUE)`,
      `CREATE TABLE remark (id int PRIMARY KEY, gadget_tag text ${fk('REFERENCES gadget (tag) ON DELETE CASCADE')})`,
    ];
    const primary = await recreateTables(
      openSide(dbs, 'sqlite', 'a', opened),
      names,
      ddl((sql) => sql),
    );
    const secondary = await recreateTables(
      openSide(dbs, 'postgres', 'b', opened),
      names,
      ddl(() => ''),
    );
    const mirror = outboxMirror(primary);
    const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    await dual.execute('INSERT INTO owner (id) VALUES (1)');
    await dual.execute("INSERT INTO gadget (id, owner_id, tag) VALUES (10, 1, 't10')");
    await drainOutbox(secondary, { mirror });
    await dual.execute('DELETE FROM owner WHERE id = ?', [1]);
    await dual.execute("INSERT INTO remark (id, gadget_tag) VALUES (100, 't10')");
    // Found by the tag the secondary still holds for gadget 10.
    await dual.execute('DELETE FROM gadget WHERE id = ?', [10]);
    await drainOutbox(secondary, { mirror });
    expect(await secondary.query('SELECT id FROM remark')).toEqual([]);
    const report = await validateDatabases(primary, secondary, { tables: names, validateAllRows: true });
    if (!report.ok) throw new Error(report.summary);
  });
});
