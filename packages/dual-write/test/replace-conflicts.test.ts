import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import type { DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach, openEmbeddedPrimary } from './open-side';

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
