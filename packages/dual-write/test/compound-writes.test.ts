import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { dropOwnTables, twoTestDatabases } from './two-databases';
import { cleanupAfterEach, syncOrOutbox } from './open-side';

/**
 * Writes Postgres runs as one but that are several. Apps write a parent and its children in one statement (`WITH o AS (INSERT …
 * RETURNING id) INSERT INTO lines … SELECT … FROM o`) and archive rows the same way. Replayed
 * on the secondary such a statement takes that side's own ids and defaults (and SQLite cannot
 * run it at all); it is captured instead: every row each part wrote is named by key, read
 * again in the same transaction, and replicated as rows. The primary's sequence has a gap
 * first (a rolled-back insert), so ids taken on the secondary would differ. A text of several
 * statements without parameters, which Postgres runs as one implicit transaction, is captured
 * statement by statement in one transaction.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

const PG_TABLES = (placedAt: string) => [
  `CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL, placed_at timestamptz NOT NULL DEFAULT ${placedAt})`,
  'CREATE TABLE lines (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE, sku text NOT NULL, qty int NOT NULL)',
  `CREATE TABLE archive (id bigint PRIMARY KEY, customer text, archived_at timestamptz NOT NULL DEFAULT ${placedAt})`,
];
const SQLITE_TABLES = [
  "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, placed_at TEXT NOT NULL DEFAULT '1999-01-01')",
  'CREATE TABLE lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE, sku TEXT NOT NULL, qty INTEGER NOT NULL)',
  "CREATE TABLE archive (id INTEGER PRIMARY KEY, customer TEXT, archived_at TEXT NOT NULL DEFAULT '1999-01-01')",
];

const ORDER_WITH_LINES =
  'WITH o AS (INSERT INTO orders (customer) VALUES (?) RETURNING id) ' +
  'INSERT INTO lines (order_id, sku, qty) SELECT o.id, l.sku, l.qty FROM o, (VALUES (?, 1), (?, 2)) AS l (sku, qty) RETURNING order_id, sku';
const BUMP_AND_COUNT = 'WITH bumped AS (UPDATE lines SET qty = qty + 10 WHERE sku = ?) SELECT count(*)::int AS orders FROM orders';
const ARCHIVE =
  'WITH moved AS (DELETE FROM orders WHERE customer = ? RETURNING *) INSERT INTO archive (id, customer) SELECT id, customer FROM moved';

async function primaryWithGap(): Promise<DatabaseAdapter> {
  const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
  await dropOwnTables(primary);
  for (const t of ['lines', 'archive', 'orders']) await primary.execute(`DROP TABLE IF EXISTS ${t}`);
  for (const ddl of PG_TABLES('clock_timestamp()')) await primary.execute(ddl);
  return primary;
}

async function secondaryOf(kind: 'postgres' | 'sqlite'): Promise<DatabaseAdapter> {
  if (kind === 'sqlite') {
    const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
    for (const ddl of SQLITE_TABLES) await secondary.execute(ddl);
    return secondary;
  }
  const secondary = createPostgresAdapter(dbs.database.url, { name: 'b' });
  await dropOwnTables(secondary);
  for (const t of ['lines', 'archive', 'orders']) await secondary.execute(`DROP TABLE IF EXISTS ${t}`);
  // A default only the secondary has: a row that took it was not the primary's.
  for (const ddl of PG_TABLES("'1999-01-01Z'")) await secondary.execute(ddl);
  return secondary;
}

describe('a Postgres statement whose WITH list writes rows', () => {
  for (const kind of ['postgres', 'sqlite'] as const) {
    it.each(['sync', 'outbox'] as const)(`Postgres -> ${kind} (%s): every part's rows are replicated as rows`, async (mode) => {
      const primary = await primaryWithGap();
      const secondary = await secondaryOf(kind);
      cleanup(() => secondary.close());
      const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);
      // A rolled-back insert takes id 1 on the primary only.
      await expect(
        app.transaction(async (tx) => {
          await tx.execute("INSERT INTO orders (customer) VALUES ('gone')");
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');

      const lines = await app.query(ORDER_WITH_LINES, ['ann', 'a1', 'a2']);
      expect(lines).toEqual([
        { order_id: 2, sku: 'a1' },
        { order_id: 2, sku: 'a2' },
      ]);
      const written = await app.execute(ORDER_WITH_LINES.replace(' RETURNING order_id, sku', ''), ['bob', 'b1', 'b2']);
      expect(written).toMatchObject({ rowsAffected: 2, rows: [], lastInsertId: 4 });
      expect(await app.query(BUMP_AND_COUNT, ['a2'])).toEqual([{ orders: 2 }]);
      await app.transaction(async (tx) => {
        expect(await tx.execute(ARCHIVE, ['bob'])).toMatchObject({ rowsAffected: 1 });
        await tx.execute("UPDATE orders SET customer = 'ann b.' WHERE id = 2");
      });
      await drained();

      expect(app.getMetadata().replicatedByStatement).toEqual([]);
      expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0, verificationFailures: 0 });
      expect(await secondary.query('SELECT id, order_id, sku, qty FROM lines ORDER BY id')).toEqual([
        { id: 1, order_id: 2, sku: 'a1', qty: 1 },
        { id: 2, order_id: 2, sku: 'a2', qty: 12 },
      ]);
      expect(await secondary.query('SELECT id, customer FROM archive')).toEqual([{ id: 3, customer: 'bob' }]);
      const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['orders', 'lines', 'archive'] });
      expect(report.ok).toBe(true);
      // The defaults the primary chose arrived (the secondary's own say 1999).
      expect(report.tables.map((t) => t.rowsCompared)).toEqual([1, 2, 1]);
    });
  }

  it("Kysely's `with` on the dual-write adapter's `db`: the parent's id from the primary's sequence", async () => {
    const primary = await primaryWithGap();
    const secondary = await secondaryOf('sqlite');
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await primary.execute("INSERT INTO orders (customer) VALUES ('primary only')");
    await primary.execute('DELETE FROM orders');
    const rows = await app.db
      .with('o', (db) => db.insertInto('orders').values({ customer: 'kit' }).returning('id'))
      .insertInto('lines')
      .columns(['order_id', 'sku', 'qty'])
      .expression((eb) => eb.selectFrom('o').select((s) => ['o.id', s.val('k1').as('sku'), s.val(3).as('qty')]))
      .returning(['id', 'order_id'])
      .execute();
    expect(rows).toEqual([{ id: 1, order_id: 2 }]);
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(await secondary.query('SELECT o.id, o.customer, l.sku FROM orders o JOIN lines l ON l.order_id = o.id')).toEqual([
      { id: 2, customer: 'kit', sku: 'k1' },
    ]);
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['orders', 'lines'] });
    expect(report.ok).toBe(true);
  });

  it('mixed-case names, a column list, MATERIALIZED, `t.*` and a composite key', async () => {
    const primary = await primaryWithGap();
    const secondary = await secondaryOf('postgres');
    for (const side of [primary, secondary]) {
      await side.execute('DROP TABLE IF EXISTS "Stock"');
      await side.execute('CREATE TABLE "Stock" ("Sku" text, "Bin" int, "Qty" int NOT NULL, PRIMARY KEY ("Sku", "Bin"))');
    }
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await app.execute('INSERT INTO "Stock" VALUES (?, 1, 5), (?, 2, 7), (?, 3, 9)', ['a', 'b', 'c']);
    const sql =
      'WITH "Taken" ("S", "B", "Q") AS MATERIALIZED (UPDATE "Stock" AS st SET "Qty" = st."Qty" - 1 WHERE "Sku" <> ? RETURNING st.*), ' +
      'gone AS (DELETE FROM "Stock" WHERE "Sku" = ?) ' +
      'SELECT "S", "Q" FROM "Taken" ORDER BY "S" DESC';
    expect(await app.query(sql, ['c', 'c'])).toEqual([
      { S: 'b', Q: 6 },
      { S: 'a', Q: 4 },
    ]);
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(await secondary.query('SELECT * FROM "Stock" ORDER BY 1')).toEqual([
      { Sku: 'a', Bin: 1, Qty: 4 },
      { Sku: 'b', Bin: 2, Qty: 6 },
    ]);
  });

  it('a part it cannot name the rows of is replayed as a statement, and said why', async () => {
    const primary = await primaryWithGap();
    const secondary = await secondaryOf('postgres');
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await app.execute('INSERT INTO orders (id, customer) VALUES (1, ?)', ['cy']);
    const guessed =
      'WITH up AS (UPDATE orders SET customer = upper(customer) WHERE id = 1 RETURNING id + 0) SELECT count(*)::int AS n FROM up';
    expect(await app.query(guessed)).toEqual([{ n: 1 }]);
    expect(app.getMetadata().replicatedByStatement).toEqual([
      { sql: guessed, reason: 'a RETURNING item whose column name Postgres guesses (id + 0)' },
    ]);
    expect(await secondary.query('SELECT customer FROM orders')).toEqual([{ customer: 'CY' }]);
  });
});

describe('a Postgres text of several statements', () => {
  for (const kind of ['postgres', 'sqlite'] as const) {
    it(`Postgres -> ${kind}: each statement is captured, in one transaction, and answered as Postgres answers`, async () => {
      const primary = await primaryWithGap();
      const secondary = await secondaryOf(kind);
      const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      cleanup(() => Promise.all([app.close(), secondary.close()]));
      await primary.execute("INSERT INTO orders (customer) VALUES ('primary only')");
      await primary.execute('DELETE FROM orders');

      const text =
        "INSERT INTO orders (customer) VALUES ('a;1'), ('b'); UPDATE orders SET customer = upper(customer) WHERE customer = 'b';\n" +
        'SELECT count(*)::int AS n FROM orders; -- done';
      expect(await app.execute(text)).toEqual({ rows: [{ n: 2 }], rowsAffected: 3 });
      // One statement refused: none of them stays, on either side.
      await expect(
        app.execute("INSERT INTO orders (customer) VALUES ('c'); INSERT INTO orders (id, customer) VALUES (2, 'twice')"),
      ).rejects.toThrow(/duplicate key/);
      expect(app.getMetadata().replicatedByStatement).toEqual([]);
      expect(await secondary.query('SELECT id, customer FROM orders ORDER BY id')).toEqual([
        { id: 2, customer: 'a;1' },
        { id: 3, customer: 'B' },
      ]);
      const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['orders'] });
      expect(report.ok).toBe(true);
    });
  }

  it('a text that changes the schema stays one text, replayed as written', async () => {
    const primary = await primaryWithGap();
    const secondary = await secondaryOf('postgres');
    const app = createDualWriteAdapter(primary, secondary);
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    const text = 'DROP TABLE IF EXISTS extra; CREATE TABLE extra (id int PRIMARY KEY); INSERT INTO extra VALUES (1)';
    await app.execute(text);
    expect(app.getMetadata().replicatedByStatement.map((r) => r.sql)).toEqual([text]);
    expect(await secondary.query('SELECT id FROM extra')).toEqual([{ id: 1 }]);
  });
});
