import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createMirrorConsumer, drainOutbox, outboxMirror } from '../src/mirror';
import { openSide, withD1Primary } from './open-side';
import { withQueuePair } from './queue-delivery';
import { recreateTables, twoTestDatabases } from './two-databases';

// An UPDATE of a primary key (a product renamed under a natural key) is replayed on the
// secondary as its statement. The primary's ON UPDATE CASCADE moved the rows that
// referenced the old key (a child keyed by it too, and a row below that one), and SET NULL
// cleared others; a secondary without those foreign keys (they are created after the
// backfill) must get those rows as well.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const TABLES = ['sku', 'stock', 'sku_tag', 'tag_note'];

function tables(foreignKeys: boolean): string[] {
  const fk = (sql: string) => (foreignKeys ? sql : '');
  return [
    'CREATE TABLE sku (code text PRIMARY KEY, name text)',
    `CREATE TABLE stock (id int PRIMARY KEY, sku_code text ${fk('REFERENCES sku (code) ON UPDATE CASCADE')}, ` +
      `alt_code text ${fk('REFERENCES sku (code) ON UPDATE SET NULL')})`,
    `CREATE TABLE sku_tag (sku_code text NOT NULL ${fk('REFERENCES sku (code) ON UPDATE CASCADE')}, tag text NOT NULL, ` +
      'PRIMARY KEY (sku_code, tag))',
    `CREATE TABLE tag_note (id int PRIMARY KEY, sku_code text, tag text${fk(
      ', FOREIGN KEY (sku_code, tag) REFERENCES sku_tag (sku_code, tag) ON UPDATE CASCADE',
    )})`,
  ];
}

const create = (adapter: DatabaseAdapter, foreignKeys: boolean) => recreateTables(adapter, TABLES, tables(foreignKeys));

async function seed(dual: DatabaseAdapter): Promise<void> {
  await dual.execute("INSERT INTO sku (code, name) VALUES ('A', 'apple'), ('B', 'banana')");
  await dual.execute("INSERT INTO stock (id, sku_code, alt_code) VALUES (10, 'A', 'B'), (11, 'B', 'A')");
  await dual.execute("INSERT INTO sku_tag (sku_code, tag) VALUES ('A', 'x'), ('A', 'y'), ('B', 'x')");
  await dual.execute("INSERT INTO tag_note (id, sku_code, tag) VALUES (100, 'A', 'y'), (101, 'B', 'x')");
}

async function expectMoved(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  expect(await secondary.query('SELECT code FROM sku ORDER BY code')).toEqual([{ code: 'B' }, { code: 'Z' }]);
  expect(await secondary.query('SELECT id, sku_code, alt_code FROM stock ORDER BY id')).toEqual([
    { id: 10, sku_code: 'Z', alt_code: 'B' },
    { id: 11, sku_code: 'B', alt_code: null },
  ]);
  expect(await secondary.query('SELECT sku_code, tag FROM sku_tag ORDER BY sku_code, tag')).toEqual([
    { sku_code: 'B', tag: 'x' },
    { sku_code: 'Z', tag: 'x' },
    { sku_code: 'Z', tag: 'y' },
  ]);
  expect(await secondary.query('SELECT id, sku_code, tag FROM tag_note ORDER BY id')).toEqual([
    { id: 100, sku_code: 'Z', tag: 'y' },
    { id: 101, sku_code: 'B', tag: 'x' },
  ]);
  const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
  if (!report.ok) throw new Error(report.summary);
}

