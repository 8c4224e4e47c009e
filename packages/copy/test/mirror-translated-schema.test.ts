import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import type { DualWriteEvent } from '@switchyard/dual-write';
import { createDualWriteAdapter } from './patient-dual-write';
import {
  createMirrorConsumer,
  drainOutbox,
  outboxMirror,
  queueMirror,
  UntranslatedEntryError,
  type DrainProgress,
  type QueueProducerLike,
} from '@switchyard/dual-write/mirror';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { translateSchema } from '../src/index';
import { usePostgresDatabase } from './fixtures';
import { REBUILD_FOLDERS } from './folders-rebuild';

/**
 * A SQLite or D1 app's migrations with the secondary written asynchronously (an outbox in
 * the primary, or a queue): each definition reaches Postgres as `translateSchema` translates
 * what the primary made, as on the synchronous path. They were refused before they ran (the
 * error said to pass the option the app had passed), and a queued write to a table whose
 * definition was still in the queue failed the app's write.
 */
const MIGRATION = [
  'CREATE TABLE `notes` (`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL, `body` text NOT NULL, `at` DATETIME DEFAULT CURRENT_TIMESTAMP)',
  'CREATE UNIQUE INDEX `notes_body_unique` ON `notes` (`body`)',
  'CREATE TABLE `folders` (`id` integer PRIMARY KEY NOT NULL, `parent` integer REFERENCES `folders`(`id`), `name` text)',
  "CREATE TABLE `files` (`id` integer PRIMARY KEY NOT NULL, `folder` integer NOT NULL REFERENCES `folders`(`id`), `name` text CHECK (`name` <> ''))",
];
const LATER = [
  "ALTER TABLE `notes` ADD `tag` text DEFAULT 'none' NOT NULL",
  'CREATE TABLE `scratch` (`k` text PRIMARY KEY)',
  'ALTER TABLE `scratch` RENAME TO `scratch_old`',
  'DROP TABLE `scratch_old`',
  "CREATE TRIGGER `notes_untagged` AFTER INSERT ON `notes` BEGIN UPDATE `notes` SET `tag` = 'auto' WHERE `id` = NEW.`id` AND NEW.`tag` = 'none'; END",
];

/** A queue that keeps what it is sent, and its delivery to a consumer as one batch: the ids not acknowledged. */
function collectingQueue() {
  const sent: unknown[] = [];
  const producer: QueueProducerLike = { send: async (body) => void sent.push(body) };
  const deliver = async (consumer: ReturnType<typeof createMirrorConsumer>): Promise<string[]> => {
    const unacked = new Set<string>();
    const messages = sent.splice(0).map((body, i) => {
      unacked.add(`m${i}`);
      return { id: `m${i}`, timestamp: new Date(), body, attempts: 1, ack: () => unacked.delete(`m${i}`), retry: () => {} };
    });
    await consumer({ queue: 'mirror', messages });
    return [...unacked];
  };
  return { producer, deliver };
}

/** The app's migrations and writes through the adapter, every write to a table made by a definition not yet delivered. */
async function migrateAndWrite(app: DatabaseAdapter): Promise<void> {
  await app.batch(MIGRATION.map((sql) => ({ sql })));
  await app.execute("INSERT INTO notes (body, at) VALUES ('first', '2026-01-02 03:04:05'), ('second', NULL)");
  await app.execute("INSERT INTO folders VALUES (1, NULL, 'root'), (2, 1, NULL)");
  await app.execute("INSERT INTO files VALUES (1, 2, 'a.txt')");
  for (const sql of LATER) await app.execute(sql);
  await app.execute("INSERT INTO notes (body, tag) VALUES ('tagged', 'red')");
  await app.execute("INSERT INTO notes (body) VALUES ('untagged')");
  await app.batch(REBUILD_FOLDERS.map((sql) => ({ sql })));
  await app.execute('INSERT INTO folders (id, parent) VALUES (3, 2)');
}

/** Postgres's own words for `table.column`: its type, and whether it is an identity. */
async function columnOf(postgres: DatabaseAdapter, table: string, column: string): Promise<{ type: string; identity: string }> {
  const [row] = await postgres.query<{ type: string; identity: string }>(
    'SELECT format_type(atttypid, atttypmod) AS type, attidentity AS identity FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2',
    [table, column],
  );
  return row!;
}

async function expectTranslated(primary: DatabaseAdapter, postgres: DatabaseAdapter, events: DualWriteEvent[]): Promise<void> {
  // What the translation left out is named when the write is made, as on the synchronous path.
  const files = events.find((e) => e.type === 'statement-replay' && e.sql.startsWith('CREATE TABLE `files`'));
  expect((files as { reason: string }).reason).toMatch(/translateSchema.*left out: its CHECK constraints/);
  const report = await validateDatabases(primary, postgres, { validateAllRows: true, tables: ['notes', 'folders', 'files'] });
  expect(report.ok, JSON.stringify(report.tables)).toBe(true);
  expect(await columnOf(postgres, 'notes', 'id')).toEqual({ type: 'bigint', identity: 'd' });
  expect((await columnOf(postgres, 'notes', 'at')).type).toBe('timestamp with time zone');
  expect(await postgres.query("SELECT 1 FROM pg_indexes WHERE indexname = 'notes_body_unique'")).toHaveLength(1);
  // The trigger ran on the primary alone; its row change arrived as a row.
  expect(await postgres.query("SELECT tag FROM notes WHERE body = 'untagged'")).toEqual([{ tag: 'auto' }]);
  expect(await postgres.query("SELECT to_regclass('scratch_old') AS t, to_regclass('__new_folders') AS n")).toEqual([{ t: null, n: null }]);
  const keys = await postgres.query(
    "SELECT conrelid::regclass::text AS t, convalidated AS valid FROM pg_constraint WHERE contype = 'f' AND confrelid = 'folders'::regclass ORDER BY 1",
  );
  expect(keys).toEqual([
    { t: 'files', valid: true },
    { t: 'folders', valid: true },
  ]);
}

