import { describe, expect, it } from 'vitest';
import { UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import { SecondaryWriteError, type DualWriteEvent } from '@switchyard/dual-write';
import { createDualWriteAdapter } from './patient-dual-write';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { translateSchema } from '../src/index';
import { usePostgresDatabase } from './fixtures';
import { REBUILD_FOLDERS } from './folders-rebuild';

/**
 * A SQLite or D1 app's migrations (drizzle-kit's words: backquoted names, `AUTOINCREMENT`,
 * `DATETIME`) run through the dual-write adapter with `translateSchema`: each definition
 * reaches Postgres as the copy's translation of the table the primary made. Without it,
 * such a `CREATE TABLE` is refused before anything runs; one Postgres happens to parse
 * (`id INTEGER PRIMARY KEY`) made an `integer` key with no identity there, so the first
 * insert without an id after a switch failed.
 */
const MIGRATION = [
  'CREATE TABLE `notes` (`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL, `body` text NOT NULL, `at` DATETIME DEFAULT CURRENT_TIMESTAMP, `created` integer DEFAULT (unixepoch()), `tok` blob DEFAULT (randomblob(8)))',
  'CREATE UNIQUE INDEX `notes_body_unique` ON `notes` (`body`)',
  "CREATE TABLE tags (id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes(id), name TEXT CHECK (name <> ''))",
];
const LATER = [
  "ALTER TABLE `notes` ADD `tag` text DEFAULT 'none' NOT NULL",
  "CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes(id), name TEXT CHECK (name <> ''))",
  'CREATE TABLE `scratch` (`k` text PRIMARY KEY)',
  'ALTER TABLE `scratch` RENAME TO `scratch_old`',
  'DROP TABLE `scratch_old`',
  "CREATE TRIGGER `notes_untagged` AFTER INSERT ON `notes` BEGIN UPDATE `notes` SET `tag` = 'auto' WHERE `id` = NEW.`id` AND NEW.`tag` = 'none'; END",
];

/** Postgres's own words for `table.column`: its type, and whether it is an identity. */
async function columnOf(postgres: DatabaseAdapter, table: string, column: string): Promise<{ type: string; identity: string }> {
  const [row] = await postgres.query<{ type: string; identity: string }>(
    'SELECT format_type(atttypid, atttypmod) AS type, attidentity AS identity FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2',
    [table, column],
  );
  return row!;
}

async function migrateWriteAndSwitch(primary: DatabaseAdapter, postgres: DatabaseAdapter, batched: boolean): Promise<DualWriteEvent[]> {
  const events: DualWriteEvent[] = [];
  const app = createDualWriteAdapter(primary, postgres, { translateSchema, verifyWrites: true, onEvent: (e) => events.push(e) });
  if (batched) await app.batch(MIGRATION.map((sql) => ({ sql })));
  else for (const sql of MIGRATION) await app.execute(sql);
  await app.execute("INSERT INTO notes (body, at) VALUES ('first', '2026-01-02 03:04:05'), ('second', NULL)");
  await app.execute("INSERT INTO notes (id, body, at) VALUES (10, 'tenth', '2026-01-02 03:04:05')");
  for (const sql of LATER) await app.execute(sql);
  await app.execute("INSERT INTO notes (body, at, tag) VALUES ('tagged', NULL, 'red')");
  await app.execute("INSERT INTO tags (note_id, name) VALUES (10, 'x')");
  await app.execute("INSERT INTO notes (body) VALUES ('untagged')");
  expect(app.getMetrics().journalDepth).toBe(0);
  const report = await validateDatabases(primary, postgres, { validateAllRows: true, tables: ['notes', 'tags'] });
  expect(report.ok, JSON.stringify(report.tables)).toBe(true);
  await app.switchPrimary();
  // Postgres now fills the key: its identity stands past the rows the primary numbered.
  await app.execute("INSERT INTO notes (body, at) VALUES ('after the switch', NULL)");
  await app.execute("INSERT INTO tags (note_id, name) VALUES (10, 'y')");
  const [after] = await postgres.query<{ id: string; tag: string }>("SELECT id, tag FROM notes WHERE body = 'after the switch'");
  // Postgres has no such trigger (the event says to port it): its row keeps the default.
  expect(after).toEqual({ id: 13, tag: 'none' });
  await app.close();
  return events;
}

async function expectPostgresForms(postgres: DatabaseAdapter, events: DualWriteEvent[]): Promise<void> {
  expect(await columnOf(postgres, 'notes', 'id')).toEqual({ type: 'bigint', identity: 'd' });
  expect(await columnOf(postgres, 'tags', 'id')).toEqual({ type: 'bigint', identity: 'd' });
  expect((await columnOf(postgres, 'notes', 'at')).type).toBe('timestamp with time zone');
  expect(await columnOf(postgres, 'notes', 'tag')).toEqual({ type: 'text', identity: '' });
  const [tag] = await postgres.query<{ d: string; n: boolean }>(
    "SELECT column_default AS d, is_nullable = 'NO' AS n FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'tag'",
  );
  expect(tag).toEqual({ d: "'none'::text", n: true });
  const indexes = await postgres.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = 'notes_body_unique'");
  expect(indexes[0]?.indexdef).toMatch(/UNIQUE INDEX notes_body_unique ON public\.notes USING btree \(body\)/);
  const keys = await postgres.query("SELECT 1 FROM pg_constraint WHERE conrelid = 'tags'::regclass AND contype = 'f' AND convalidated");
  expect(keys).toHaveLength(1);
  expect(await postgres.query("SELECT to_regclass('scratch') AS a, to_regclass('scratch_old') AS b")).toEqual([{ a: null, b: null }]);
  const notes = events.filter((e) => e.type === 'statement-replay' && e.sql.startsWith('CREATE TABLE `notes`'));
  expect(notes.map((e) => (e as { reason: string }).reason)).toEqual([
    expect.stringMatching(/translateSchema.*left out: default randomblob\(8\)/),
  ]);
  const trigger = events.find((e) => e.type === 'statement-replay' && e.sql.startsWith('CREATE TRIGGER'));
  expect((trigger as { reason: string }).reason).toMatch(/left out: the trigger: .*port it by hand/);
  expect(await postgres.query("SELECT tag FROM notes WHERE body = 'untagged'")).toEqual([{ tag: 'auto' }]);
  const tags = events.find((e) => e.type === 'statement-replay' && e.sql.startsWith('CREATE TABLE tags'));
  expect((tags as { reason: string }).reason).toMatch(/left out: .*its CHECK constraints/);
}

describe('dual write with translateSchema: SQLite definitions reach Postgres translated', () => {
  const postgres = usePostgresDatabase();
  // The dual-write adapter closes both its sides: each test opens its own Postgres adapter.
  const freshPostgres = async () => {
    await postgres.adapter.execute('DROP TABLE IF EXISTS tags, notes, scratch, scratch_old, files, folders, __new_folders CASCADE');
    return createPostgresAdapter(postgres.url, { name: 'postgres' });
  };

  it('SQLite -> Postgres: tables, a unique index, an added column, a rename and a drop; equal, then Postgres numbers the next row', async () => {
    const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const events = await migrateWriteAndSwitch(sqlite, await freshPostgres(), false);
    await expectPostgresForms(postgres.adapter, events);
  });

  it('D1 -> Postgres: a migration sent as one batch', async () => {
    const testD1 = await createTestD1();
    try {
      const events = await migrateWriteAndSwitch(createD1Adapter(testD1.binding, { name: 'd1' }), await freshPostgres(), true);
      await expectPostgresForms(postgres.adapter, events);
    } finally {
      await testD1.dispose();
    }
  });

  it("in a transaction: Kysely's schema builder, as its Migrator runs a migration, and raw SQL", async () => {
    const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const app = createDualWriteAdapter(sqlite, await freshPostgres(), { translateSchema });
    // Compiled for Postgres from the same tree, `autoIncrement()` is `auto_increment`, which Postgres cannot parse.
    await app.db.transaction().execute(async (trx) => {
      await trx.schema
        .createTable('notes')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('at', 'datetime')
        .execute();
      await trx.schema.createIndex('notes_body_unique').on('notes').column('body').unique().execute();
      await trx.executeQuery(sql('INSERT INTO notes (body, at) VALUES (?, ?)', ['first', '2026-01-02 03:04:05']));
    });
    await app.transaction(async (tx) => {
      await tx.execute("ALTER TABLE `notes` ADD `tag` text DEFAULT 'none' NOT NULL");
      await tx.execute("INSERT INTO notes (body, tag) VALUES ('second', 'red')");
    });
    expect(app.getMetrics().journalDepth).toBe(0);
    expect((await validateDatabases(sqlite, postgres.adapter, { validateAllRows: true, tables: ['notes'] })).ok).toBe(true);
    await app.switchPrimary();
    await app.execute("INSERT INTO notes (body) VALUES ('after the switch')");
    await app.close();
    expect(await columnOf(postgres.adapter, 'notes', 'id')).toEqual({ type: 'bigint', identity: 'd' });
    expect((await columnOf(postgres.adapter, 'notes', 'at')).type).toBe('timestamp with time zone');
    expect(await postgres.adapter.query('SELECT id, tag FROM notes ORDER BY id')).toEqual([
      { id: 1, tag: 'none' },
      { id: 2, tag: 'red' },
      { id: 3, tag: 'none' },
    ]);
    expect(await postgres.adapter.query("SELECT 1 FROM pg_indexes WHERE indexname = 'notes_body_unique'")).toHaveLength(1);
  });

  it('a self-referencing table that others reference, rebuilt in one batch (drizzle-kit altering a column): keys dropped and added again', async () => {
    const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const app = createDualWriteAdapter(sqlite, await freshPostgres(), { translateSchema, verifyWrites: true });
    await app.batch([
      { sql: 'CREATE TABLE `folders` (`id` integer PRIMARY KEY NOT NULL, `parent` integer REFERENCES `folders`(`id`), `name` text)' },
      { sql: 'CREATE TABLE `files` (`id` integer PRIMARY KEY NOT NULL, `folder` integer NOT NULL REFERENCES `folders`(`id`))' },
    ]);
    await app.execute("INSERT INTO folders VALUES (1, NULL, 'root'), (2, 1, NULL)");
    await app.execute('INSERT INTO files VALUES (1, 2)');
    await app.batch(REBUILD_FOLDERS.map((sql) => ({ sql })));
    await app.execute('INSERT INTO folders (id, parent) VALUES (3, 2)');
    expect(app.getMetrics().journalDepth).toBe(0);
    const report = await validateDatabases(sqlite, postgres.adapter, { validateAllRows: true, tables: ['folders', 'files'] });
    expect(report.ok, JSON.stringify(report.tables)).toBe(true);
    const keys = await postgres.adapter.query(
      "SELECT conrelid::regclass::text AS t, convalidated AS valid FROM pg_constraint WHERE contype = 'f' AND confrelid = 'folders'::regclass ORDER BY 1",
    );
    expect(keys).toEqual([
      { t: 'files', valid: true },
      { t: 'folders', valid: true },
    ]);
    expect(await postgres.adapter.query('SELECT id, name FROM folders ORDER BY id')).toEqual([
      { id: 1, name: 'root' },
      { id: 2, name: 'untitled' },
      { id: 3, name: 'untitled' },
    ]);
    await app.close();
  });

  it('a rebuild in transaction() the secondary refuses: journaled as definitions, rows, then the keys to validate; a replay settles all', async () => {
    const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const app = createDualWriteAdapter(sqlite, await freshPostgres(), { translateSchema });
    await app.batch([
      { sql: 'CREATE TABLE `folders` (`id` integer PRIMARY KEY NOT NULL, `parent` integer REFERENCES `folders`(`id`), `name` text)' },
      { sql: 'CREATE TABLE `files` (`id` integer PRIMARY KEY NOT NULL, `folder` integer NOT NULL REFERENCES `folders`(`id`))' },
    ]);
    await app.execute("INSERT INTO folders VALUES (1, NULL, 'root'), (2, 1, NULL)");
    await app.execute('INSERT INTO files VALUES (1, 2)');
    // Postgres already holds a table of the rebuild's name: its CREATE fails there.
    await postgres.adapter.execute('CREATE TABLE "__new_folders" (x int)');
    const failed = await app
      .transaction(async (tx) => {
        for (const sql of REBUILD_FOLDERS) await tx.execute(sql);
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SecondaryWriteError);
    const entries = await app.journalEntries();
    expect(
      entries.map((e) => (e.rows ? 'rows' : e.statements!.every((s) => / VALIDATE CONSTRAINT /.test(s.sql)) ? 'validate' : 'statements')),
    ).toEqual(['statements', 'rows', 'validate']);
    await postgres.adapter.execute('DROP TABLE "__new_folders"');
    await app.replayJournal();
    expect(app.getMetrics().journalDepth).toBe(0);
    const report = await validateDatabases(sqlite, postgres.adapter, { validateAllRows: true, tables: ['folders', 'files'] });
    expect(report.ok, JSON.stringify(report.tables)).toBe(true);
    const keys = await postgres.adapter.query(
      "SELECT convalidated AS valid FROM pg_constraint WHERE contype = 'f' AND confrelid = 'folders'::regclass",
    );
    expect(keys).toEqual([{ valid: true }, { valid: true }]);
    await app.close();
  });

  it('without translateSchema, such a definition is refused before it runs, and the error names the option', async () => {
    const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const app = createDualWriteAdapter(sqlite, await freshPostgres());
    const error = await app.execute(MIGRATION[0]!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toMatch(/cannot run this schema change.*pass `translateSchema` from @switchyard\/copy/s);
    expect(await sqlite.query("SELECT name FROM sqlite_master WHERE name = 'notes'")).toEqual([]);
    await app.close();
  });
});

/** A raw statement for Kysely's `executeQuery`, as `sql\`…\`.compile(db)` gives one. */
function sql(text: string, parameters: unknown[]) {
  return { sql: text, parameters, query: { kind: 'RawNode', sqlFragments: [text], parameters: [] } } as never;
}
