import { describe, expect, it } from 'vitest';
import { Migrator, type Kysely } from 'kysely';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { validateDatabases } from '@switchyard/validation';
import type { DualWriteEvent } from '../src/index';
import { createMirrorConsumer, drainOutbox, outboxMirror, queueMirror } from '../src/mirror/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases, type TwoDatabases } from './two-databases';
import { cleanupAfterEach, openSide, withD1Primary } from './open-side';
import { collectingQueue } from './queue-delivery';

/**
 * A write that changes tables and then writes rows of them (a migration that creates a
 * table and fills it, or adds a column and sets it), with the secondary written through an
 * outbox or a queue, and as one batch on the synchronous path. The drain and the consumer
 * build an operation's rows for the secondary's tables before they apply its statements:
 * the rows of a table the same operation created stopped the drain for good (and a queue
 * message was retried until dead-lettered). A batch's capture was planned for the table as
 * it was before the batch, so the value of a column it added was left out of the rows, on
 * every mode, without a word. On a Postgres primary with a queue, a row read kept prepared
 * from before the change failed the app's transaction (`cached plan must not change result type`).
 */
const dbs: TwoDatabases = twoTestDatabases();
const cleanup = cleanupAfterEach();

const migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('genres')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
    await db.insertInto('genres').values({ id: 1, name: 'rock' }).execute();
  },
};

/** The app's writes: Kysely's Migrator, a transaction and a batch that each change a table and then write to it. */
async function migrateAndWrite(app: DatabaseAdapter & { db: Kysely<any> }): Promise<void> {
  const migrator = new Migrator({ db: app.db, provider: { getMigrations: async () => ({ '001_genres': migration }) } });
  const { error } = await migrator.migrateToLatest();
  expect(error).toBeUndefined();
  await app.execute("INSERT INTO genres VALUES (2, 'jazz')");
  await app.transaction(async (tx) => {
    await tx.execute('ALTER TABLE genres ADD COLUMN rank integer');
    await tx.execute('UPDATE genres SET rank = 5 WHERE id = 1');
    await tx.execute('CREATE TABLE tracks (id integer PRIMARY KEY, genre integer REFERENCES genres (id), title text)');
    await tx.execute("INSERT INTO tracks VALUES (1, 1, 'so what')");
  });
  await app.batch([
    { sql: 'ALTER TABLE genres ADD COLUMN plays integer' },
    { sql: 'UPDATE genres SET plays = 7 WHERE id = 2' },
    { sql: "INSERT INTO tracks VALUES (2, 2, 'paranoid')" },
  ]);
}

async function expectBothSides(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  expect(await secondary.query('SELECT id, name, rank, plays FROM genres ORDER BY id')).toEqual([
    { id: 1, name: 'rock', rank: 5, plays: null },
    { id: 2, name: 'jazz', rank: null, plays: 7 },
  ]);
  expect(await secondary.query('SELECT id, genre FROM tracks ORDER BY id')).toEqual([
    { id: 1, genre: 1 },
    { id: 2, genre: 2 },
  ]);
  const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['genres', 'tracks'] });
  expect(report.ok, JSON.stringify(report.tables)).toBe(true);
}

const clean = (side: DatabaseAdapter) =>
  side.execute(
    'DROP TABLE IF EXISTS tracks, genres, kysely_migration, kysely_migration_lock, _switchyard_outbox, _switchyard_applied_ops, _switchyard_row_versions',
  );

async function pair(from: 'sqlite' | 'postgres', to: 'sqlite' | 'postgres'): Promise<DatabaseAdapter[]> {
  const opened: DatabaseAdapter[] = [];
  const primary = openSide(dbs, from, 'a', opened);
  const secondary = openSide(dbs, to, 'b', opened);
  for (const side of opened) if (side.dialect === 'postgres') await clean(side);
  return [primary, secondary];
}

