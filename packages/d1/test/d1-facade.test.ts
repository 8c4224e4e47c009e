import { asD1Database } from '@switchyard/core';
import { createTestD1, type TestD1 } from '@switchyard/testkit/d1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '../src/index';

// The facade over a D1 adapter must answer every call as the D1 binding itself does: the
// same calls run on two fresh Miniflare databases, one through each, in the same order.
type Db = any;
type Call = [label: string, run: (db: Db) => Promise<unknown>];

const calls: Call[] = [
  ['create', (db) => db.prepare('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, b BLOB, f REAL)').run()],
  [
    'insert with a blob',
    (db) =>
      db
        .prepare('INSERT INTO t (name, b, f) VALUES (?, ?, ?)')
        .bind('a', new Uint8Array([1, 2]), 1.5)
        .run(),
  ],
  ['insert ?1 returning', (db) => db.prepare('INSERT INTO t (name) VALUES (?1) RETURNING id, name').bind('b').run()],
  ['numbered reuse', (db) => db.prepare('SELECT ?2 AS x, ?1 AS y, ?2 AS z').bind('p', 'q').first()],
  ['all', (db) => db.prepare('SELECT * FROM t ORDER BY id').all()],
  ['all, no rows', (db) => db.prepare('SELECT * FROM t WHERE id = ?').bind(99).all()],
  ['first', (db) => db.prepare('SELECT * FROM t ORDER BY id').first()],
  ['first(column)', (db) => db.prepare('SELECT * FROM t ORDER BY id').first('name')],
  ['first(missing column)', (db) => db.prepare('SELECT * FROM t ORDER BY id').first('nope')],
  ['first, no row', (db) => db.prepare('SELECT * FROM t WHERE id = 99').first()],
  ['first(column), no row', (db) => db.prepare('SELECT * FROM t WHERE id = 99').first('name')],
  ['raw', (db) => db.prepare('SELECT id, name FROM t ORDER BY id').raw()],
  ['raw with column names', (db) => db.prepare('SELECT id, name FROM t ORDER BY id').raw({ columnNames: true })],
  ['create a table to join', (db) => db.prepare('CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER, name TEXT)').run()],
  ['insert rows to join', (db) => db.prepare('INSERT INTO u (id, t_id, name) VALUES (10, 1, ?), (11, 1, ?)').bind('x', 'y').run()],
  // Drizzle reads a join's columns by position: names that repeat must all be kept.
  [
    'raw join with repeated names',
    (db) => db.prepare('SELECT t.id, u.id, t.name, u.name, t.b FROM t JOIN u ON u.t_id = t.id ORDER BY u.id').raw(),
  ],
  [
    'raw join with column names',
    (db) => db.prepare('SELECT t.id, u.id, t.name, u.name FROM t JOIN u ON u.t_id = t.id ORDER BY u.id').raw({ columnNames: true }),
  ],
  [
    'raw join, no rows, with column names',
    (db) => db.prepare('SELECT t.id, u.id FROM t JOIN u ON u.t_id = t.id WHERE t.id = ?').bind(99).raw({ columnNames: true }),
  ],
  ['raw of a big integer', (db) => db.prepare('SELECT 9007199254740993 AS x, 1 AS x').raw({ columnNames: true })],
  ['booleans bound', (db) => db.prepare('SELECT ? AS x, ? AS y').bind(true, false).first()],
  [
    'ArrayBuffer bound',
    (db) =>
      db
        .prepare('SELECT length(?) AS n')
        .bind(new Uint8Array([1, 2, 3]).buffer)
        .first(),
  ],
  ['undefined bound', (db) => db.prepare('SELECT ? AS x').bind(undefined).first()],
  ['object bound', (db) => db.prepare('SELECT ? AS x').bind({ a: 1 }).first()],
  ['bigint bound', (db) => db.prepare('SELECT ? AS x').bind(5n).first()],
  ['too few values', (db) => db.prepare('SELECT ? AS x, ? AS y').bind(1).first()],
  ['too many values', (db) => db.prepare('SELECT ? AS x').bind(1, 2).first()],
  ['missing table', (db) => db.prepare('SELECT * FROM nope').all()],
  ['syntax error', (db) => db.prepare('SELEC 1').all()],
  ['unique violation', (db) => db.prepare("INSERT INTO t (name) VALUES ('a')").run()],
  ['update', (db) => db.prepare('UPDATE t SET f = 2').run()],
  ['update of no row', (db) => db.prepare('UPDATE t SET f = 3 WHERE id = 99').run()],
  ['empty statement', (db) => db.prepare('').all()],
  ['BEGIN', (db) => db.prepare('BEGIN').run()],
  ['batch', (db) => db.batch([db.prepare('INSERT INTO t (name) VALUES (?)').bind('c'), db.prepare('SELECT count(*) AS n FROM t')])],
  ['failing batch', (db) => db.batch([db.prepare('INSERT INTO t (name) VALUES (?)').bind('d'), db.prepare('SELECT * FROM nope')])],
  ['failing batch wrote nothing', (db) => db.prepare("SELECT count(*) AS n FROM t WHERE name = 'd'").first('n')],
  ['empty batch', (db) => db.batch([])],
  ['exec', (db) => db.exec("INSERT INTO t (name) VALUES ('e');\nINSERT INTO t (name) VALUES ('f')")],
  // Miniflare names the wrong line in its message; the code, and what was applied, must match.
  ['failing exec', (db) => db.exec("INSERT INTO t (name) VALUES ('g');\nSELECT * FROM nope").catch((e: Error) => e.message.split(':')[0])],
  ['failing exec kept the statements before', (db) => db.prepare("SELECT count(*) AS n FROM t WHERE name = 'g'").first('n')],
  ['blob read back', (db) => db.prepare('SELECT b FROM t WHERE b IS NOT NULL').first()],
  ['big integer read back', (db) => db.prepare('SELECT 9007199254740993 AS x').first()],
  [
    'session',
    async (db) => {
      const s = db.withSession('first-unconstrained');
      return [s.getBookmark(), await s.prepare('SELECT count(*) AS n FROM t').first()];
    },
  ],
  [
    'dump',
    (db) =>
      db.dump().then(
        () => 'dumped',
        (e: Error) => e.message.split(':')[0],
      ),
  ],
];

