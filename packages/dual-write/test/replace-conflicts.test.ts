import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import type { DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { createDualWriteAdapter as createAsync } from '../src/index';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach, openEmbeddedPrimary, primaryAndFreshPostgres } from './open-side';

/**
 * SQLite's REPLACE conflict resolution deletes the rows that hold a new row's unique value
 * under another key, and `RETURNING` names only the new row. The secondary still holds the
 * deleted rows, refuses the image on its unique index, and the write used to fail there
 * (and wait in the journal, where settling it failed the same way). Now such rows are
 * settled from the primary first: deleted on the secondary, as on the primary.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

/** A SQLite primary and the second Postgres database, each with `table` (an integer key and `columns`). */
async function sqliteAndPostgres(table: string, sqliteColumns: string, pgColumns: string) {
  const primary = createSQLiteAdapter(':memory:', { name: 'a' });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
  cleanup(() => Promise.all([primary.close(), secondary.close()]));
  await secondary.execute(`DROP TABLE IF EXISTS ${table}`);
  await primary.execute(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, ${sqliteColumns})`);
  await secondary.execute(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, ${pgColumns})`);
  return { primary, secondary };
}

/**
 * Lists 1 and 2, each with an item (its foreign key CASCADEs) and a note (SET NULL), written
 * through `app`; the secondary's tables have no foreign keys yet, as in the runbook's order.
 */
async function listsWithChildren(primary: DatabaseAdapter, secondary: DatabaseAdapter, app: DatabaseAdapter): Promise<void> {
  await primary.execute('CREATE TABLE lists (id INTEGER PRIMARY KEY, title TEXT)');
  await primary.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, list_id INTEGER REFERENCES lists (id) ON DELETE CASCADE)');
  await primary.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, list_id INTEGER REFERENCES lists (id) ON DELETE SET NULL)');
  await secondary.execute('CREATE TABLE lists (id bigint PRIMARY KEY, title text)');
  await secondary.execute('CREATE TABLE items (id bigint PRIMARY KEY, list_id bigint)');
  await secondary.execute('CREATE TABLE notes (id bigint PRIMARY KEY, list_id bigint)');
  await app.execute("INSERT INTO lists (id, title) VALUES (1, 'a'), (2, 'b')");
  await app.execute('INSERT INTO items (id, list_id) VALUES (10, 1), (20, 2)');
  await app.execute('INSERT INTO notes (id, list_id) VALUES (10, 1), (20, 2)');
}