describe("rows a primary's ON UPDATE actions moved with a key", () => {
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`${from} -> ${to} without foreign keys: the statement is replayed, and the rows that followed the key come after it`, async () => {
      const primary = await create(openSide(dbs, from, 'a', opened), true);
      const secondary = await create(openSide(dbs, to, 'b', opened), false);
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      await seed(dual);
      const result = await dual.execute('UPDATE sku SET code = ? WHERE code = ?', ['Z', 'A']);
      // The app gets what it asked for: the RETURNING that found the new keys is not in its result.
      expect(result.rowsAffected).toBe(1);
      expect(result.rows ?? []).toEqual([]);
      expect(dual.getMetrics().replicatedByStatement).toBe(1);
      await expectMoved(primary, secondary);
      expect(dual.getMetrics().verificationFailures).toBe(0);
    });
  }

  for (const to of ['postgres', 'sqlite'] as const) {
    it(`postgres -> ${to} without foreign keys, written with $n placeholders: by hand, by the query builder, in a transaction`, async () => {
      const primary = await create(openSide(dbs, 'postgres', 'a', opened), true);
      const secondary = await create(openSide(dbs, to, 'b', opened), false);
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      await seed(dual);
      // The filter run again on the secondary for the old keys names its values by number.
      await dual.execute('UPDATE sku SET code = $1 WHERE code = $2', ['Q', 'A']);
      await dual.db
        .updateTable('sku' as never)
        .set({ code: 'Y' } as never)
        .where('code' as never, '=', 'Q' as never)
        .execute();
      await dual.transaction((tx) => tx.execute('UPDATE sku SET code = $1 WHERE code = $2', ['Z', 'Y']));
      await expectMoved(primary, secondary);
      expect(dual.getMetrics()).toMatchObject({ verificationFailures: 0, secondaryFailures: 0 });
    });
  }

  // The filter names the table by an alias, or joins the new keys from another table: it is
  // run again on the secondary under the same names, for the old keys.
  const joined = "FROM (SELECT 'A' AS old, 'Z' AS new) AS v WHERE s.code = v.old";
  for (const [from, to, move, params] of [
    ['postgres', 'postgres', "UPDATE sku AS s SET code = 'Z' WHERE s.code = 'A'", []],
    [
      'postgres',
      'postgres',
      'UPDATE sku SET code = v.new FROM (VALUES ($1::text, $2::text)) AS v (old, new) WHERE sku.code = v.old',
      ['A', 'Z'],
    ],
    ['postgres', 'sqlite', "UPDATE sku AS S SET code = 'Z' WHERE s.code = 'A'", []],
    ['sqlite', 'postgres', "UPDATE sku AS s SET code = 'Z' WHERE s.code = ?", ['A']],
    ['sqlite', 'postgres', `UPDATE sku AS s SET code = v.new ${joined}`, []],
    ['postgres', 'postgres', `UPDATE sku s SET code = v.new ${joined}`, []],
    // With a RETURNING of its own, as an ORM writes an update: the app gets its columns, and only those.
    ['postgres', 'postgres', 'UPDATE sku SET code = $1 WHERE code = $2 RETURNING code, name', ['Z', 'A']],
    ['sqlite', 'postgres', "UPDATE sku AS s SET code = 'Z' WHERE s.code = 'A' RETURNING *", []],
    ['postgres', 'sqlite', "UPDATE sku AS s SET code = 'Z' WHERE s.code = 'A' RETURNING s.name AS was, code", []],
  ] as const) {
    it(`${from} -> ${to} without foreign keys: ${move}`, async () => {
      const primary = await create(openSide(dbs, from, 'a', opened), true);
      const secondary = await create(openSide(dbs, to, 'b', opened), false);
      const dual = createDualWriteAdapter(primary, secondary);
      await seed(dual);
      const result = await dual.execute(move, [...params]);
      expect(result.rowsAffected).toBe(1);
      const own = move.includes('RETURNING')
        ? move.includes(' AS was')
          ? { was: 'apple', code: 'Z' }
          : { code: 'Z', name: 'apple' }
        : undefined;
      expect(result.rows ?? []).toEqual(own ? [own] : []);
      await expectMoved(primary, secondary);
      expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, journalDepth: 0 });
    });
  }

  it('Postgres -> Postgres onto a secondary that has the foreign keys itself: the same rows, no failure', async () => {
    const primary = await create(openSide(dbs, 'postgres', 'a', opened), true);
    const secondary = await create(openSide(dbs, 'postgres', 'b', opened), true);
    const dual = createDualWriteAdapter(primary, secondary);
    await seed(dual);
    await dual.execute('UPDATE sku SET code = ? WHERE code = ?', ['Z', 'A']);
    await expectMoved(primary, secondary);
    expect(dual.getMetrics().secondaryFailures).toBe(0);
  });

  it('an UPDATE of every key, without a filter: each row follows its own new key', async () => {
    const primary = await create(openSide(dbs, 'sqlite', 'a', opened), true);
    const secondary = await create(openSide(dbs, 'postgres', 'b', opened), false);
    const dual = createDualWriteAdapter(primary, secondary);
    await seed(dual);
    await dual.execute('UPDATE sku SET code = code || ?', ['2']);
    expect(await secondary.query('SELECT id, sku_code, alt_code FROM stock ORDER BY id')).toEqual([
      { id: 10, sku_code: 'A2', alt_code: null },
      { id: 11, sku_code: 'B2', alt_code: null },
    ]);
    expect(await secondary.query('SELECT id, sku_code, tag FROM tag_note ORDER BY id')).toEqual([
      { id: 100, sku_code: 'A2', tag: 'y' },
      { id: 101, sku_code: 'B2', tag: 'x' },
    ]);
    const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
    if (!report.ok) throw new Error(report.summary);
  });

  it('inside a transaction that moves one key twice: the rows follow its last key, and no row is left under the one between', async () => {
    const primary = await create(openSide(dbs, 'sqlite', 'a', opened), true);
    const secondary = await create(openSide(dbs, 'postgres', 'b', opened), false);
    const dual = createDualWriteAdapter(primary, secondary);
    await seed(dual);
    await dual.transaction(async (tx) => {
      const first = await tx.execute('UPDATE sku SET code = ? WHERE code = ?', ['Z', 'A']);
      expect(first.rows ?? []).toEqual([]);
      await tx.execute('UPDATE sku SET code = ? WHERE code = ?', ['Y', 'Z']);
    });
    expect(await secondary.query('SELECT code FROM sku ORDER BY code')).toEqual([{ code: 'B' }, { code: 'Y' }]);
    expect(await secondary.query('SELECT sku_code, tag FROM sku_tag ORDER BY sku_code, tag')).toEqual([
      { sku_code: 'B', tag: 'x' },
      { sku_code: 'Y', tag: 'x' },
      { sku_code: 'Y', tag: 'y' },
    ]);
    expect(await secondary.query('SELECT id, sku_code, tag FROM tag_note ORDER BY id')).toEqual([
      { id: 100, sku_code: 'Y', tag: 'y' },
      { id: 101, sku_code: 'B', tag: 'x' },
    ]);
    const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
    if (!report.ok) throw new Error(report.summary);
  });
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`an outbox drain, ${from} -> ${to}: the entry names the keys the update left, alone and inside a transaction`, async () => {
      const primary = await create(openSide(dbs, from, 'a', opened), true);
      const secondary = await create(openSide(dbs, to, 'b', opened), false);
      const mirror = outboxMirror(primary);
      const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
      await seed(dual);
      const result = await dual.execute('UPDATE sku SET code = ? WHERE code = ?', ['Z', 'A']);
      expect(result.rows).toEqual([]);
      await drainOutbox(secondary, { mirror });
      await expectMoved(primary, secondary);
      // A row written, then moved, in one transaction; drained after a later write removed a moved row.
      await dual.transaction(async (tx) => {
        await tx.execute('UPDATE sku SET name = ? WHERE code = ?', ['zed', 'Z']);
        await tx.execute('UPDATE sku SET code = ? WHERE code = ?', ['Q', 'Z']);
      });
      await dual.execute("INSERT INTO tag_note (id, sku_code, tag) VALUES (102, 'Q', 'x')");
      await dual.execute('UPDATE sku SET code = ? WHERE code = ?', ['W', 'Q']);
      await dual.execute('DELETE FROM tag_note WHERE id = 100');
      await drainOutbox(secondary, { mirror });
      const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
      if (!report.ok) throw new Error(report.summary);
      expect(await secondary.query('SELECT id, sku_code, tag FROM tag_note ORDER BY id')).toEqual([
        { id: 101, sku_code: 'B', tag: 'x' },
        { id: 102, sku_code: 'W', tag: 'x' },
      ]);
    });
  }
  it('an outbox drain, D1 -> Postgres: the entry, written in the batch before the moved rows exist, names the move; alone, in a batch, and sent as statements', async () => {
    await withD1Primary(async (primary) => {
      await create(primary, true);
      const secondary = await create(openSide(dbs, 'postgres', 'b', opened), false);
      const mirror = outboxMirror(primary);
      const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
      await seed(dual);
      await dual.execute('UPDATE sku SET code = ? WHERE code = ?', ['Z', 'A']);
      await drainOutbox(secondary, { mirror });
      await expectMoved(primary, secondary);
      // In a batch with a write whose rows the entry holds; then with one whose rows it cannot
      // find again (an INSERT … SELECT into a table keyed by text), so the entry holds statements.
      await dual.batch([
        { sql: "INSERT INTO tag_note (id, sku_code, tag) VALUES (102, 'Z', 'x')", params: [] },
        { sql: 'UPDATE sku SET code = ? WHERE code = ?', params: ['Q', 'Z'] },
      ]);
      const copied = "INSERT INTO sku_tag (sku_code, tag) SELECT code, 'z' FROM sku WHERE code = 'W'";
      await dual.batch([
        { sql: 'UPDATE sku SET code = ? WHERE code = ?', params: ['W', 'Q'] },
        { sql: copied, params: [] },
      ]);
      expect(dual.getMetadata().replicatedByStatement.map((r) => r.sql)).toContain(copied);
      await drainOutbox(secondary, { mirror });
      expect(await secondary.query('SELECT id, sku_code, tag FROM tag_note ORDER BY id')).toEqual([
        { id: 100, sku_code: 'W', tag: 'y' },
        { id: 101, sku_code: 'B', tag: 'x' },
        { id: 102, sku_code: 'W', tag: 'x' },
      ]);
      expect(await secondary.query('SELECT sku_code, tag FROM sku_tag ORDER BY sku_code, tag')).toEqual([
        { sku_code: 'B', tag: 'x' },
        { sku_code: 'W', tag: 'x' },
        { sku_code: 'W', tag: 'y' },
        { sku_code: 'W', tag: 'z' },
      ]);
      const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
      if (!report.ok) throw new Error(report.summary);
    });
  });
  for (const from of ['d1', 'sqlite'] as const) {
    it(`a queue consumer given the primary, ${from} -> Postgres: the message names the keys the update left`, () =>
      withQueuePair(from, dbs, opened, create, async ({ primary, secondary, dual, deliver }) => {
        await seed(dual);
        // On SQLite inside a transaction, whose message is sent after the commit. D1 counts
        // the rows its foreign key actions wrote in rowsAffected too.
        const move = (db: DatabaseAdapter) => db.execute('UPDATE sku SET code = ? WHERE code = ?', ['Z', 'A']);
        expect(await (primary.capabilities.transactions ? dual.transaction(move) : move(dual))).toMatchObject({ rows: [] });
        expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]);
        await expectMoved(primary, secondary);
      }));
  }
});