describe('translateSchema through an asynchronous mirror', () => {
  const postgres = usePostgresDatabase();
  // The dual-write adapter closes both its sides: each test opens its own Postgres adapter.
  const freshPostgres = async () => {
    await postgres.adapter.execute('DROP TABLE IF EXISTS notes, folders, files, scratch, scratch_old, __new_folders CASCADE');
    await postgres.adapter.execute('DROP TABLE IF EXISTS _switchyard_applied_ops, _switchyard_row_versions, _switchyard_mirror_errors');
    return createPostgresAdapter(postgres.url, { name: 'postgres' });
  };
  const openPrimary = async (kind: 'sqlite' | 'd1') => {
    if (kind === 'sqlite') return { primary: createSQLiteAdapter(':memory:', { name: 'sqlite' }), dispose: async () => {} };
    const d1 = await createTestD1();
    return { primary: createD1Adapter(d1.binding, { name: 'd1' }), dispose: () => d1.dispose() };
  };

  for (const kind of ['sqlite', 'd1'] as const) {
    it(`${kind} -> Postgres through an outbox: the drain applies the definitions translated, the rows after them`, async () => {
      const { primary, dispose } = await openPrimary(kind);
      const secondary = await freshPostgres();
      const mirror = outboxMirror(primary);
      const events: DualWriteEvent[] = [];
      const onEvent = (e: DualWriteEvent) => void events.push(e);
      const app = createDualWriteAdapter(primary, secondary, { translateSchema, secondaryWrites: 'async', mirror, onEvent });
      try {
        await migrateAndWrite(app);
        expect((await drainOutbox(secondary, { mirror, translateSchema })).leftOut).toEqual([]);
        expect(await mirror.peek(10)).toEqual([]);
        await expectTranslated(primary, postgres.adapter, events);
      } finally {
        await app.close();
        await dispose();
      }
    });

    it(`${kind} -> Postgres through a queue: messages carry Postgres's definitions, and rows for tables they make`, async () => {
      const { primary, dispose } = await openPrimary(kind);
      const secondary = await freshPostgres();
      const { producer, deliver } = collectingQueue();
      const events: DualWriteEvent[] = [];
      const options = {
        translateSchema,
        secondaryWrites: 'async',
        mirror: queueMirror(producer),
        onEvent: (e: DualWriteEvent) => void events.push(e),
      } as const;
      const app = createDualWriteAdapter(primary, secondary, options);
      try {
        // Nothing is delivered until the end: each write went to a table Postgres did not have yet.
        await migrateAndWrite(app);
        expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]);
        await expectTranslated(primary, postgres.adapter, events);
      } finally {
        await app.close();
        await dispose();
      }
    });
  }

  it('a D1 entry whose writer stopped before translating it: the drain translates it, and without translateSchema stops there', async () => {
    const { primary, dispose } = await openPrimary('d1');
    const secondary = await freshPostgres();
    const mirror = outboxMirror(primary);
    const app = createDualWriteAdapter(primary, secondary, { translateSchema, secondaryWrites: 'async', mirror });
    try {
      await app.batch(MIGRATION.map((sql) => ({ sql })));
      await app.execute("INSERT INTO notes (body) VALUES ('first')");
      // As the writer leaves the entry when it stops between its batch and the translation after it.
      const [entry] = await mirror.peek(1);
      expect(entry!.translations?.map((t) => t.forms?.length)).toEqual([1, 1, 3, 3]);
      const paths = MIGRATION.map((_, i) => `'$.translations[${i}].forms'`).join(', ');
      await primary.execute(`UPDATE _switchyard_outbox SET payload = json_remove(payload, ${paths})`);
      const error = await drainOutbox(secondary, { mirror }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UntranslatedEntryError);
      expect((error as Error).message).toMatch(/pass the same translateSchema .* to drainOutbox/);
      expect(await mirror.peek(10)).toHaveLength(2);
      expect(await postgres.adapter.query("SELECT to_regclass('notes') AS t")).toEqual([{ t: null }]);
      const progress: DrainProgress = await drainOutbox(secondary, { mirror, translateSchema });
      expect(progress.applied).toBe(2);
      expect(await postgres.adapter.query('SELECT id, body FROM notes')).toEqual([{ id: 1, body: 'first' }]);
      expect(await columnOf(postgres.adapter, 'notes', 'id')).toEqual({ type: 'bigint', identity: 'd' });
    } finally {
      await app.close();
      await dispose();
    }
  });
});
