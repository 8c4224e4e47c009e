import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import type { DatabaseAdapter } from '@switchyard/core';
import { dropOwnTables, twoTestDatabases } from './two-databases';
import { cleanupAfterEach, syncOrOutbox } from './open-side';

/**
 * Tables of one name in two Postgres schemas (`public.users` and `sy_tenant.users`). Rows
 * travel between the sides named by their table's name alone: a write to one of them was
 * captured with the other's definition, and its rows landed in the other table on the
 * secondary. Such writes are replicated as their statements instead, and say why; a table
 * whose name is its own is captured as ever.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

async function tables(side: DatabaseAdapter): Promise<void> {
  await dropOwnTables(side);
  await side.execute('DROP SCHEMA IF EXISTS sy_tenant CASCADE');
  await side.execute('DROP TABLE IF EXISTS users');
  await side.execute('CREATE SCHEMA sy_tenant');
  for (const t of ['users', 'sy_tenant.users']) await side.execute(`CREATE TABLE ${t} (id bigserial PRIMARY KEY, name text)`);
  await side.execute(
    'CREATE TABLE sy_tenant.only_here (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), note text)',
  );
}

const everything = async (side: DatabaseAdapter) => ({
  public: await side.query('SELECT * FROM public.users ORDER BY id'),
  tenant: await side.query('SELECT * FROM sy_tenant.users ORDER BY id'),
  onlyHere: await side.query('SELECT * FROM sy_tenant.only_here ORDER BY id'),
});

async function writes(app: DatabaseAdapter): Promise<void> {
  await app.execute("INSERT INTO users (name) VALUES ('public row')");
  await app.execute("INSERT INTO sy_tenant.users (name) VALUES ('tenant row'), ('second tenant row')");
  await app.execute('UPDATE users SET name = ? WHERE id = ?', ['public row, updated', 1]);
  await app.execute('DELETE FROM sy_tenant.users WHERE id = ?', [2]);
}

describe('tables of one name in two Postgres schemas', () => {
  it.each(['sync', 'outbox'] as const)(
    'adapters reading both schemas (%s): writes to either reach the same table on the secondary',
    async (mode) => {
      const options = { schema: ['public', 'sy_tenant'] };
      const primary = createPostgresAdapter(dbs.other.url, { name: 'a', ...options });
      const secondary = createPostgresAdapter(dbs.database.url, { name: 'b', ...options });
      for (const side of [primary, secondary]) await tables(side);
      const app = syncOrOutbox(primary, secondary, mode, cleanup);
      await writes(app.adapter);
      await app.adapter.execute("INSERT INTO sy_tenant.only_here (note) VALUES ('captured')");
      await app.drained();
      const replayed = app.adapter.getMetadata().replicatedByStatement;
      expect(replayed.map((r) => r.sql)).toEqual([
        "INSERT INTO users (name) VALUES ('public row')",
        "INSERT INTO sy_tenant.users (name) VALUES ('tenant row'), ('second tenant row')",
        'UPDATE users SET name = ? WHERE id = ?',
        'DELETE FROM sy_tenant.users WHERE id = ?',
      ]);
      expect(replayed[0]!.reason).toMatch(/the tables public.users, sy_tenant.users share the name users/);
      expect(app.adapter.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0, verificationFailures: 0 });
      // The only_here row took the primary's clock: captured, not replayed.
      expect(await everything(secondary)).toEqual(await everything(primary));
      expect((await everything(secondary)).tenant).toEqual([{ id: 1, name: 'tenant row' }]);
    },
  );

  it.each(['sync', 'outbox'] as const)(
    "adapters reading public only (%s): a write naming the other schema's table is not taken for public's",
    async (mode) => {
      const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
      const secondary = createPostgresAdapter(dbs.database.url, { name: 'b' });
      for (const side of [primary, secondary]) await tables(side);
      const app = syncOrOutbox(primary, secondary, mode, cleanup);
      await writes(app.adapter);
      await app.drained();
      const replayed = app.adapter.getMetadata().replicatedByStatement;
      expect(replayed.map((r) => r.sql)).toEqual([
        "INSERT INTO sy_tenant.users (name) VALUES ('tenant row'), ('second tenant row')",
        'DELETE FROM sy_tenant.users WHERE id = ?',
      ]);
      expect(replayed[0]!.reason).toMatch(/a write to sy_tenant\.users, in a schema the primary's adapter does not read/);
      expect(app.adapter.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0, verificationFailures: 0 });
      expect(await everything(secondary)).toEqual(await everything(primary));
      expect((await everything(secondary)).public).toEqual([{ id: 1, name: 'public row, updated' }]);
    },
  );

  it('"Users" beside users: each keeps its own rows on the secondary', async () => {
    const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
    const secondary = createPostgresAdapter(dbs.database.url, { name: 'b' });
    for (const side of [primary, secondary]) {
      await tables(side);
      await side.execute('DROP TABLE IF EXISTS "Users"');
      await side.execute('CREATE TABLE "Users" (id bigserial PRIMARY KEY, name text)');
    }
    const app = syncOrOutbox(primary, secondary, 'sync', cleanup);
    await app.adapter.execute('INSERT INTO "Users" (name) VALUES (?)', ['quoted']);
    await app.adapter.execute('INSERT INTO users (name) VALUES (?)', ['folded']);
    expect(app.adapter.getMetadata().replicatedByStatement[0]!.reason).toMatch(
      /the tables public.Users, public.users share the name Users/,
    );
    const both = async (side: DatabaseAdapter) => [await side.query('SELECT * FROM "Users"'), await side.query('SELECT * FROM users')];
    expect(await both(secondary)).toEqual([[{ id: 1, name: 'quoted' }], [{ id: 1, name: 'folded' }]]);
    expect(await both(primary)).toEqual(await both(secondary));
  });
});
