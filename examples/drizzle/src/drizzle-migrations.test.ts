import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { translateSchema } from '@switchyard/copy';
import { asD1Database } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createDualWriteAdapter } from '@switchyard/dual-write';
import { drainOutbox, outboxMirror } from '@switchyard/dual-write/mirror';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { migrate } from 'drizzle-orm/d1/migrator';
import { expect, it } from 'vitest';
import { todoApp } from './todo-app';
import * as schema from './todo-schema';

/**
 * drizzle-kit's output for the app's schema (`drizzle-kit generate`) and two later
 * migrations: a column added, and `users` rebuilt (SQLite's way to change a column's
 * default: create `__new_users`, copy the rows, drop `users`, rename), which `todos` references.
 */
const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** The folder as an earlier deploy held it: its first `count` migrations. */
function firstMigrations(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'drizzle-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journal = JSON.parse(readFileSync(join(dir, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
  return dir;
}

/**
 * As a Worker runs them at start, each deploy applying its pending migrations in one batch:
 * the first deploy's two migrations, the app's writes, then the deploy that rebuilds `users`,
 * which `todos` references.
 */
async function deployAndWrite(db: DrizzleD1Database<typeof schema>): Promise<void> {
  const earlier = firstMigrations(2);
  await migrate(db, { migrationsFolder: earlier });
  rmSync(earlier, { recursive: true });
  const app = todoApp(db);
  const ada = await app.signUp('ada@example.com', 'Ada');
  const first = await app.addTodo(ada.id, 'write the migration plan');
  await app.importTodos(ada.id, ['backfill', 'cut over']);
  await app.complete(first.id);
  await migrate(db, { migrationsFolder });
}

it("runs drizzle-kit's migrations through env.DB during dual write: translated for Postgres, Drizzle's own record on D1 alone", async () => {
  const [d1, database] = await Promise.all([createTestD1(), createTestDatabase()]);
  const postgres = createPostgresAdapter(database.url, { max: 2 });
  const dual = createDualWriteAdapter(createD1Adapter(d1.binding), postgres, {
    translateSchema,
    excludeTables: ['__drizzle_migrations'],
    verifyWrites: true,
    secondaryTimeoutMs: 30_000,
  });
  try {
    const env = { DB: asD1Database(dual) };
    const db = drizzle(env.DB, { schema });
    await deployAndWrite(db);
    // The deploy after finds nothing to do.
    await migrate(db, { migrationsFolder });
    expect(await dual.journalEntries()).toEqual([]);
    const [fk] = await postgres.query<{ valid: boolean }>(
      "SELECT convalidated AS valid FROM pg_constraint WHERE conrelid = 'todos'::regclass AND contype = 'f' AND confrelid = 'users'::regclass",
    );
    expect(fk).toEqual({ valid: true });
    const [name] = await postgres.query<{ d: string }>(
      "SELECT column_default AS d FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'name'",
    );
    expect(name).toEqual({ d: "''::text" });
    const report = await validateDatabases(dual.primary, postgres, { excludeTables: ['__drizzle_migrations'] });
    expect(report.ok, report.summary).toBe(true);
    expect(report.totals.rowsCompared).toBe(4);
    const [due] = await postgres.query<{ type: string }>(
      "SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'todos' AND column_name = 'due'",
    );
    expect(due).toEqual({ type: 'text' });

    // After the switch Postgres numbers new rows itself, past D1's. (Drizzle's SQLite inserts
    // send NULL for the id, which Postgres refuses: the rehearsal reports such statements.)
    await dual.switchPrimary();
    const [bob] = await env.DB.prepare("INSERT INTO users (email, name) VALUES ('bob@example.com', 'Bob') RETURNING id")
      .all<{ id: number }>()
      .then((r) => r.results);
    expect(bob).toEqual({ id: 2 });
    expect(dual.getMetrics()).toMatchObject({ verificationFailures: 0, journalDepth: 0 });
  } finally {
    await dual.close();
    await Promise.all([d1.dispose(), database.drop()]);
  }
});

it('the same deploys with the secondary written through an outbox in D1: the drain brings Postgres the translated tables, then the rows', async () => {
  const [d1, database] = await Promise.all([createTestD1(), createTestDatabase()]);
  const postgres = createPostgresAdapter(database.url, { max: 2 });
  const primary = createD1Adapter(d1.binding);
  const mirror = outboxMirror(primary);
  const dual = createDualWriteAdapter(primary, postgres, {
    translateSchema,
    excludeTables: ['__drizzle_migrations'],
    secondaryWrites: 'async',
    mirror,
  });
  try {
    // Nothing is drained until the end: every write went to tables Postgres did not have yet.
    await deployAndWrite(drizzle(asD1Database(dual), { schema }));
    // As a scheduled Worker drains it, with the adapter's translateSchema for an entry its writer left untranslated.
    const progress = await drainOutbox(postgres, { mirror, translateSchema });
    expect(progress.settled).toBe(0);
    expect(progress.leftOut).toEqual([]);
    expect(await mirror.peek(1)).toEqual([]);
    const report = await validateDatabases(primary, postgres, { excludeTables: ['__drizzle_migrations'], validateAllRows: true });
    expect(report.ok, report.summary).toBe(true);
    expect(report.totals.rowsCompared).toBe(4);
    const [id] = await postgres.query<{ identity: string }>(
      "SELECT attidentity AS identity FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'id'",
    );
    expect(id).toEqual({ identity: 'd' });
  } finally {
    await dual.close();
    await Promise.all([d1.dispose(), database.drop()]);
  }
});
