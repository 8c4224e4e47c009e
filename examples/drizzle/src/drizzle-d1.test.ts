import { asD1Database } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createDualWriteAdapter, type DualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { createTestD1, type TestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { drizzle } from 'drizzle-orm/d1';
import { drizzle as drizzleProxy } from 'drizzle-orm/sqlite-proxy';
import { adapterProxy } from './adapter-proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todoApp } from './todo-app';
import * as schema from './todo-schema';

let d1: TestD1;
let database: TestDatabase;
let postgres: PostgresAdapter;
let dual: DualWriteAdapter;

beforeAll(async () => {
  [d1, database] = await Promise.all([createTestD1(), createTestDatabase()]);
  postgres = createPostgresAdapter(database.url, { max: 2 });
  for (const ddl of schema.DDL.sqlite) await d1.binding.prepare(ddl).run();
  for (const ddl of schema.DDL.postgres) await postgres.execute(ddl);
  // A loaded CI machine can hold a healthy Postgres past the 500 ms default; this test is not about timeouts.
  dual = createDualWriteAdapter(createD1Adapter(d1.binding), postgres, { verifyWrites: true, secondaryTimeoutMs: 30_000 });
});

afterAll(async () => {
  await dual?.close();
  await Promise.all([d1?.dispose(), database?.drop()]);
});

async function clear(): Promise<void> {
  await dual.batch([{ sql: 'DELETE FROM todos' }, { sql: 'DELETE FROM users' }]);
}

describe('a Drizzle app on D1, moved onto a dual-write adapter by one line', () => {
  it('does its usual CRUD through asD1Database, and both databases validate equal', async () => {
    // The only change the app makes: env.DB = asD1Database(dual).
    const env = { DB: asD1Database(dual) };
    await runTheApp(todoApp(drizzle(env.DB, { schema })));
  });

  it("does the same through Drizzle's SQLite proxy driver over the adapter", async () => {
    await clear();
    const { query, batch } = adapterProxy(dual);
    await runTheApp(todoApp(drizzleProxy(query, batch, { schema })));
  });
});

async function runTheApp(app: ReturnType<typeof todoApp>): Promise<void> {
  {
    const ada = await app.signUp('ada@example.com', 'Ada');
    const bob = await app.signUp('bob@example.com', 'Bob');
    expect(ada).toMatchObject({ email: 'ada@example.com', name: 'Ada', admin: false });
    const first = await app.addTodo(ada.id, 'write the migration plan');
    await app.importTodos(bob.id, ['backfill', 'validate', 'cut over']);
    await app.complete(first.id);
    await app.promote('bob@example.com');
    const validate = (await app.openTodos(bob.id)).find((t) => t.title === 'validate')!;
    await app.remove(validate.id);

    expect((await app.openTodos(bob.id)).map((t) => t.title).sort()).toEqual(['backfill', 'cut over']);
    expect(await app.counts()).toEqual([
      { email: 'ada@example.com', n: 1 },
      { email: 'bob@example.com', n: 2 },
    ]);
    expect(await app.todoOwners()).toEqual(
      expect.arrayContaining([
        { title: 'write the migration plan', email: 'ada@example.com' },
        { title: 'backfill', email: 'bob@example.com' },
        { title: 'cut over', email: 'bob@example.com' },
      ]),
    );
    const ids = await app.todoIds();
    expect(ids.map((r) => r.owner).sort()).toEqual([ada.id, bob.id, bob.id].sort());
    expect(new Set(ids.map((r) => r.todo)).size).toBe(3);
    const nested = await app.withTodos();
    expect(nested.map((u) => [u.name, u.admin, u.todos.length])).toEqual([
      ['Ada', false, 1],
      ['Bob', true, 2],
    ]);
    // Drizzle wraps the driver's error; underneath it is D1's own.
    const duplicate = await app.signUp('ada@example.com', 'Ada again').catch((e: Error) => e);
    expect(String((duplicate as Error).cause)).toMatch(/UNIQUE constraint failed: users\.email/);

    const report = await validateDatabases(dual.primary, dual.secondary);
    expect(report.ok, report.summary).toBe(true);
    expect(report.totals.rowsCompared).toBe(5);
    expect(dual.getMetrics()).toMatchObject({ verificationFailures: 0 });
    expect(await dual.journalEntries()).toEqual([]);
  }
}
