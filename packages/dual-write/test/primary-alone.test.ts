import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createDualWriteAdapter as createAsync } from '../src/index';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach } from './open-side';

/**
 * Statements that write no rows run on the primary alone. A job queue on Postgres takes its next job with `SELECT … FOR UPDATE SKIP LOCKED` in a
 * transaction and marks it done. The locking read writes no rows, but it was replayed on the
 * secondary as a write: a SQLite or D1 secondary refused it (`near "FOR"`), and the job's
 * update waited behind it in the journal. So did a session's settings (`SET`, a SQLite app's
 * `PRAGMA foreign_keys = ON` when it connects), locks, notifications and maintenance, which
 * mean nothing on the secondary's own connections and fail on another engine.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

async function queue(kind: 'postgres' | 'sqlite'): Promise<{ primary: DatabaseAdapter; secondary: DatabaseAdapter }> {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'a', max: 4 });
  await primary.execute('DROP TABLE IF EXISTS jobs');
  await primary.execute('CREATE TABLE jobs (id bigserial PRIMARY KEY, done_by int)');
  const secondary =
    kind === 'sqlite' ? createSQLiteAdapter(':memory:', { name: 'b' }) : createPostgresAdapter(dbs.other.url, { name: 'b', max: 4 });
  if (kind === 'postgres') await secondary.execute('DROP TABLE IF EXISTS jobs');
  await secondary.execute(
    kind === 'sqlite'
      ? 'CREATE TABLE jobs (id INTEGER PRIMARY KEY, done_by INTEGER)'
      : 'CREATE TABLE jobs (id bigint PRIMARY KEY, done_by int)',
  );
  return { primary, secondary };
}

/** A SQLite primary and Postgres, each with an empty `notes` table. */
async function sqliteNotes(): Promise<{ primary: DatabaseAdapter; secondary: DatabaseAdapter }> {
  const primary = createSQLiteAdapter(':memory:', { name: 'a' });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'b' });
  await secondary.execute('DROP TABLE IF EXISTS notes');
  await primary.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  await secondary.execute('CREATE TABLE notes (id bigint PRIMARY KEY, body text)');
  return { primary, secondary };
}

