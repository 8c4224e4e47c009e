import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRehearsalReport, rehearsingAdapter, SqlRehearsal, type RehearsedShape } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

let database: TestDatabase;
let postgres: PostgresAdapter;
let sqlite: SQLiteAdapter;

const ROWS = [
  [1, 'Ada', 1, 'ada'],
  [2, 'bob', 0, null],
  [3, 'Cy', 1, 'cy'],
];

beforeAll(async () => {
  database = await createTestDatabase();
  postgres = createPostgresAdapter(database.url, { max: 2 });
  sqlite = createSQLiteAdapter(':memory:');
  await sqlite.execute(
    'CREATE TABLE people (id INTEGER PRIMARY KEY, userName TEXT NOT NULL UNIQUE, active BOOLEAN NOT NULL, nick TEXT, seen TEXT)',
  );
  await postgres.execute(
    'CREATE TABLE people (id BIGINT PRIMARY KEY, "userName" TEXT NOT NULL UNIQUE, active BOOLEAN NOT NULL, nick TEXT, seen TEXT)',
  );
  for (const side of [sqlite, postgres]) {
    for (const row of ROWS)
      await side.execute('INSERT INTO people (id, "userName", active, nick) VALUES (?, ?, ?, ?)', [row[0], row[1], row[2] === 1, row[3]]);
  }
});

afterAll(async () => {
  await Promise.all([postgres?.close(), sqlite?.close()]);
  await database?.drop();
});

function find(shapes: RehearsedShape[], fragment: string): RehearsedShape {
  const found = shapes.find((s) => s.example.includes(fragment));
  if (!found) throw new Error(`No shape with ${fragment}: ${shapes.map((s) => s.example).join(' | ')}`);
  return found;
}

