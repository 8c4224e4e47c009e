import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { MIRROR_ERRORS_TABLE } from '../src/mirror/mirror-schema';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { cleanupAfterEach, primaryAndFreshPostgres } from './open-side';

// An outbox entry the secondary refused (a value it cannot hold, a CHECK only it has) held
// the drain for good: fixing the row on the primary wrote a newer entry behind the refused
// one, which still carried the old value. An entry that holds rows is now settled from the
// primary's current rows, as the sync journal settles its entries; one that holds the
// app's statements is kept, since its effect cannot be re-read.
const cleanup = cleanupAfterEach();

const outboxDepth = async (primary: DatabaseAdapter) =>
  Number((await primary.first<{ n: number | string }>('SELECT count(*) AS n FROM _switchyard_outbox'))?.n);

function asyncDualWrite(primary: DatabaseAdapter, secondary: DatabaseAdapter) {
  const mirror = outboxMirror(primary);
  const app = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
  cleanup(() => app.close());
  return { app, mirror };
}

/** A Postgres primary with `primaryTable`, an in-memory SQLite secondary with `secondaryTable`, and an outbox dual write. */
async function postgresToSqlite(primaryTable: string, secondaryTable: string) {
  const database = await createTestDatabase();
  const primary = createPostgresAdapter(database.url, { name: 'a', max: 2 });
  const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
  cleanup(async () => {
    await Promise.all([primary.close(), secondary.close()]);
    await database.drop();
  });
  await primary.execute(primaryTable);
  await secondary.execute(secondaryTable);
  return { primary, secondary, ...asyncDualWrite(primary, secondary) };
}

describe('an outbox entry the secondary refuses', () => {
  it.each(['sqlite', 'd1'] as const)(
    "%s -> Postgres: the word 'now' holds the drain until the row is fixed on the primary, then settles from it",
    async (kind) => {
      const { primary, secondary } = await primaryAndFreshPostgres(kind, cleanup);
      await primary.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME DEFAULT 'now', note TEXT)");
      await secondary.execute('CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, note text)');
      const { app, mirror } = asyncDualWrite(primary, secondary);
      await app.execute("INSERT INTO events (id, at, note) VALUES (1, '2024-05-06 07:08:09', 'first')");
      await app.execute("INSERT INTO events (id, note) VALUES (2, 'by default')");
      await app.execute("INSERT INTO events (id, at, note) VALUES (3, '2024-05-06 07:08:11', 'after')");
      await expect(drainOutbox(secondary, { mirror })).rejects.toThrow(/the text "now" is the word 'now'/);
      // The primary's row still holds the word: re-reading it settles nothing.
      await expect(drainOutbox(secondary, { mirror })).rejects.toThrow(/the text "now" is the word 'now'/);
      expect(await secondary.query('SELECT id FROM events ORDER BY id')).toEqual([{ id: 1 }]);
      expect(await outboxDepth(primary)).toBe(2);

      await app.execute("UPDATE events SET at = '2024-05-06 07:08:10' WHERE id = 2");
      const progress = await drainOutbox(secondary, { mirror });
      expect(progress).toMatchObject({ settled: 1 });
      expect(mirror.getMetrics()).toMatchObject({ settled: 1 });
      expect(await outboxDepth(primary)).toBe(0);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['events'] })).ok).toBe(true);
      const [record] = await secondary.query<{ kind: string; error: string }>(`SELECT kind, error FROM ${MIRROR_ERRORS_TABLE}`);
      expect(record).toMatchObject({ kind: 'settled' });
      expect(record!.error).toMatch(/events \["2"\].*the word 'now'.*re-read from the primary/);
    },
  );

  it('Postgres -> SQLite: a CHECK only the secondary has refuses a row; fixed on the primary (or deleted), the drain settles it', async () => {
    const { primary, secondary, app, mirror } = await postgresToSqlite(
      'CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)',
      'CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL CHECK (qty >= 0))',
    );
    await app.execute('INSERT INTO items VALUES (1, 5), (2, 6), (3, 7)');
    await app.execute('UPDATE items SET qty = qty - 10 WHERE id IN (1, 2)');
    await app.execute('UPDATE items SET qty = qty + 1 WHERE id = 3');
    await expect(drainOutbox(secondary, { mirror })).rejects.toThrow(/CHECK constraint failed/);
    expect(await secondary.query('SELECT id, qty FROM items ORDER BY id')).toEqual([
      { id: 1, qty: 5 },
      { id: 2, qty: 6 },
      { id: 3, qty: 7 },
    ]);
    // Fixed outside the app, as an operator would: no entry of its own follows.
    await primary.execute('UPDATE items SET qty = 0 WHERE id = 1');
    await primary.execute('DELETE FROM items WHERE id = 2');
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ settled: 1, applied: 1 });
    expect(await secondary.query('SELECT id, qty FROM items ORDER BY id')).toEqual([
      { id: 1, qty: 0 },
      { id: 3, qty: 8 },
    ]);
    expect(await outboxDepth(primary)).toBe(0);
  });

  it('an entry that holds the statement (a table without a key) is kept: its effect cannot be re-read', async () => {
    const { primary, secondary, app, mirror } = await postgresToSqlite(
      'CREATE TABLE notes (body text)',
      'CREATE TABLE notes (body TEXT CHECK (length(body) < 6))',
    );
    await app.execute("INSERT INTO notes VALUES ('too long')");
    await primary.execute("UPDATE notes SET body = 'ok'");
    await expect(drainOutbox(secondary, { mirror })).rejects.toThrow(/CHECK constraint failed/);
    expect(await outboxDepth(primary)).toBe(1);
    expect(mirror.getMetrics()).toMatchObject({ settled: 0 });
  });
});