// Fields only D1 can know (engine timings, sizes, rows scanned) are left out of the comparison.
const VOLATILE = new Set([
  'duration',
  'size_after',
  'rows_read',
  'rows_written',
  'served_by',
  'served_by_region',
  'served_by_primary',
  'timings',
  'total_attempts',
]);
function outcome(call: () => Promise<unknown>): Promise<unknown> {
  return Promise.resolve()
    .then(call)
    .then(
      (value) => ({ value: JSON.parse(JSON.stringify(value, (k, v) => (VOLATILE.has(k) ? undefined : v))) }),
      (error: Error) => ({ error: error.message, isError: error instanceof Error }),
    );
}

describe('asD1Database over a D1 adapter answers as the D1 binding does', () => {
  let reference: TestD1;
  let wrapped: TestD1;
  const results: Array<{ label: string; binding: unknown; facade: unknown }> = [];

  beforeAll(async () => {
    [reference, wrapped] = await Promise.all([createTestD1(), createTestD1()]);
    const facade = asD1Database(createD1Adapter(wrapped.binding));
    for (const [label, run] of calls) {
      results.push({ label, binding: await outcome(() => run(reference.binding)), facade: await outcome(() => run(facade)) });
    }
  });
  afterAll(async () => {
    await Promise.all([reference?.dispose(), wrapped?.dispose()]);
  });

  it.each(calls.map(([label]) => label))('%s', (label) => {
    const { binding, facade } = results.find((r) => r.label === label)!;
    expect(facade).toEqual(binding);
  });

  it('keeps the Switchyard error as the cause', async () => {
    const facade = asD1Database(createD1Adapter(wrapped.binding));
    const error = await facade
      .prepare('SELECT * FROM nope')
      .all()
      .catch((e: Error) => e);
    expect((error as Error).cause).toMatchObject({ name: 'QueryError', dialect: 'd1' });
  });
});

describe('asD1Database over a SQLite adapter answers as the D1 binding does', () => {
  let reference: TestD1;
  const results: Array<{ label: string; binding: unknown; facade: unknown }> = [];
  // Engine messages differ (better-sqlite3 has no `: SQLITE_ERROR` suffix); the D1 error code must not.
  // The SQLite adapter reports no rowid for a statement that returns rows, so last_row_id is left out.
  const code = (o: any) =>
    o.error ? { error: o.error.split(':')[0] } : JSON.parse(JSON.stringify(o, (k, v) => (k === 'last_row_id' ? undefined : v)));

  beforeAll(async () => {
    reference = await createTestD1();
    const facade = asD1Database(createSQLiteAdapter(':memory:'));
    for (const [label, run] of calls) {
      results.push({ label, binding: code(await outcome(() => run(reference.binding))), facade: code(await outcome(() => run(facade))) });
    }
    await facade.adapter.close();
  });
  afterAll(() => reference?.dispose());

  it.each(calls.map(([label]) => label))('%s', (label) => {
    const { binding, facade } = results.find((r) => r.label === label)!;
    expect(facade).toEqual(binding);
  });
});