describe('SqlRehearsal, SQLite -> Postgres', () => {
  it('finds each SQLite-only form: translated ones work, the rest fail, differ or are reported untranslated', async () => {
    const rehearsal = new SqlRehearsal({ source: sqlite, target: postgres });
    const app = rehearsingAdapter(sqlite, rehearsal);
    await app.execute('INSERT OR IGNORE INTO people (id, "userName", active) VALUES (?, ?, ?)', [1, 'Ada', 1]);
    await app.execute('INSERT OR REPLACE INTO people (id, "userName", active, nick) VALUES (?, ?, ?, ?)', [4, 'Dee', 0, 'd']);
    await app.execute("UPDATE people SET seen = datetime('now') WHERE id = ?", [4]);
    // Reads stay on rows 1-3, which both sides hold; rows 4 and 5 were written to SQLite alone.
    await app.query("SELECT IFNULL(nick, '-') AS nick FROM people WHERE id <= 3 ORDER BY id");
    await app.query('SELECT id FROM people WHERE id = ?1 OR id = ?1', [2]);
    await app.execute('UPDATE people SET active = 1 WHERE active = 0 AND id = ?', [4]);
    await app.execute('INSERT INTO people (id, "userName", active) VALUES (5, \'Eve\', 1)');
    await app.query('SELECT id FROM people WHERE id <= 3 ORDER BY id LIMIT -1 OFFSET 1');
    await app.query("SELECT strftime('%Y', seen) AS year FROM people WHERE id = 4");
    await app.query('SELECT userName FROM people WHERE id = ?', [1]);
    await app.query('SELECT id FROM people WHERE "userName" LIKE \'ada%\'');
    // The same shape again, with other values: counted, not rehearsed twice.
    await app.query('SELECT id FROM people WHERE id = ?1 OR id = ?1', [3]);
    await rehearsal.idle();

    const { shapes, totals } = rehearsal.report();
    expect(find(shapes, 'OR IGNORE')).toMatchObject({ outcome: 'works', translated: ['insert-or-ignore'], method: 'rolled-back' });
    expect(find(shapes, 'OR REPLACE')).toMatchObject({
      outcome: 'works',
      translated: ['insert-or-replace'],
      targetSql: expect.stringContaining('ON CONFLICT ("id") DO UPDATE SET "userName" = EXCLUDED."userName"'),
    });
    expect(find(shapes, "datetime('now')")).toMatchObject({ outcome: 'works', translated: ['datetime-now'] });
    expect(find(shapes, 'IFNULL')).toMatchObject({ outcome: 'works', translated: ['ifnull'], kind: 'read' });
    expect(find(shapes, '?1 OR')).toMatchObject({ outcome: 'works', translated: ['numbered-placeholders'], count: 2 });
    expect(find(shapes, 'SET active = 1')).toMatchObject({
      outcome: 'works',
      translated: ['boolean-literals'],
      targetSql: 'UPDATE people SET active = true WHERE active = false AND id = ?',
    });
    expect(find(shapes, "'Eve'")).toMatchObject({
      outcome: 'works',
      translated: ['boolean-literals'],
      targetSql: expect.stringContaining("'Eve', true)"),
    });
    expect(find(shapes, 'LIMIT -1')).toMatchObject({ outcome: 'works', translated: ['limit-minus-one'] });
    expect(find(shapes, 'strftime')).toMatchObject({
      outcome: 'untranslated',
      untranslated: [expect.objectContaining({ id: 'strftime' })],
    });
    expect(find(shapes, 'SELECT userName')).toMatchObject({
      outcome: 'fails',
      error: expect.stringMatching(/column "username" does not exist/),
    });
    expect(find(shapes, "LIKE 'ada%'")).toMatchObject({ outcome: 'differs', difference: 'the primary returned 1 rows, postgres 0' });
    expect(totals).toMatchObject({ shapes: 11, statements: 12, works: 8, fails: 1, differs: 1, untranslated: 1 });
    expect(formatRehearsalReport(rehearsal.report())).toMatch(/11 shapes \(12 statements\): 8 work, 1 fail, 1 differ, 1 untranslated/);

    // Nothing reached Postgres: every write ran in a transaction that was rolled back.
    expect(await postgres.query('SELECT id, "userName", active, seen FROM people ORDER BY id')).toEqual(
      ROWS.map(([id, name, active]) => ({ id: String(id), userName: name, active: active === 1, seen: null })).map((r) => ({
        ...r,
        id: Number(r.id),
      })),
    );
  });

  it('never rewrites a form outside the table', async () => {
    const rehearsal = new SqlRehearsal({ source: sqlite, target: postgres });
    await rehearsal.observe({ sql: "SELECT group_concat(nick) AS n FROM people WHERE nick <> 'x'" }, [{ n: 'ada,cy' }]);
    const [shape] = rehearsal.report().shapes;
    expect(shape).toMatchObject({ outcome: 'untranslated', translated: [], error: expect.stringMatching(/group_concat/) });
    expect(shape!.targetSql).toBeUndefined();
  });

  it('rehearses through the dual-write adapter when given as its rehearse option', async () => {
    const rehearsal = new SqlRehearsal({ source: sqlite, target: postgres });
    const dual = createDualWriteAdapter(sqlite, postgres, { rehearse: rehearsal, continueOnSecondaryFailure: true });
    // Rows 4 and 5 exist only in SQLite now (the first test wrote them there alone): stay below.
    await dual.query('SELECT id FROM people WHERE active = 1 AND id <= 3 ORDER BY id');
    await dual.batch([{ sql: 'SELECT count(*) AS n FROM people WHERE id <= 3' }, { sql: 'SELECT max(id) AS m FROM people WHERE id <= 3' }]);
    await dual.execute('UPDATE people SET nick = IFNULL(nick, ?) WHERE id = ?', ['bobby', 2]);
    await rehearsal.idle();
    const { shapes } = rehearsal.report();
    expect(shapes.map((s) => [s.kind, s.outcome, s.translated])).toEqual([
      ['read', 'works', ['boolean-literals']],
      ['read', 'works', []],
      ['read', 'works', []],
      ['write', 'works', ['ifnull']],
    ]);
  });
});
