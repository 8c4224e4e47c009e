import { describe, expect, it } from 'vitest';
import { Migrator, type Kysely } from 'kysely';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { SecondaryWriteError, type DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases, type TwoDatabases } from './two-databases';
import { cleanupAfterEach, openSide } from './open-side';

/**
 * A transaction that creates a table and fills it: Kysely's `Migrator` runs each migration
 * so. The rows' statements for the secondary are built from its definition of the table,
 * which exists there only once the definitions ran: built together, the secondary's table
 * could not be read, the write was journaled and the app got a `SecondaryWriteError` after
 * the primary committed. Now the definitions go first, then the rows.
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
    await db
      .insertInto('genres')
      .values([
        { id: 1, name: 'rock' },
        { id: 2, name: 'jazz' },
      ])
      .execute();
    await db.schema
      .alterTable('genres')
      .addColumn('rank', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.updateTable('genres').set({ rank: 5 }).where('id', '=', 2).execute();
  },
};

async function pair(from: 'sqlite' | 'postgres', to: 'sqlite' | 'postgres'): Promise<DatabaseAdapter[]> {
  const opened: DatabaseAdapter[] = [];
  const primary = openSide(dbs, from, 'a', opened);
  const secondary = openSide(dbs, to, 'b', opened);
  for (const side of opened)
    if (side.dialect === 'postgres') await side.execute('DROP TABLE IF EXISTS tracks, genres, kysely_migration, kysely_migration_lock');
  return [primary, secondary];
}

const PAIRS = [
  ['sqlite', 'postgres'],
  ['postgres', 'sqlite'],
  ['postgres', 'postgres'],
  ['sqlite', 'sqlite'],
] as const;

describe('a transaction that makes a table and writes its rows', () => {
  for (const [from, to] of PAIRS) {
    it(`${from} -> ${to}: a Kysely migration lands on both sides with the write, nothing journaled`, async () => {
      const [primary, secondary] = await pair(from, to);
      const events: DualWriteEvent[] = [];
      const app = createDualWriteAdapter(primary!, secondary!, { verifyWrites: true, onEvent: (e) => events.push(e) });
      cleanup(() => app.close());
      const migrator = new Migrator({ db: app.db, provider: { getMigrations: async () => ({ '001_genres': migration }) } });
      const { error, results } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      expect(results?.map((r) => r.status)).toEqual(['Success']);
      // And as raw SQL, a table both engines parse.
      await app.transaction(async (tx) => {
        await tx.execute('CREATE TABLE tracks (id integer PRIMARY KEY, genre integer REFERENCES genres (id), title text)');
        await tx.execute("INSERT INTO tracks VALUES (1, 2, 'so what'), (2, 1, 'paranoid')");
      });
      expect(events.filter((e) => e.type === 'secondary-failure' || e.type === 'verification-failed')).toEqual([]);
      expect(app.getMetrics().journalDepth).toBe(0);
      expect(await secondary!.query('SELECT id, name, rank FROM genres ORDER BY id')).toEqual([
        { id: 1, name: 'rock', rank: 0 },
        { id: 2, name: 'jazz', rank: 5 },
      ]);
      expect(await secondary!.query('SELECT id, genre FROM tracks ORDER BY id')).toEqual([
        { id: 1, genre: 2 },
        { id: 2, genre: 1 },
      ]);
      const report = await validateDatabases(primary!, secondary!, { validateAllRows: true, tables: ['genres', 'tracks'] });
      expect(report.ok, JSON.stringify(report.tables)).toBe(true);
    });
  }

  it('definitions the secondary refuses: journaled with the rows after them, the app told; a replay settles both', async () => {
    const [primary, secondary] = await pair('sqlite', 'postgres');
    // The secondary already holds a table of that name, unlike the primary's.
    await secondary!.execute('CREATE TABLE genres (code text PRIMARY KEY)');
    const app = createDualWriteAdapter(primary!, secondary!);
    cleanup(() => app.close());
    const failed = await app
      .transaction(async (tx) => {
        await tx.execute('CREATE TABLE genres (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
        await tx.execute("INSERT INTO genres VALUES (1, 'rock'), (2, 'jazz')");
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SecondaryWriteError);
    expect((failed as Error).message).toMatch(/already exists/);
    const entries = await app.journalEntries();
    expect(entries.map((e) => (e.rows ? 'rows' : 'statements'))).toEqual(['statements', 'rows']);
    await secondary!.execute('DROP TABLE genres');
    await app.replayJournal();
    expect(app.getMetrics().journalDepth).toBe(0);
    expect(await secondary!.query('SELECT id, name FROM genres ORDER BY id')).toEqual([
      { id: 1, name: 'rock' },
      { id: 2, name: 'jazz' },
    ]);
  });
});
