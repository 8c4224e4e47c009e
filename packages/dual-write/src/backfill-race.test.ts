import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { SecondaryWriteError, type DualWriteEvent, type DualWriteOptions } from './index';
import { createDualWriteAdapter } from '../test/patient-dual-write';

const folder = mkdtempSync(join(tmpdir(), 'switchyard-race-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// A backfill reads the primary and writes the secondary on its own. When it reads a row
// the app has just committed on the primary, while the app's write is still on its way
// to the secondary (here: waiting for the secondary's only pooled connection), the
// backfill can insert the row first, and the app's INSERT then meets its own row.
describe('dual write beside a backfill (SQLite file -> Postgres)', () => {
  it("lands the primary's row when the backfill inserted it first, with no conflict", async () => {
    const database = await createTestDatabase();
    const primary = createSQLiteAdapter(join(folder, 'race.db'), { name: 'sqlite' });
    const secondary = createPostgresAdapter(database.url, { name: 'postgres', max: 1 });
    const backfill = createPostgresAdapter(database.url, { name: 'backfill' });
    const events: DualWriteEvent[] = [];
    const adapter = createDualWriteAdapter(primary, secondary, { verifyWrites: true, onEvent: (e) => events.push(e) });
    try {
      await primary.execute('CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, done BOOLEAN NOT NULL)');
      await secondary.execute('CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, done BOOLEAN NOT NULL)');

      const busy = secondary.query('SELECT pg_sleep(0.3)');
      const write = adapter.execute('INSERT INTO notes (id, body, done) VALUES (?, ?, ?)', ['n1', 'hello', true]);
      // The primary has the row now; the backfill copies it before the app's write lands.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [row] = await primary.query<{ id: string; body: string; done: number }>('SELECT * FROM notes');
      await backfill.execute('INSERT INTO notes (id, body, done) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
        row!.id,
        row!.body,
        row!.done === 1,
      ]);
      await busy;

      await expect(write).resolves.toMatchObject({ rowsAffected: 1 });
      expect(await secondary.query('SELECT * FROM notes')).toEqual([{ id: 'n1', body: 'hello', done: true }]);
      const metrics = adapter.getMetrics();
      // The row image is an upsert by key: a row already there is simply overwritten with the primary's.
      expect(metrics).toMatchObject({ secondaryFailures: 0, journalDepth: 0, successfulDualWrites: 1, verificationFailures: 0 });
      expect(events.filter((e) => e.type === 'secondary-conflict')).toHaveLength(0);

      // Later writes to the row go on as usual.
      await adapter.execute('UPDATE notes SET body = ? WHERE id = ?', ['changed', 'n1']);
      expect(await secondary.query('SELECT body FROM notes')).toEqual([{ body: 'changed' }]);
    } finally {
      await adapter.close();
      await backfill.close();
      await database.drop();
    }
  });
});

describe('secondary conflicts on SQLite -> SQLite', () => {
  async function pair(options: DualWriteOptions = {}) {
    const primary = createSQLiteAdapter(':memory:', { name: 'old' });
    const secondary = createSQLiteAdapter(':memory:', { name: 'new' });
    const ddl = 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, visits INTEGER NOT NULL)';
    await primary.execute(ddl);
    await secondary.execute(ddl);
    return { primary, secondary, adapter: createDualWriteAdapter(primary, secondary, options) };
  }

  it('applies every row of a batch as the primary left it, including a relative update and a row the backfill wrote', async () => {
    const { primary, secondary, adapter } = await pair();
    await adapter.execute('INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', [1, 'a@example.com', 5]);
    // The backfill already put user 2 on the secondary.
    await secondary.execute('INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', [2, 'b@example.com', 0]);
    await adapter.batch([
      { sql: 'INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', params: [2, 'b@example.com', 0] },
      { sql: 'UPDATE users SET visits = visits + 1 WHERE id = ?', params: [1] },
      { sql: 'UPDATE users SET visits = visits + 1 WHERE id = ?', params: [2] },
    ]);
    const rows = 'SELECT * FROM users ORDER BY id';
    expect(await secondary.query(rows)).toEqual(await primary.query(rows));
    expect(await secondary.query(rows)).toEqual([
      { id: 1, email: 'a@example.com', visits: 6 },
      { id: 2, email: 'b@example.com', visits: 1 },
    ]);
    expect(adapter.getMetrics()).toMatchObject({ secondaryFailures: 0, successfulDualWrites: 2 });
  });

  it('settles from the primary a row only the secondary holds that takes the unique email (the primary has none: deleted)', async () => {
    const { primary, secondary, adapter } = await pair();
    await secondary.execute('INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', [9, 'taken@example.com', 0]);
    await adapter.execute('INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', [1, 'taken@example.com', 0]);
    expect(await secondary.query('SELECT * FROM users')).toEqual(await primary.query('SELECT * FROM users'));
    expect(adapter.getMetrics()).toMatchObject({ secondaryConflictsResolved: 1, secondaryFailures: 0, journalDepth: 0 });
  });

  it('journals that conflict instead with takePrimaryOnConflict: false', async () => {
    const { secondary, adapter } = await pair({ takePrimaryOnConflict: false });
    await secondary.execute('INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', [9, 'taken@example.com', 0]);
    const write = adapter.execute('INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', [1, 'taken@example.com', 0]);
    await expect(write).rejects.toThrow(SecondaryWriteError);
    await expect(write).rejects.toThrow(/UNIQUE constraint failed: users.email/);
    expect(adapter.getMetrics()).toMatchObject({ secondaryConflictsResolved: 0, secondaryFailures: 1, journalDepth: 1 });
  });

  it('settles a row the secondary holds under another key only from the primary, else journals it', async () => {
    const { primary, secondary, adapter } = await pair({ continueOnSecondaryFailure: true });
    // INSERT … SELECT names no rows in its text; its captured row still lands by key.
    await secondary.execute('INSERT INTO users (id, email, visits) VALUES (?, ?, ?)', [1, 'a@example.com', 0]);
    await adapter.execute("INSERT INTO users (id, email, visits) SELECT 1, 'a@example.com', 3");
    expect(await secondary.query('SELECT * FROM users')).toEqual(await primary.query('SELECT * FROM users'));
    expect(adapter.getMetrics()).toMatchObject({ secondaryFailures: 0, journalDepth: 0 });
  });
});
