import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter as createAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { cleanupAfterEach, primaryAndFreshPostgres, syncOrOutbox } from './open-side';
import { collectingQueue } from './queue-delivery';
import { createMirrorConsumer, queueMirror } from '../src/mirror/index';

/**
 * `excludeTables`: tables written on the primary alone. Drizzle's SQLite migrator keeps its
 * record in `__drizzle_migrations`, declared `id SERIAL PRIMARY KEY`, a key SQLite leaves
 * NULL: replicated, its insert failed on a Postgres secondary after the primary ran the
 * migration, and the journal held the migration back behind it for good.
 */
const cleanup = cleanupAfterEach();

const MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)';

/** A Drizzle migration as its D1 migrator sends it: the app's definitions and its record, in one batch. */
const migration = [
  'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)',
  'CREATE UNIQUE INDEX users_email ON users (email)',
  `INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES('4f1c', 1700000000000)`,
].map((sql) => ({ sql }));

const exists = async (side: DatabaseAdapter, table: string) =>
  (await side.query<{ t: string | null }>(`SELECT to_regclass('${table}')::text AS t`))[0]!.t !== null;

describe('excludeTables', () => {
  for (const kind of ['sqlite', 'd1'] as const) {
    for (const mode of ['sync', 'outbox'] as const) {
      it(`${kind} -> Postgres (${mode}): a Drizzle migration runs through the adapter; its record stays on the primary`, async () => {
        const { primary, secondary } = await primaryAndFreshPostgres(kind, cleanup);
        const { adapter, drained } = syncOrOutbox(primary, secondary, mode, cleanup, { excludeTables: ['__DRIZZLE_MIGRATIONS'] });
        await adapter.execute(MIGRATIONS_TABLE);
        expect(await adapter.query('SELECT id, hash FROM "__drizzle_migrations"')).toEqual([]);
        await adapter.batch(migration);
        await adapter.execute("INSERT INTO users (id, email) VALUES (1, 'ada@example.com')");
        await adapter.execute('UPDATE "__drizzle_migrations" SET created_at = 1700000000001');
        await drained();
        expect(adapter.getMetrics().journalDepth).toBe(0);
        expect(await primary.query('SELECT id, hash FROM "__drizzle_migrations"')).toEqual([{ id: null, hash: '4f1c' }]);
        expect(await exists(secondary, '__drizzle_migrations')).toBe(false);
        expect(await secondary.query('SELECT id, email FROM users')).toEqual([{ id: 1, email: 'ada@example.com' }]);
        expect(await exists(secondary, 'users_email')).toBe(true);
      });
    }
  }

  it('sqlite -> Postgres through a queue: the record is sent nowhere, the migration and its rows are', async () => {
    const { primary, secondary } = await primaryAndFreshPostgres('sqlite', cleanup);
    const { producer, deliver } = collectingQueue();
    const mirror = queueMirror(producer);
    const app = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror, excludeTables: ['__drizzle_migrations'] });
    cleanup(() => app.close());
    await app.execute(MIGRATIONS_TABLE);
    await app.batch(migration);
    // A queue message is built with the secondary's tables: the migration is delivered before the table is written.
    const consumer = createMirrorConsumer(secondary, { primary });
    expect(await deliver(consumer)).toEqual([]);
    await app.execute("INSERT INTO users (id, email) VALUES (1, 'ada@example.com')");
    await app.execute(`UPDATE "__drizzle_migrations" SET created_at = 1700000000001`);
    expect(await deliver(consumer)).toEqual([]);
    expect(await exists(secondary, '__drizzle_migrations')).toBe(false);
    expect(await secondary.query('SELECT id, email FROM users')).toEqual([{ id: 1, email: 'ada@example.com' }]);
  });

  it('in a transaction the other writes replicate; reads of an excluded table are neither routed nor shadowed', async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
    await primary.execute('CREATE TABLE cache (k TEXT PRIMARY KEY, v TEXT)');
    for (const side of [primary, secondary]) await side.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    const mismatches: unknown[] = [];
    const app = createDualWriteAdapter(primary, secondary, {
      excludeTables: ['main.cache'],
      readRouting: { secondaryPercent: 100 },
      shadowReads: { sampleRate: 1 },
      onEvent: (e) => (e.type === 'shadow-mismatch' || e.type === 'secondary-failure' ? void mismatches.push(e) : undefined),
    });
    cleanup(() => app.close());
    await app.transaction(async (tx) => {
      await tx.execute("INSERT INTO cache VALUES ('a', '1')");
      await tx.execute("INSERT INTO notes VALUES (1, 'kept')");
      await tx.execute("UPDATE cache SET v = '2' WHERE k = 'a'");
    });
    expect(await secondary.query('SELECT * FROM notes')).toEqual([{ id: 1, body: 'kept' }]);
    expect(await app.query("SELECT v FROM cache WHERE k = 'a'")).toEqual([{ v: '2' }]);
    expect(await app.query('SELECT c.v, n.body FROM notes n JOIN "Cache" c ON c.k = \'a\'')).toEqual([{ v: '2', body: 'kept' }]);
    expect(app.getMetrics().reads).toEqual({ primary: 2, secondary: 0 });
    expect(await app.query('SELECT body FROM notes')).toEqual([{ body: 'kept' }]);
    expect(app.getMetrics().reads).toEqual({ primary: 2, secondary: 1 });
    expect(mismatches).toEqual([]);
    expect(app.getMetrics().journalDepth).toBe(0);
  });

  it('refuses a list that is not of table names', () => {
    const [a, b] = [createSQLiteAdapter(':memory:', { name: 'a' }), createSQLiteAdapter(':memory:', { name: 'b' })];
    cleanup(() => Promise.all([a.close(), b.close()]));
    for (const bad of ['cache', [''], [1]])
      expect(() => createAdapter(a, b, { excludeTables: bad as never })).toThrow(InvalidArgumentError);
  });
});
