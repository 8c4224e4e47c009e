import { describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely } from 'kysely';
import { UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import type { DualWriteEvent } from '@switchyard/dual-write';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '@switchyard/dual-write/mirror';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { translateSchema } from '../src/index';
import { usePostgresDatabase } from './fixtures';

/**
 * After the switch, a Postgres app keeps changing its schema while SQLite or D1, now the
 * secondary, keeps the way back open. Its migrations are in Postgres's words (`GENERATED …
 * AS IDENTITY`, `DEFAULT now()`, `jsonb`, an enum type, `CREATE INDEX CONCURRENTLY`), which
 * SQLite refused before anything ran: the rollback window closed at the first migration.
 * With `translateSchema`, SQLite gets the table the copy would make of what Postgres holds.
 */
const MIGRATIONS = [
  'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, n integer, at timestamptz NOT NULL DEFAULT now(), tok uuid DEFAULT gen_random_uuid(), doc jsonb)',
  "INSERT INTO users (email, n, doc) VALUES ('ada@example.com', 1, '{\"a\": 1}')",
  "CREATE TYPE mood AS ENUM ('ok', 'sad')",
  'ALTER TABLE users ADD COLUMN m mood',
  "ALTER TABLE users ADD COLUMN bio text NOT NULL DEFAULT ''",
  'ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT now()',
  'CREATE INDEX CONCURRENTLY users_n ON users (n)',
  'CREATE UNIQUE INDEX users_email ON users (email)',
  'ALTER TABLE users RENAME COLUMN bio TO about',
  'CREATE TABLE posts (id serial PRIMARY KEY, user_id bigint REFERENCES users (id), title varchar(200))',
  'ALTER TABLE users DROP COLUMN tok',
  "INSERT INTO users (email, n, m) VALUES ('bob@example.com', 2, 'ok')",
  "INSERT INTO posts (user_id, title) VALUES (1, 'hello')",
  // SQLite has no ALTER for these: it gets the table made again, as its documentation does it.
  "ALTER TABLE users ALTER COLUMN about SET DEFAULT 'none'",
  'ALTER TABLE users ALTER COLUMN n TYPE bigint, ALTER COLUMN n SET NOT NULL',
  'ALTER TABLE posts ADD CONSTRAINT posts_title_key UNIQUE (title)',
  "INSERT INTO users (email, n) VALUES ('dee@example.com', 4)",
];

/** SQLite's own definition of a table, as it keeps it. */
async function sqliteTable(side: DatabaseAdapter, name: string): Promise<string> {
  const [row] = await side.query<{ sql: string }>('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?', ['table', name]);
  return row?.sql ?? '';
}

describe('dual write with translateSchema from a Postgres primary: SQLite and D1 keep the way back', () => {
  const postgres = usePostgresDatabase();
  const freshPostgres = async () => {
    await postgres.adapter.execute('DROP TABLE IF EXISTS posts, users, _switchyard_outbox CASCADE; DROP TYPE IF EXISTS mood');
    return createPostgresAdapter(postgres.url, { name: 'postgres' });
  };

  for (const kind of ['sqlite', 'd1'] as const) {
    for (const mode of ['sync', 'outbox'] as const) {
      it(`Postgres -> ${kind} (${mode}): tables, types, columns and indexes in Postgres's words; equal, then the switch back`, async () => {
        const testD1 = kind === 'd1' ? await createTestD1() : undefined;
        const secondary = testD1 ? createD1Adapter(testD1.binding, { name: 'd1' }) : createSQLiteAdapter(':memory:', { name: 'sqlite' });
        const primary = await freshPostgres();
        const mirror = outboxMirror(primary);
        const events: DualWriteEvent[] = [];
        const app = createDualWriteAdapter(primary, secondary, {
          translateSchema,
          onEvent: (e) => void events.push(e),
          ...(mode === 'sync' ? { verifyWrites: true } : { secondaryWrites: 'async', mirror }),
        });
        try {
          for (const sql of MIGRATIONS) await app.execute(sql);
          if (mode === 'outbox') await drainOutbox(secondary, { mirror });
          expect(events.filter((e) => e.type === 'secondary-failure' || e.type === 'verification-failed')).toEqual([]);
          const report = await validateDatabases(postgres.adapter, secondary, { validateAllRows: true, tables: ['users', 'posts'] });
          expect(report.ok, JSON.stringify(report.tables)).toBe(true);
          const users = await sqliteTable(secondary, 'users');
          expect(users).toMatch(/"id" INTEGER PRIMARY KEY AUTOINCREMENT/);
          expect(users).toMatch(/"about" TEXT NOT NULL DEFAULT 'none'/);
          expect(users).toMatch(/"n" BIGINT NOT NULL/);
          // posts still references users, made again under its name, and every reference holds.
          expect(await secondary.query('PRAGMA foreign_key_check')).toEqual([]);
          expect(users).not.toMatch(/"tok"/);
          expect(await sqliteTable(secondary, 'posts')).toMatch(/FOREIGN KEY \("user_id"\) REFERENCES "users" \("id"\)(?! ON DELETE)/);
          const indexes = await secondary.query<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' ORDER BY name",
          );
          expect(indexes.map((i) => i.name)).toEqual(['users_email', 'users_n']);
          const unique = await secondary.query<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts'",
          );
          expect(unique.map((i) => i.name)).toEqual(['posts_title_key']);
          const replays = events.flatMap((e) => (e.type === 'statement-replay' ? [e.reason] : []));
          expect(replays).toContainEqual(
            expect.stringMatching(/Postgres definition, run on SQLite .*left out: default gen_random_uuid\(\)/),
          );
          if (mode === 'sync') {
            // The way back: SQLite numbers the next row past Postgres's.
            await app.switchPrimary();
            await app.execute("INSERT INTO users (email, n) VALUES ('cy@example.com', 5)");
            expect(await secondary.query("SELECT id, n, about FROM users WHERE email = 'cy@example.com'")).toEqual([
              { id: 4, n: 5, about: 'none' },
            ]);
          }
        } finally {
          await app.close();
          await testD1?.dispose();
        }
      });
    }
  }

  it("Kysely's Migrator on the Postgres primary: a migration's definitions reach SQLite translated when its transaction ends", async () => {
    const secondary = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const app = createDualWriteAdapter(await freshPostgres(), secondary, { translateSchema, verifyWrites: true });
    try {
      const migration = {
        async up(db: Kysely<any>) {
          await db.schema
            .createTable('users')
            .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
            .addColumn('email', 'text', (c) => c.notNull().unique())
            .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
            .execute();
          await db.insertInto('users').values({ email: 'ada@example.com' }).execute();
          await db.schema
            .alterTable('users')
            .alterColumn('email', (c) => c.setDefault('none'))
            .execute();
        },
      };
      const migrator = new Migrator({ db: app.db, provider: { getMigrations: async () => ({ '001_users': migration }) } });
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      expect(app.getMetrics().journalDepth).toBe(0);
      const report = await validateDatabases(postgres.adapter, secondary, { validateAllRows: true, tables: ['users'] });
      expect(report.ok, JSON.stringify(report.tables)).toBe(true);
      expect(await sqliteTable(secondary, 'users')).toMatch(
        /"id" INTEGER PRIMARY KEY AUTOINCREMENT,\n {2}"email" TEXT NOT NULL DEFAULT 'none'/,
      );
    } finally {
      await app.close();
    }
  });

  it('a change translateSchema does not make (ALTER COLUMN beside ADD COLUMN) is refused before it runs, and the error says what it covers', async () => {
    const secondary = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const app = createDualWriteAdapter(await freshPostgres(), secondary, { translateSchema });
    try {
      await app.execute('CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, bio text)');
      const error = await app.execute("ALTER TABLE users ALTER COLUMN bio SET DEFAULT 'none', ADD COLUMN n int").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedError);
      expect((error as Error).message).toMatch(
        /CREATE TABLE, CREATE INDEX, ADD COLUMN, ALTER COLUMN or ADD CONSTRAINT reach SQLite translated; .*each side/,
      );
      // SQLite would make users again, and dropping the old one would delete the posts that reference it.
      await app.execute('CREATE TABLE posts (id int PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE CASCADE)');
      await app.execute("INSERT INTO users (bio) VALUES ('a')");
      await app.execute('INSERT INTO posts VALUES (1, 1)');
      const cascade = await app.execute("ALTER TABLE users ALTER COLUMN bio SET DEFAULT 'none'").catch((e: unknown) => e);
      expect((cascade as Error).message).toMatch(/makes users again to make it, and posts.s foreign key to it has an ON DELETE action/);
      expect(await secondary.query('SELECT id FROM posts')).toEqual([{ id: 1 }]);
      const [bio] = await postgres.adapter.query(
        "SELECT column_default AS d FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio'",
      );
      expect(bio).toEqual({ d: null });
    } finally {
      await app.close();
    }
  });
});
