import { afterEach, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter } from './patient-dual-write';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

async function postgres(name: string): Promise<DatabaseAdapter> {
  const database = await createTestDatabase();
  const adapter = createPostgresAdapter(database.url, { name });
  cleanup.push(
    () => database.drop(),
    () => adapter.close(),
  );
  return adapter;
}

it.each(['postgres', 'sqlite'] as const)(
  'a write through a view of a %s primary is replayed as written, and its reason names the view',
  async (kind) => {
    const primary = kind === 'postgres' ? await postgres('a') : createSQLiteAdapter(':memory:', { name: 'a' });
    const secondary = await postgres('b');
    for (const side of [primary, secondary]) {
      await side.execute('CREATE TABLE users (id int PRIMARY KEY, name text, active boolean NOT NULL DEFAULT true)');
      await side.execute('CREATE VIEW active_users AS SELECT id, name, active FROM users WHERE active');
    }
    // A SQLite view is written through its INSTEAD OF trigger; a simple Postgres view is updatable by itself.
    if (kind === 'sqlite') {
      await primary.execute(
        'CREATE TRIGGER active_users_insert INSTEAD OF INSERT ON active_users BEGIN INSERT INTO users (id, name) VALUES (NEW.id, NEW.name); END',
      );
    }
    const dual = createDualWriteAdapter(primary, secondary);
    cleanup.push(() => dual.close());
    const reasons: string[] = [];
    dual.on('statement-replay', (e) => reasons.push(e.reason));
    await dual.execute('INSERT INTO active_users (id, name) VALUES (?, ?)', [1, 'ann']);
    expect(reasons).toEqual([expect.stringMatching(/^a write through the view active_users: the rows it changes .* are not captured/)]);
    expect(dual.getMetrics().replicatedByStatement).toBe(1);
    expect(dual.getMetadata().replicatedByStatement).toEqual([
      { sql: 'INSERT INTO active_users (id, name) VALUES (?, ?)', reason: reasons[0] },
    ]);
    // A name that is neither a table nor a view is reported as such.
    await expect(dual.execute('INSERT INTO nowhere (id) VALUES (1)')).rejects.toThrow(/nowhere/);
  },
);