describe('statements that write no rows', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`Postgres -> ${kind}: 3 workers take 12 jobs with FOR UPDATE SKIP LOCKED, each once, nothing journaled`, async () => {
      const { primary, secondary } = await queue(kind);
      const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true, readRouting: { secondaryPercent: 100 } });
      cleanup(() => Promise.all([app.close(), secondary.close()]));
      await app.execute(`INSERT INTO jobs (done_by) SELECT NULL FROM generate_series(1, 12)`);
      const take = 'SELECT id FROM jobs WHERE done_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED';
      await Promise.all(
        [1, 2, 3].map(async (worker) => {
          for (;;) {
            const took = await app.transaction(async (tx) => {
              const [job] = await tx.query<{ id: number }>(take);
              if (!job) return false;
              await tx.execute('UPDATE jobs SET done_by = ? WHERE id = ?', [worker, job.id]);
              return true;
            });
            if (!took) return;
          }
        }),
      );
      // Outside a transaction, with every read routed to the secondary: the primary answers it.
      expect(await app.query('SELECT id FROM jobs WHERE done_by IS NULL FOR SHARE OF jobs')).toEqual([]);
      expect(await app.query(take)).toEqual([]);
      expect(await app.query('WITH open AS (SELECT id FROM jobs WHERE done_by IS NULL) SELECT id FROM open FOR SHARE')).toEqual([]);
      expect(app.getMetadata().replicatedByStatement).toEqual([]);
      expect(app.getMetrics()).toMatchObject({
        journalDepth: 0,
        secondaryFailures: 0,
        verificationFailures: 0,
        replicatedByStatement: 0,
        reads: { primary: 3, secondary: 0 },
      });
      expect(await secondary.query('SELECT count(*) AS n FROM jobs WHERE done_by IS NOT NULL')).toEqual([{ n: 12 }]);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['jobs'] })).ok).toBe(true);
    });
  }

  it("Kysely's forUpdate().skipLocked() in a transaction, and a locking read inside a batch", async () => {
    const { primary, secondary } = await queue('sqlite');
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await app.execute('INSERT INTO jobs (done_by) VALUES (NULL), (NULL)');
    await app.db.transaction().execute(async (trx) => {
      const job = await trx
        .selectFrom('jobs')
        .select('id')
        .where('done_by', 'is', null)
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirstOrThrow();
      await trx.updateTable('jobs').set({ done_by: 7 }).where('id', '=', job.id).execute();
    });
    const [, locked] = await app.batch([
      { sql: 'UPDATE jobs SET done_by = 8 WHERE id = 2' },
      { sql: 'SELECT id, done_by FROM jobs ORDER BY id FOR UPDATE' },
    ]);
    expect(locked!.rows).toEqual([
      { id: 1, done_by: 7 },
      { id: 2, done_by: 8 },
    ]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0, replicatedByStatement: 0 });
    expect(await secondary.query('SELECT id, done_by FROM jobs ORDER BY id')).toEqual([
      { id: 1, done_by: 7 },
      { id: 2, done_by: 8 },
    ]);
  });

  it('Postgres -> SQLite: settings, locks and notifications, in a transaction and out', async () => {
    const { primary, secondary } = await queue('sqlite');
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await app.execute("SET application_name = 'jobs'");
    await app.execute("NOTIFY jobs_added, 'x'");
    await app.transaction(async (tx) => {
      await tx.execute("SET LOCAL statement_timeout = '5s'");
      await tx.execute('SET CONSTRAINTS ALL DEFERRED');
      await tx.execute('LOCK TABLE jobs IN SHARE ROW EXCLUSIVE MODE');
      await tx.execute('INSERT INTO jobs (done_by) VALUES (1)');
      await tx.execute("NOTIFY jobs_added, '1'");
      expect(await tx.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '5s' }]);
    });
    await app.connection(async (session) => {
      await session.execute("SET application_name = 'pinned'");
      expect(await session.query('SHOW application_name')).toEqual([{ application_name: 'pinned' }]);
    });
    await app.execute('ANALYZE jobs');
    await app.execute('INSERT INTO jobs (done_by) VALUES (2)');
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
    expect(await secondary.query('SELECT id, done_by FROM jobs ORDER BY id')).toEqual([
      { id: 1, done_by: 1 },
      { id: 2, done_by: 2 },
    ]);
  });

  it('SQLite -> Postgres: the PRAGMAs an app sends when it connects, and maintenance', async () => {
    const { primary, secondary } = await sqliteNotes();
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true, readRouting: { secondaryPercent: 100 } });
    cleanup(() => Promise.all([app.close(), primary.close(), secondary.close()]));
    for (const pragma of ['PRAGMA foreign_keys = ON', 'PRAGMA busy_timeout = 5000', 'PRAGMA user_version = 3']) await app.execute(pragma);
    await app.execute('INSERT INTO notes (body) VALUES (?)', ['a']);
    await app.execute('VACUUM');
    await app.execute('REINDEX notes');
    await app.execute('INSERT INTO notes (body) VALUES (?)', ['b']);
    // Set on the primary's connection, read from it though reads are routed to the secondary.
    expect(await app.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(await app.query('PRAGMA user_version')).toEqual([{ user_version: 3 }]);
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
    expect(await secondary.query('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'a' },
      { id: 2, body: 'b' },
    ]);
  });

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`Postgres -> ${kind}: an import through a temporary staging table replicates the imported rows only`, async () => {
      const { primary, secondary } = await queue(kind);
      const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      cleanup(() => Promise.all([app.close(), secondary.close()]));
      await app.transaction(async (tx) => {
        await tx.execute('CREATE TEMP TABLE staging (worker int)');
        await tx.execute('INSERT INTO staging (worker) VALUES (1), (2), (3)');
        await tx.execute('UPDATE staging SET worker = worker * 10');
        await tx.execute('INSERT INTO jobs (done_by) SELECT worker FROM staging ORDER BY worker');
        await tx.execute('DROP TABLE staging');
      });
      await app.execute('INSERT INTO jobs (done_by) VALUES (4)');
      expect(app.getMetadata().replicatedByStatement).toEqual([]);
      expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0, verificationFailures: 0 });
      expect(await secondary.query('SELECT id, done_by FROM jobs ORDER BY id')).toEqual([
        { id: 1, done_by: 10 },
        { id: 2, done_by: 20 },
        { id: 3, done_by: 30 },
        { id: 4, done_by: 4 },
      ]);
    });
  }

  it('SQLite -> Postgres: a temporary table on the primary connection, written outside a transaction', async () => {
    const { primary, secondary } = await sqliteNotes();
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => Promise.all([app.close(), primary.close(), secondary.close()]));
    await app.execute('CREATE TEMPORARY TABLE incoming (body TEXT)');
    await app.execute("INSERT INTO incoming (body) VALUES ('x'), ('y')");
    await app.execute("DELETE FROM incoming WHERE body = 'y'");
    await app.execute('INSERT INTO notes (body) SELECT body FROM incoming');
    await app.execute('DROP TABLE incoming');
    await app.execute("INSERT INTO notes (body) VALUES ('after')");
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
    expect(await secondary.query('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'x' },
      { id: 2, body: 'after' },
    ]);
  });

  it('SQLite outbox -> Postgres: a PRAGMA and a staging table leave no entry; the rows written from it drain', async () => {
    const { primary, secondary } = await sqliteNotes();
    const mirror = outboxMirror(primary);
    const app = createAsync(primary, secondary, { secondaryWrites: 'async', mirror });
    cleanup(() => Promise.all([app.close(), primary.close(), secondary.close()]));
    await app.execute('PRAGMA foreign_keys = ON');
    await app.execute('CREATE TEMPORARY TABLE incoming (body TEXT)');
    await app.execute("INSERT INTO incoming (body) VALUES ('x'), ('y')");
    await app.execute('INSERT INTO notes (body) SELECT body FROM incoming');
    await app.transaction(async (tx) => {
      await tx.execute("INSERT INTO incoming (body) VALUES ('z')");
      await tx.execute("INSERT INTO notes (body) SELECT body FROM incoming WHERE body = 'z'");
    });
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 2, aborted: false });
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(await secondary.query('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'x' },
      { id: 2, body: 'y' },
      { id: 3, body: 'z' },
    ]);
  });
});
