import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { tableJournal } from '../src/index';
import { cleanupAfterEach } from './open-side';

/**
 * An outbox entry is an INSERT on the app's own better-sqlite3 connection, after the app's
 * write. It left `last_insert_rowid()` naming the entry and `changes()` saying 1: an app that
 * inserts a user and then a post `VALUES (last_insert_rowid(), …)` in its next call gave the
 * post the outbox's rowid, on both sides. The app must read what SQLite alone would give it,
 * also after Switchyard's own writes on that connection: a journal's entry, a drain's deletes.
 */
const cleanup = cleanupAfterEach();

const SCHEMA = [
  'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)',
  'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT)',
  // No key: written by statement, through the general path (a transaction ending with the entry).
  'CREATE TABLE audit (what TEXT)',
];

type Step = (db: DatabaseAdapter) => Promise<unknown>;
const state = (db: DatabaseAdapter) => db.first('SELECT last_insert_rowid() AS rowid, changes() AS changed');

/** The app's calls; each is followed by a read of the session's state, compared with SQLite alone. */
const STEPS: Step[] = [
  (db) => db.execute("INSERT INTO users (id, name) VALUES (100, 'seed')"),
  (db) => db.execute('INSERT INTO users (name) VALUES (?)', ['ann']),
  (db) => db.execute('INSERT INTO posts (user_id, title) VALUES (last_insert_rowid(), ?)', ['first']),
  (db) => db.execute("UPDATE users SET name = name || '!'"),
  (db) => db.execute("UPDATE users SET name = 'none' WHERE id = 0"),
  (db) =>
    db.batch([
      { sql: 'INSERT INTO users (name) VALUES (?), (?)', params: ['bo', 'cy'] },
      { sql: 'INSERT INTO posts (user_id, title) VALUES (last_insert_rowid(), ?)', params: ['batched'] },
    ]),
  (db) =>
    db.transaction(async (tx) => {
      await tx.execute('INSERT INTO users (name) VALUES (?)', ['dee']);
      await tx.execute('DELETE FROM posts WHERE title = ?', ['first']);
    }),
  (db) => db.execute("INSERT INTO audit (what) VALUES ('keyless')"),
  (db) => db.execute('INSERT INTO posts (user_id, title) VALUES (last_insert_rowid(), ?)', ['after the keyless one']),
  (db) => db.execute('DELETE FROM posts WHERE id > ?', [100]),
  // The secondary refuses this one (a CHECK it alone has): the journal's entry is written in the primary.
  (db) => db.execute('INSERT INTO posts (user_id, title) VALUES (?, ?)', [7, 'refused']),
  (db) => db.execute('INSERT INTO posts (user_id, title) VALUES (last_insert_rowid(), ?)', ['after the refused one']),
];

describe('dual write on a better-sqlite3 primary keeps the app session state', () => {
  it.each([
    ['outbox', 'memory'],
    ['outbox', 'file'],
    ['sync', 'memory'],
  ] as const)('last_insert_rowid() and changes() read as on SQLite alone (%s, %s)', async (mode, where) => {
    const file = where === 'memory' ? ':memory:' : `${process.env.TMPDIR ?? '/tmp'}/sy-session-${process.pid}-${Date.now()}.db`;
    const alone = createSQLiteAdapter(':memory:', { name: 'alone' });
    const primary = createSQLiteAdapter(file, { name: 'a' });
    const database = await createTestDatabase();
    const secondary = createPostgresAdapter(database.url, { name: 'b' });
    for (const sql of SCHEMA) for (const side of [alone, primary]) await side.execute(sql);
    for (const sql of SCHEMA) await secondary.execute(sql.replace(/INTEGER PRIMARY KEY/g, 'bigint PRIMARY KEY'));
    await secondary.execute("ALTER TABLE posts ADD CONSTRAINT not_refused CHECK (title <> 'refused')");
    const mirror = outboxMirror(primary);
    const journaled = { journal: tableJournal(primary), continueOnSecondaryFailure: true };
    const app = createDualWriteAdapter(primary, secondary, mode === 'outbox' ? { secondaryWrites: 'async', mirror } : journaled);
    cleanup(async () => {
      await app.close();
      await alone.close();
      await database.drop();
    });

    for (const [i, step] of STEPS.entries()) {
      await step(alone);
      await step(app);
      expect(await state(app), `after step ${i}`).toEqual(await state(alone));
      // Switchyard's own writes between two of the app's calls (a drain's deletes, a journal's replay) leave it too.
      if (mode === 'outbox' && i === 4) await drainOutbox(secondary, { mirror });
      expect(await state(app), `after step ${i} and Switchyard's own writes`).toEqual(await state(alone));
    }
    if (mode === 'sync') expect(app.getMetrics().journalDepth).toBe(1);
    await secondary.execute('ALTER TABLE posts DROP CONSTRAINT not_refused');
    if (mode === 'sync') await app.replayJournal();
    expect(await state(app), 'after the replay').toEqual(await state(alone));
    expect(await primary.query('SELECT * FROM posts ORDER BY id')).toEqual(await alone.query('SELECT * FROM posts ORDER BY id'));
    if (mode === 'outbox') {
      // The session's own tables are temporary and stay empty.
      expect(await primary.query('SELECT * FROM temp._switchyard_rowid UNION ALL SELECT i FROM temp._switchyard_changes')).toEqual([]);
      await drainOutbox(secondary, { mirror });
    }
    const report = await validateDatabases(primary, secondary, {
      validateAllRows: true,
      tables: ['users', 'posts', 'audit'],
      keyColumns: { audit: ['what'] },
    });
    expect(report.ok).toBe(true);
  });
});