/** The adapter of `mode` over the pair, and what brings the secondary up to date (nothing when synchronous). */
function dualWrite(primary: DatabaseAdapter, secondary: DatabaseAdapter, mode: 'sync' | 'outbox' | 'queue') {
  const events: DualWriteEvent[] = [];
  const onEvent = (e: DualWriteEvent) => void (e.type === 'secondary-failure' || e.type === 'verification-failed' ? events.push(e) : 0);
  const outbox = outboxMirror(primary);
  const { producer, deliver } = collectingQueue();
  const mirror = mode === 'outbox' ? outbox : queueMirror(producer);
  const app = createDualWriteAdapter(primary, secondary, {
    onEvent,
    ...(mode === 'sync' ? { verifyWrites: true } : { secondaryWrites: 'async', mirror }),
  });
  cleanup(() => app.close());
  const caughtUp = async () => {
    if (mode === 'outbox') await drainOutbox(secondary, { mirror: outbox });
    if (mode === 'queue') expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]);
    expect(events).toEqual([]);
    expect(app.getMetrics().journalDepth).toBe(0);
  };
  return { app, caughtUp };
}

const PAIRS = [
  ['sqlite', 'postgres'],
  ['postgres', 'sqlite'],
  ['postgres', 'postgres'],
  ['sqlite', 'sqlite'],
] as const;

describe('definitions and the rows after them, through a mirror and in a batch', () => {
  for (const [from, to] of PAIRS) {
    for (const mode of ['outbox', 'queue', 'sync'] as const) {
      it(`${from} -> ${to} (${mode}): the rows of a changed or new table land with the change`, async () => {
        const [primary, secondary] = await pair(from, to);
        const { app, caughtUp } = dualWrite(primary!, secondary!, mode);
        await migrateAndWrite(app);
        await caughtUp();
        await expectBothSides(primary!, secondary!);
      });
    }
  }

  for (const mode of ['outbox', 'queue', 'sync'] as const) {
    it(`d1 -> postgres (${mode}): a batch's writes to a table it alters go as statements, in the batch's order`, () =>
      withD1Primary(async (primary) => {
        const secondary = createPostgresAdapter(dbs.other.url, { name: 'b' });
        await clean(secondary);
        const { app, caughtUp } = dualWrite(primary, secondary, mode);
        await app.batch([
          { sql: 'CREATE TABLE genres (id integer PRIMARY KEY, name text NOT NULL)' },
          { sql: "INSERT INTO genres VALUES (1, 'rock'), (2, 'jazz')" },
          { sql: 'CREATE TABLE tracks (id integer PRIMARY KEY, genre integer REFERENCES genres (id), title text)' },
        ]);
        await app.execute("INSERT INTO tracks VALUES (1, 1, 'so what')");
        await app.batch([
          { sql: "INSERT INTO genres VALUES (3, 'punk')" },
          { sql: 'ALTER TABLE genres ADD COLUMN rank integer' },
          { sql: 'UPDATE genres SET rank = 5 WHERE id IN (1, 3)' },
          { sql: 'ALTER TABLE genres ADD COLUMN plays integer' },
          { sql: 'UPDATE genres SET plays = 7 WHERE id = 2' },
          { sql: "INSERT INTO tracks VALUES (2, 2, 'paranoid')" },
          // Keys left to D1: the secondary gets the ones D1 gave, not its own.
          { sql: "INSERT INTO genres (name) VALUES ('blues'), ('soul')" },
          { sql: "INSERT INTO genres (name, rank) VALUES ('folk', ?)", params: [2] },
        ]);
        await caughtUp();
        // Written before the column was added and set after it, in the same batch.
        expect(await secondary.query('SELECT rank FROM genres WHERE id = 3')).toEqual([{ rank: 5 }]);
        const added = 'SELECT id, name, rank FROM genres WHERE id > 3 ORDER BY id';
        expect(await secondary.query(added)).toEqual(await primary.query(added));
        expect((await secondary.query<{ name: string }>(added)).map((r) => r.name)).toEqual(['blues', 'soul', 'folk']);
        await app.execute('DELETE FROM genres WHERE id >= 3');
        await caughtUp();
        await expectBothSides(primary, secondary);
      }));
  }
});
