import { asD1Database, type D1DatabaseFacade } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// After the switch, the app's `env.DB` may sit on Postgres: values keep D1's shapes, and
// errors keep D1's form with Postgres's words and the typed error as cause.
let database: TestDatabase;
let db: D1DatabaseFacade;

beforeAll(async () => {
  database = await createTestDatabase();
  db = asD1Database(createPostgresAdapter(database.url, { max: 2 }));
  await db.exec(
    'CREATE TABLE notes (id BIGINT PRIMARY KEY, title TEXT UNIQUE NOT NULL, pinned BOOLEAN NOT NULL, body BYTEA, at TIMESTAMPTZ, meta JSONB)',
  );
});

afterAll(async () => {
  await db?.adapter.close();
  await database?.drop();
});

describe('asD1Database over a Postgres adapter', () => {
  it('gives rows in the shapes a D1 binding gives', async () => {
    const inserted = await db
      .prepare('INSERT INTO notes (id, title, pinned, body, at, meta) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id, pinned')
      .bind(1, 'first', true, new Uint8Array([1, 2]), '2024-02-29T12:00:00.000Z', '{"tag":"x"}')
      .run();
    expect(inserted).toMatchObject({ success: true, results: [{ id: 1, pinned: 1 }], meta: { changes: 1, changed_db: true } });
    expect(await db.prepare('SELECT title, pinned, body, at, meta FROM notes WHERE id = ?').bind(1).first()).toEqual({
      title: 'first',
      pinned: 1,
      body: [1, 2],
      at: '2024-02-29T12:00:00.000Z',
      meta: '{"tag":"x"}',
    });
    expect(await db.prepare('SELECT id, title FROM notes').raw({ columnNames: true })).toEqual([
      ['id', 'title'],
      [1, 'first'],
    ]);
    const [count] = await db.batch([db.prepare('SELECT count(*) AS n FROM notes')]);
    expect(count!.results).toEqual([{ n: 1 }]);
  });

  it('keeps every column of a join whose names repeat in raw(), in D1 shapes', async () => {
    await db.exec('CREATE TABLE replies (id BIGINT PRIMARY KEY, note_id BIGINT NOT NULL, title TEXT)');
    await db.prepare('INSERT INTO replies (id, note_id, title) VALUES (?, ?, ?), (?, ?, ?)').bind(10, 1, 'x', 11, 1, 'y').run();
    const join = db.prepare(
      'SELECT notes.id, replies.id, notes.title, replies.title, notes.pinned, notes.body FROM notes JOIN replies ON replies.note_id = notes.id ORDER BY replies.id',
    );
    expect(await join.raw({ columnNames: true })).toEqual([
      ['id', 'id', 'title', 'title', 'pinned', 'body'],
      [1, 10, 'first', 'x', 1, [1, 2]],
      [1, 11, 'first', 'y', 1, [1, 2]],
    ]);
    expect(await db.prepare('SELECT 9007199254740993::int8 AS x, 1 AS x').raw()).toEqual([[9007199254740992, 1]]);
  });

  it("throws D1's errors with Postgres's words, the typed error as cause", async () => {
    const error = (await db
      .prepare("INSERT INTO notes (id, title, pinned) VALUES (2, 'first', false)")
      .run()
      .catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/^D1_ERROR: duplicate key value violates unique constraint/);
    expect(error.cause).toMatchObject({ code: 'CONSTRAINT_VIOLATION', dialect: 'postgres' });
    await expect(db.prepare('SELECT ?1, ?2').bind(1).all()).rejects.toThrow('D1_ERROR: Wrong number of parameter bindings for SQL query.');
    await expect(db.prepare('BEGIN').run()).rejects.toThrow(/^D1_ERROR: To execute a transaction/);
  });
});
