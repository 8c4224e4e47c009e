import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { cleanupAfterEach, openEmbeddedPrimary } from './open-side';

/**
 * Drizzle's SQLite inserts list every column and write `null` for those the app left out,
 * the id included: `insert into "users" ("id", "name") values (null, ?)`. On a rowid key
 * SQLite then picks a new id. Through a D1 outbox such a write rode as its statement, and
 * Postgres, which must never generate the id, refused the NULL: the drain stopped there.
 * Now its rows are found by the rowids they took, as an insert that leaves the id out.
 */
const cleanup = cleanupAfterEach();

const cases = [
  ['sqlite', 'sync'],
  ['d1', 'sync'],
  ['sqlite', 'outbox'],
  ['d1', 'outbox'],
] as const;

describe('inserts that give a rowid key NULL', () => {
  it.each(cases)('%s -> Postgres (%s): the rows reach the secondary with the ids SQLite picked', async (kind, mode) => {
    const database = await createTestDatabase();
    cleanup(() => database.drop());
    const primary = await openEmbeddedPrimary(kind, cleanup);
    const secondary = createPostgresAdapter(database.url, { name: 'b', max: 2 });
    cleanup(() => Promise.all([primary.close(), secondary.close()]));
    await primary.execute(
      'CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, joined INTEGER DEFAULT (unixepoch()))',
    );
    await secondary.execute('CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, joined bigint)');
    const mirror = outboxMirror(primary);
    const replays: string[] = [];
    const app = createDualWriteAdapter(primary, secondary, {
      ...(mode === 'outbox' ? { secondaryWrites: 'async' as const, mirror } : {}),
      onEvent: (e) => (e.type === 'statement-replay' ? void replays.push(e.sql) : undefined),
    });
    cleanup(() => app.close());

    const first = await app.execute('insert into "users" ("id", "name", "joined") values (null, ?, null) returning "id"', ['ann']);
    expect(first.rows).toEqual([{ id: 1 }]);
    await app.execute('insert into "users" ("id", "name", "joined") values (null, ?, null), (null, ?, 7)', ['bo', 'cy']);
    // A NULL parameter for the id, as a query builder binds it.
    await app.execute('INSERT INTO users (id, name) VALUES (?, ?)', [null, 'di']);
    expect(replays).toEqual([]);
    if (mode === 'outbox') expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 3, stale: 0 });
    expect(await secondary.query('SELECT id, name FROM users ORDER BY id')).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'bo' },
      { id: 3, name: 'cy' },
      { id: 4, name: 'di' },
    ]);
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['users'] })).ok).toBe(true);
  });
});