describe('REPLACE conflict resolution on a SQLite or D1 primary', () => {
  it.each(['sqlite', 'd1'] as const)(
    '%s -> Postgres: rows REPLACE deleted for a unique value are deleted on the secondary',
    async (kind) => {
      const primary = await openEmbeddedPrimary(kind, cleanup);
      const secondary = createPostgresAdapter(dbs.database.url, { name: 'b', max: 2 });
      cleanup(() => Promise.all([primary.close(), secondary.close()]));
      await secondary.execute('DROP TABLE IF EXISTS users, slugs');
      await primary.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n INTEGER NOT NULL DEFAULT 0)');
      await secondary.execute('CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT UNIQUE, n BIGINT NOT NULL DEFAULT 0)');
      // A conflict clause in the schema makes a plain INSERT replace.
      await primary.execute('CREATE TABLE slugs (id INTEGER PRIMARY KEY, slug TEXT UNIQUE ON CONFLICT REPLACE)');
      await secondary.execute('CREATE TABLE slugs (id BIGINT PRIMARY KEY, slug TEXT UNIQUE)');
      const events: DualWriteEvent[] = [];
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true, onEvent: (e) => events.push(e) });
      cleanup(() => dual.close());

      await dual.execute("INSERT INTO users (id, email) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
      await dual.execute("INSERT OR REPLACE INTO users (id, email) VALUES (4, 'a')");
      await dual.execute("REPLACE INTO users (id, email, n) VALUES (5, 'b', 5)");
      await dual.execute("UPDATE OR REPLACE users SET email = 'c' WHERE id = 5");
      const both = ["INSERT INTO users (id, email) VALUES (6, 'd')", "INSERT OR REPLACE INTO users (id, email) VALUES (7, 'd')"];
      if (primary.capabilities.transactions) {
        await dual.transaction(async (tx) => {
          for (const sql of both) await tx.execute(sql);
        });
      } else await dual.batch(both.map((sql) => ({ sql, params: [] })));
      await dual.execute("INSERT INTO slugs (id, slug) VALUES (1, 'x'), (2, 'y')");
      await dual.execute("INSERT INTO slugs (id, slug) VALUES (3, 'x')");

      expect(events.filter((e) => e.type === 'secondary-failure' || e.type === 'verification-failed')).toEqual([]);
      expect(dual.getMetrics().journalDepth).toBe(0);
      expect(await secondary.query('SELECT id, email FROM users ORDER BY id')).toEqual([
        { id: 4, email: 'a' },
        { id: 5, email: 'c' },
        { id: 7, email: 'd' },
      ]);
      expect(await secondary.query('SELECT id, slug FROM slugs ORDER BY id')).toEqual([
        { id: 2, slug: 'y' },
        { id: 3, slug: 'x' },
      ]);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['users', 'slugs'] })).ok).toBe(true);
    },
  );

  it.each(['sqlite', 'd1'] as const)(
    '%s -> Postgres: a REPLACE of a parent row brings the rows its ON DELETE actions changed',
    async (kind) => {
      // REPLACE deletes the row it meets under its key before writing it: CASCADE and SET NULL run.
      const primary = await openEmbeddedPrimary(kind, cleanup);
      if (kind === 'sqlite') await primary.execute('PRAGMA foreign_keys = ON');
      const secondary = createPostgresAdapter(dbs.database.url, { name: 'b', max: 2 });
      cleanup(() => Promise.all([primary.close(), secondary.close()]));
      await secondary.execute('DROP TABLE IF EXISTS items, notes, lists');
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      cleanup(() => dual.close());
      await listsWithChildren(primary, secondary, dual);
      await dual.execute("INSERT OR REPLACE INTO lists (id, title) VALUES (1, 'A')");
      await dual.execute("REPLACE INTO lists (id, title) VALUES (3, 'c')");
      // Inside a transaction too (D1 has none).
      if (primary.capabilities.transactions) {
        await dual.transaction(async (tx) => void (await tx.execute("INSERT OR REPLACE INTO lists (id, title) VALUES (2, 'B')")));
      } else await dual.execute("INSERT OR REPLACE INTO lists (id, title) VALUES (2, 'B')");
      expect(await secondary.query('SELECT id, list_id FROM items ORDER BY id')).toEqual([]);
      expect(await secondary.query('SELECT id, list_id FROM notes ORDER BY id')).toEqual([
        { id: 10, list_id: null },
        { id: 20, list_id: null },
      ]);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['lists', 'items', 'notes'] })).ok).toBe(true);
    },
  );

  it.each(['sqlite', 'd1'] as const)(
    '%s outbox: a REPLACE into a table whose key is its only unique constraint carries the row',
    async (kind) => {
      // On D1 it rode as its SQLite text, which Postgres refused, and the drain stopped there.
      const { primary, secondary } = await primaryAndFreshPostgres(kind, cleanup);
      await primary.execute('CREATE TABLE settings (k TEXT PRIMARY KEY, v TEXT, at TEXT DEFAULT CURRENT_TIMESTAMP)');
      await secondary.execute("CREATE TABLE settings (k text PRIMARY KEY, v text, at text DEFAULT 'theirs')");
      const mirror = outboxMirror(primary);
      const replays: string[] = [];
      const app = createAsync(primary, secondary, {
        secondaryWrites: 'async',
        mirror,
        onEvent: (e) => (e.type === 'statement-replay' ? void replays.push(e.sql) : undefined),
      });
      cleanup(() => app.close());
      await app.execute('INSERT OR REPLACE INTO settings (k, v) VALUES (?, ?)', ['theme', 'dark']);
      await app.execute('INSERT OR REPLACE INTO settings (k, v) VALUES (?, ?)', ['theme', 'light']);
      await app.execute("REPLACE INTO settings (k, v) VALUES ('lang', 'en')");
      expect(replays).toEqual([]);
      expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 3, stale: 0 });
      expect(await secondary.query('SELECT k, v FROM settings ORDER BY k')).toEqual([
        { k: 'lang', v: 'en' },
        { k: 'theme', v: 'light' },
      ]);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['settings'] })).ok).toBe(true);
    },
  );

  it.each(['sqlite', 'd1'] as const)(
    "%s outbox: the drain settles what a REPLACE (an INSERT's or an UPDATE's) deleted, and what its delete's actions changed",
    async (kind) => {
      const { primary, secondary } = await primaryAndFreshPostgres(kind, cleanup);
      if (kind === 'sqlite') await primary.execute('PRAGMA foreign_keys = ON');
      await primary.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)');
      await secondary.execute('CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE)');
      const mirror = outboxMirror(primary);
      const app = createAsync(primary, secondary, { secondaryWrites: 'async', mirror });
      cleanup(() => app.close());
      await listsWithChildren(primary, secondary, app);
      await app.execute("INSERT OR REPLACE INTO lists (id, title) VALUES (1, 'A')");
      if (primary.capabilities.transactions) {
        await app.transaction(async (tx) => void (await tx.execute("REPLACE INTO lists (id, title) VALUES (2, 'B')")));
      } else await app.execute("REPLACE INTO lists (id, title) VALUES (2, 'B')");
      await app.execute("INSERT INTO users (id, email) VALUES (1, 'a'), (2, 'b')");
      await app.execute("INSERT OR REPLACE INTO users (id, email) VALUES (3, 'a')");
      // An UPDATE that replaces deletes the row holding its new unique value under another key.
      await app.execute("UPDATE OR REPLACE users SET email = 'b' WHERE id = 3");
      expect(await drainOutbox(secondary, { mirror })).toMatchObject({ stale: 0, aborted: false });
      expect(await secondary.query('SELECT id, email FROM users ORDER BY id')).toEqual([{ id: 3, email: 'b' }]);
      expect(await secondary.query('SELECT id, list_id FROM items ORDER BY id')).toEqual([]);
      expect(await secondary.query('SELECT id, list_id FROM notes ORDER BY id')).toEqual([
        { id: 10, list_id: null },
        { id: 20, list_id: null },
      ]);
      const tables = ['lists', 'items', 'notes', 'users'];
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables })).ok).toBe(true);
    },
  );

  it.each(['sqlite', 'd1'] as const)(
    '%s outbox: a column declared UNIQUE ON CONFLICT REPLACE makes a plain INSERT or UPDATE a REPLACE, which the drain follows',
    async (kind) => {
      const { primary, secondary } = await primaryAndFreshPostgres(kind, cleanup);
      await primary.execute('CREATE TABLE handles (id INTEGER PRIMARY KEY, email TEXT UNIQUE ON CONFLICT REPLACE, n INTEGER)');
      await secondary.execute('CREATE TABLE handles (id bigint PRIMARY KEY, email text UNIQUE, n bigint)');
      const mirror = outboxMirror(primary);
      const app = createAsync(primary, secondary, { secondaryWrites: 'async', mirror });
      cleanup(() => app.close());
      await app.execute("INSERT INTO handles (id, email, n) VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
      await app.execute("INSERT INTO handles (id, email, n) VALUES (4, 'a', 4)");
      await app.execute("UPDATE handles SET email = 'b' WHERE id = 4");
      // A D1 outbox carries a REPLACE's rows only when its statement names their keys (see the runbook).
      await app.execute(
        kind === 'sqlite' ? "INSERT INTO handles (email, n) VALUES ('c', 5)" : "INSERT INTO handles (id, email, n) VALUES (5, 'c', 5)",
      );
      expect(await drainOutbox(secondary, { mirror })).toMatchObject({ stale: 0, aborted: false });
      expect(await secondary.query('SELECT id, email FROM handles ORDER BY id')).toEqual([
        { id: 4, email: 'b' },
        { id: 5, email: 'c' },
      ]);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['handles'] })).ok).toBe(true);
    },
  );

  it('SQLite -> Postgres: a REPLACE journaled while the secondary refused is settled by the replay', async () => {
    const { primary, secondary } = await sqliteAndPostgres('members', 'handle TEXT UNIQUE', 'handle TEXT UNIQUE');
    await secondary.execute(
      "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'closed'; END $$",
    );
    const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true });
    cleanup(() => dual.close());
    await dual.execute("INSERT INTO members (id, handle) VALUES (1, 'ann'), (2, 'bo')");
    await secondary.execute('CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON members FOR EACH ROW EXECUTE FUNCTION refuse()');
    await dual.execute("INSERT OR REPLACE INTO members (id, handle) VALUES (3, 'ann')");
    expect(dual.getMetrics().journalDepth).toBe(1);
    await secondary.execute('DROP TRIGGER refuse ON members');
    expect(await dual.replayJournal()).toMatchObject({ applied: 1, remaining: 0 });
    expect(dual.getMetrics().journalDepth).toBe(0);
    expect(await secondary.query('SELECT id, handle FROM members ORDER BY id')).toEqual([
      { id: 2, handle: 'bo' },
      { id: 3, handle: 'ann' },
    ]);
  });

  it("a unique index only the secondary has still refuses the write: the blocking row is the primary's too", async () => {
    const { primary, secondary } = await sqliteAndPostgres('tags', 'label TEXT', 'label TEXT UNIQUE');
    const dual = createDualWriteAdapter(primary, secondary);
    await dual.execute("INSERT INTO tags (id, label) VALUES (1, 'x')");
    await expect(dual.execute("INSERT INTO tags (id, label) VALUES (2, 'x')")).rejects.toThrow(/unique/i);
    expect(await secondary.query('SELECT id, label FROM tags ORDER BY id')).toEqual([{ id: 1, label: 'x' }]);
    // Journaled, not dropped: the operator decides (drop the secondary's index, or repair).
    await expect(dual.close()).rejects.toThrow(/1 journaled write/);
  });
});

describe('unique values the secondary holds under another key', () => {
  it('Postgres -> Postgres: a NULL under NULLS NOT DISTINCT is a unique value like any other', async () => {
    const primary = createPostgresAdapter(dbs.database.url, { name: 'a', max: 2 });
    const secondary = createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
    cleanup(() => Promise.all([primary.close(), secondary.close()]));
    for (const side of [primary, secondary]) {
      await side.execute('DROP TABLE IF EXISTS seats');
      await side.execute('CREATE TABLE seats (id int PRIMARY KEY, holder text UNIQUE NULLS NOT DISTINCT)');
    }
    // Seat 9's move off the free seat (NULL) reached the primary only, as another instance's write in flight would.
    await primary.execute("INSERT INTO seats VALUES (9, 'ann')");
    await secondary.execute('INSERT INTO seats VALUES (9, NULL)');
    const dual = createDualWriteAdapter(primary, secondary);
    await dual.execute('INSERT INTO seats (id, holder) VALUES (1, NULL)');
    const rows = 'SELECT id, holder FROM seats ORDER BY id';
    expect(await secondary.query(rows)).toEqual(await primary.query(rows));
    expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, journalDepth: 0 });
    await dual.close();
  });
});
