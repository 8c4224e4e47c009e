import { afterEach, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { applyOps } from '../src/mirror/op-apply';
import { drainOutbox } from '../src/mirror/outbox-drain';
import { outboxMirror } from '../src/mirror/outbox-mirror';
import { createDualWriteAdapter } from './patient-dual-write';
import { dropOwnTables, twoTestDatabases } from './two-databases';

// An entry that arrives after a newer one for its row is stale: its rows are re-read from the
// primary ("repaired") rather than replayed. The re-read row must reach the secondary as the
// primary holds it, whatever the column's type and whatever schema change still waits.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

/** Values a driver's parsed form sends back wrong unless converted for the column: a JSON string, an array holding NULL. */
const CASES: [column: string, literal: string][] = [
  ['j', `'"text"'`],
  ['j', `'{"b":1,  "a":3, "a":4}'`],
  ['jb', `'"text"'`],
  ['jb', `'{"a": 1e400}'`],
  ['ia', `'{1,NULL,3}'`],
  ['ta', `'{"a,b",NULL,"c\\"d"}'`],
  ['ts', `'2024-02-29 23:59:59.999999'`],
  ['n', `'12345678901234567890.1234567891'`],
  ['big', '9007199254740993'],
  ['iv', `'1 year 2 mons 3 days 04:05:06.789'`],
];

it('re-reads a stale row from a Postgres primary with every value as the primary holds it', async () => {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-a' });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-b' });
  opened.push(primary, secondary);
  for (const side of [primary, secondary]) {
    await dropOwnTables(side);
    await side.execute(
      'DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, j json, jb jsonb, ia int[], ta text[], ts timestamp, n numeric(30,10), big bigint, iv interval)',
    );
  }
  for (const [n, [column, literal]] of CASES.entries()) {
    const id = n + 1;
    await primary.execute(`INSERT INTO t (id, ${column}) VALUES (${id}, ${literal})`);
    // A newer operation for the row was applied first; the older one that follows is stale.
    const newer = { opId: `newer-${id}`, seq: 1000 + id, createdAt: 0, statements: [{ sql: `INSERT INTO t (id) VALUES (${id})` }] };
    expect(await applyOps(secondary, [newer])).toEqual([{ opId: newer.opId, outcome: 'applied' }]);
    const older = { opId: `older-${id}`, seq: id, createdAt: 0, statements: [{ sql: `UPDATE t SET big = 0 WHERE id = ${id}` }] };
    expect(await applyOps(secondary, [older], { repairFrom: primary })).toEqual([{ opId: older.opId, outcome: 'repaired' }]);
    const text = `${column}::text`;
    const read = (side: DatabaseAdapter) => side.first<{ v: string | null }>(`SELECT ${text} AS v FROM t WHERE id = ${id}`);
    expect({ column, literal, value: (await read(secondary))?.v }).toEqual({ column, literal, value: (await read(primary))?.v });
  }
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['t'] })).ok).toBe(true);
});

it('repairs an entry queued before a schema change the secondary has not run yet, and drains on', async () => {
  const primary = createSQLiteAdapter(':memory:', { name: 'a' });
  const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
  opened.push(primary, secondary);
  for (const side of [primary, secondary]) await side.execute('CREATE TABLE v (id INTEGER PRIMARY KEY, note TEXT)');
  const mirror = outboxMirror(primary);
  const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
  await dual.execute('INSERT INTO v (id, note) VALUES (1, ?)', ['a']);
  await dual.execute("ALTER TABLE v ADD COLUMN extra TEXT DEFAULT 'x'");
  await dual.execute('INSERT INTO v (id, note, extra) VALUES (2, ?, ?)', ['b', 'y']);
  // As if another drain had applied a newer operation for row 1 first: the insert is stale.
  const [first] = await mirror.peek(1);
  const newer = {
    opId: 'newer',
    seq: first!.seq,
    createdAt: 0,
    statements: [{ sql: 'INSERT INTO v (id, note) VALUES (1, ?)', params: ['a'] }],
  };
  expect(await applyOps(secondary, [newer])).toEqual([{ opId: 'newer', outcome: 'applied' }]);
  // The row is re-read with the primary's columns, which already include `extra`.
  expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 2, repaired: 1 });
  expect(await secondary.query('SELECT * FROM v ORDER BY id')).toEqual([
    { id: 1, note: 'a', extra: 'x' },
    { id: 2, note: 'b', extra: 'y' },
  ]);
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['v'] })).ok).toBe(true);
});
