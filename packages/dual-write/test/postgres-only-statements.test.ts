import { describe, expect, it } from 'vitest';
import { UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createDualWriteAdapter as createAsync } from '../src/index';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach } from './open-side';

/**
 * Postgres statements a SQLite or D1 secondary has nothing to act on, or words differently.
 * A Postgres app's maintenance and migrations (`REFRESH MATERIALIZED VIEW`, `COMMENT ON`,
 * `GRANT`, `CREATE INDEX CONCURRENTLY`), replayed on a SQLite secondary as written, failed
 * there after the primary ran them (`near "REFRESH": syntax error`), and every later write
 * waited behind them in the journal. Procedural code SQLite cannot run, and `EXPLAIN
 * ANALYZE` of a write (which Postgres runs), are refused before anything is written.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

/** Postgres `jobs` with a materialized view over it, and SQLite `jobs` with that view as a plain view (as `translateSchema` makes it). */
async function jobs(): Promise<{ primary: DatabaseAdapter; secondary: DatabaseAdapter }> {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'a', max: 2 });
  await primary.execute('DROP TABLE IF EXISTS jobs CASCADE');
  await primary.execute('CREATE TABLE jobs (id bigserial PRIMARY KEY, name text NOT NULL)');
  await primary.execute('CREATE MATERIALIZED VIEW job_count AS SELECT count(*) AS n FROM jobs');
  const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
  await secondary.execute('CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  await secondary.execute('CREATE VIEW job_count AS SELECT count(*) AS n FROM jobs');
  return { primary, secondary };
}

describe('Postgres -> SQLite', () => {
  it("maintenance and migrations: what SQLite has nothing to act on runs on the primary alone; an index or view in SQLite's words", async () => {
    const { primary, secondary } = await jobs();
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await app.execute("INSERT INTO jobs (name) VALUES ('a'), ('b')");
    for (const sql of [
      'REFRESH MATERIALIZED VIEW job_count',
      "COMMENT ON TABLE jobs IS 'what workers take'",
      'COMMENT ON COLUMN jobs.name IS NULL',
      'GRANT SELECT ON jobs TO PUBLIC',
      'REVOKE SELECT ON jobs FROM PUBLIC',
      'ALTER TABLE jobs OWNER TO CURRENT_USER',
      'CREATE EXTENSION IF NOT EXISTS plpgsql',
      'ALTER TABLE jobs ENABLE ROW LEVEL SECURITY',
      'CREATE POLICY everyone ON jobs USING (true)',
      'DROP POLICY everyone ON jobs',
      'ALTER TABLE jobs DISABLE ROW LEVEL SECURITY',
      '/* migration 12 */ CREATE INDEX CONCURRENTLY jobs_name ON jobs USING btree (name)',
      'CREATE MATERIALIZED VIEW long_names AS SELECT id FROM jobs WHERE length(name) > 3 WITH NO DATA',
    ])
      await app.execute(sql);
    await app.execute("INSERT INTO jobs (name) VALUES ('longer')");
    await app.execute('REFRESH MATERIALIZED VIEW long_names');
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
    expect(await primary.query('SELECT n::int AS n FROM job_count')).toEqual([{ n: 2 }]);
    expect(await secondary.query('SELECT n FROM job_count')).toEqual([{ n: 3 }]);
    expect(await secondary.query("SELECT type, name FROM sqlite_master WHERE name IN ('jobs_name', 'long_names') ORDER BY name")).toEqual([
      { type: 'index', name: 'jobs_name' },
      { type: 'view', name: 'long_names' },
    ]);
    expect(await secondary.query('SELECT id FROM long_names')).toEqual([{ id: 3 }]);
    await app.execute('DROP INDEX CONCURRENTLY jobs_name');
    await app.execute('DROP MATERIALIZED VIEW long_names');
    expect(await secondary.query("SELECT name FROM sqlite_master WHERE name IN ('jobs_name', 'long_names')")).toEqual([]);
    expect(app.getMetadata().replicatedByStatement.map((s) => s.sql)).not.toContain('REFRESH MATERIALIZED VIEW job_count');
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['jobs'] })).ok).toBe(true);
  });

  it('in a transaction and through an outbox', async () => {
    const { primary, secondary } = await jobs();
    const mirror = outboxMirror(primary);
    const app = createAsync(primary, secondary, { secondaryWrites: 'async', mirror });
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await app.transaction(async (tx) => {
      await tx.execute("INSERT INTO jobs (name) VALUES ('a')");
      await tx.execute('REFRESH MATERIALIZED VIEW job_count');
      await tx.execute("COMMENT ON TABLE jobs IS 'x'");
    });
    await app.execute('GRANT SELECT ON job_count TO PUBLIC');
    await app.execute("INSERT INTO jobs (name) VALUES ('b')");
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 2, aborted: false });
    expect(await secondary.query('SELECT id, name FROM jobs ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    const sync = createDualWriteAdapter(primary, secondary);
    cleanup(() => sync.close());
    await sync.transaction(async (tx) => {
      await tx.execute('REFRESH MATERIALIZED VIEW job_count');
      await tx.execute("INSERT INTO jobs (name) VALUES ('c')");
    });
    expect(sync.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
    expect(await secondary.query('SELECT n FROM job_count')).toEqual([{ n: 3 }]);
  });

  it('procedural code and statements prepared by name are refused before anything is written', async () => {
    const { primary, secondary } = await jobs();
    const app = createDualWriteAdapter(primary, secondary);
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    for (const sql of [
      "DO $$ BEGIN INSERT INTO jobs (name) VALUES ('x'); END $$",
      'PREPARE add_job (text) AS INSERT INTO jobs (name) VALUES ($1)',
      "EXECUTE add_job('x')",
    ]) {
      await expect(app.execute(sql)).rejects.toThrow(UnsupportedError);
      await expect(app.execute(sql)).rejects.toThrow(/Nothing was written/);
    }
    await expect(app.transaction((tx) => tx.execute("DO $$ BEGIN INSERT INTO jobs (name) VALUES ('x'); END $$"))).rejects.toThrow(
      /"DO" is Postgres's alone: b \(sqlite, the secondary\) cannot run it/,
    );
    expect(await primary.query('SELECT count(*)::int AS n FROM jobs')).toEqual([{ n: 0 }]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
  });

  it('a schema change the SQLite secondary cannot parse is refused before the primary runs it', async () => {
    const { primary, secondary } = await jobs();
    await primary.execute('DROP TYPE IF EXISTS mood');
    const app = createDualWriteAdapter(primary, secondary);
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    for (const sql of [
      "ALTER TABLE jobs ADD COLUMN meta jsonb DEFAULT '{}'::jsonb",
      'ALTER TABLE jobs ADD COLUMN at timestamptz DEFAULT now()',
      'ALTER TABLE jobs ADD COLUMN code text UNIQUE',
      "CREATE TYPE mood AS ENUM ('ok', 'sad')",
      'TRUNCATE jobs, job_log',
    ])
      await expect(app.execute(sql)).rejects.toThrow(/b \(sqlite, the secondary\) cannot run this schema change: .*Nothing was written/);
    await expect(app.transaction((tx) => tx.execute("CREATE TYPE mood AS ENUM ('ok')"))).rejects.toThrow(UnsupportedError);
    expect(await primary.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs' ORDER BY 1")).toEqual([
      { column_name: 'id' },
      { column_name: 'name' },
    ]);
    expect(await primary.query("SELECT typname FROM pg_type WHERE typname = 'mood'")).toEqual([]);
    // What SQLite parses runs on both, a table a later statement of the batch creates among it.
    await app.execute("ALTER TABLE jobs ADD COLUMN at text DEFAULT 'now'");
    await app.batch([
      { sql: 'CREATE TABLE job_log (id bigint PRIMARY KEY, job_id bigint)' },
      { sql: 'CREATE INDEX job_log_job ON job_log (job_id)' },
    ]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
    expect(await secondary.query("SELECT name FROM sqlite_master WHERE name LIKE 'job_log%' ORDER BY name")).toEqual([
      { name: 'job_log' },
      { name: 'job_log_job' },
    ]);
    await app.execute('DROP TABLE job_log');
  });
});

it('Postgres -> D1: D1 compiles a schema change under EXPLAIN, and refuses before the primary runs it what it cannot parse', async () => {
  const d1 = await createTestD1();
  const primary = createPostgresAdapter(dbs.database.url, { name: 'a', max: 2 });
  const secondary = createD1Adapter(d1.binding, { name: 'b' });
  await primary.execute('DROP TABLE IF EXISTS jobs CASCADE');
  await primary.execute('CREATE TABLE jobs (id bigserial PRIMARY KEY, name text NOT NULL)');
  await secondary.execute('CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  const app = createDualWriteAdapter(primary, secondary);
  cleanup(() => Promise.all([app.close(), secondary.close(), d1.dispose()]));
  for (const sql of [
    "ALTER TABLE jobs ADD COLUMN meta jsonb DEFAULT '{}'::jsonb",
    'TRUNCATE jobs, other',
    "CREATE TYPE mood AS ENUM ('ok')",
  ])
    await expect(app.execute(sql)).rejects.toThrow(/b \(d1, the secondary\) cannot run this schema change: .*Nothing was written/);
  expect(
    await primary.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs' AND column_name = 'meta'"),
  ).toEqual([]);
  await app.execute('ALTER TABLE jobs ADD COLUMN note text');
  await app.execute("INSERT INTO jobs (name, note) VALUES ('a', 'n')");
  expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
  expect(await secondary.query('SELECT id, name, note FROM jobs')).toEqual([{ id: 1, name: 'a', note: 'n' }]);
});

describe('SELECT … INTO, which creates a table', () => {
  it.each(['sqlite', 'postgres'] as const)(
    'Postgres -> %s, with every read routed to the secondary: the table on both sides',
    async (kind) => {
      const { primary, secondary: sqlite } = await jobs();
      const secondary = kind === 'sqlite' ? sqlite : createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
      if (kind === 'postgres') {
        await secondary.execute('DROP TABLE IF EXISTS jobs CASCADE; DROP TABLE IF EXISTS early_jobs; DROP TABLE IF EXISTS late_jobs');
        await secondary.execute('CREATE TABLE jobs (id bigint PRIMARY KEY, name text NOT NULL)');
      }
      await primary.execute('DROP TABLE IF EXISTS early_jobs; DROP TABLE IF EXISTS late_jobs');
      const app = createDualWriteAdapter(primary, secondary, { readRouting: { secondaryPercent: 100 } });
      cleanup(() => Promise.all([app.close(), sqlite.close(), secondary.close()]));
      await app.execute("INSERT INTO jobs (name) VALUES ('a'), ('b'), ('c')");
      await app.execute('SELECT id, name INTO early_jobs FROM jobs WHERE id <= 2');
      await app.execute('SELECT * INTO TEMP scratch FROM jobs');
      // After a WITH list too (it was a read, answered by the secondary alone).
      await app.execute('WITH late AS (SELECT * FROM jobs WHERE id > 2) SELECT id, name INTO late_jobs FROM late');
      await app.execute('WITH s AS (SELECT 1 AS n) SELECT n INTO TEMP scratch_n FROM s');
      for (const side of [primary, secondary]) expect(await side.query('SELECT id FROM late_jobs')).toEqual([{ id: 3 }]);
      await app.execute('DROP TABLE late_jobs');
      expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
      for (const side of [primary, secondary]) expect(await side.query('SELECT id, name FROM early_jobs ORDER BY id')).toHaveLength(2);
      const report = await validateDatabases(primary, secondary, {
        validateAllRows: true,
        tables: ['early_jobs'],
        keyColumns: { early_jobs: ['id'] },
      });
      expect(report.ok).toBe(true);
      await app.execute('DROP TABLE early_jobs');
    },
  );
});

describe('EXPLAIN ANALYZE of a write', () => {
  it('is refused on any pair; a plain EXPLAIN is a read', async () => {
    const primary = createPostgresAdapter(dbs.database.url, { name: 'a', max: 2 });
    const secondary = createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
    for (const side of [primary, secondary]) {
      await side.execute('DROP TABLE IF EXISTS jobs CASCADE');
      await side.execute('CREATE TABLE jobs (id bigserial PRIMARY KEY, name text NOT NULL)');
    }
    const app = createDualWriteAdapter(primary, secondary);
    cleanup(() => Promise.all([app.close(), secondary.close()]));
    await expect(app.execute("EXPLAIN ANALYZE INSERT INTO jobs (name) VALUES ('x')")).rejects.toThrow(/runs the statement it explains/);
    await expect(app.query("EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO jobs (name) VALUES ('x')")).rejects.toThrow(UnsupportedError);
    await expect(app.batch([{ sql: 'EXPLAIN ANALYZE DELETE FROM jobs' }])).rejects.toThrow(UnsupportedError);
    expect(await app.query("EXPLAIN INSERT INTO jobs (name) VALUES ('x')")).not.toEqual([]);
    expect(await app.query('EXPLAIN ANALYZE SELECT * FROM jobs')).not.toEqual([]);
    // Between two Postgres databases procedural code is replayed, as before.
    await app.execute('DO $$ BEGIN PERFORM 1; END $$');
    expect(await primary.query('SELECT count(*)::int AS n FROM jobs')).toEqual([{ n: 0 }]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
  });
});

it('SQLite -> Postgres: a schema change the Postgres secondary cannot parse is refused before the primary runs it', async () => {
  const primary = createSQLiteAdapter(':memory:', { name: 'a' });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
  await secondary.execute('DROP TABLE IF EXISTS tags; DROP VIEW IF EXISTS tag_names');
  const app = createDualWriteAdapter(primary, secondary);
  cleanup(() => Promise.all([app.close(), primary.close(), secondary.close()]));
  for (const sql of [
    'CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)',
    'CREATE TABLE `tags` (`id` integer PRIMARY KEY NOT NULL, `name` text NOT NULL)',
    'CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT) WITHOUT ROWID',
  ])
    await expect(app.execute(sql)).rejects.toThrow(
      /b \(postgres, the secondary\) cannot run this schema change: syntax error at or near .*Nothing was written/,
    );
  await expect(
    app.transaction(async (tx) => {
      await tx.execute('CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT)');
      await tx.execute('CREATE VIEW IF NOT EXISTS tag_names AS SELECT name FROM tags');
    }),
  ).rejects.toThrow(UnsupportedError);
  expect(await primary.query("SELECT name FROM sqlite_master WHERE name IN ('tags', 'tag_names')")).toEqual([]);
  // A form both engines take runs on both; a table a later statement creates is not asked for.
  await app.batch([
    { sql: 'CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT)' },
    { sql: 'CREATE VIEW tag_names AS SELECT name FROM tags' },
  ]);
  await app.execute("INSERT INTO tags (name) VALUES ('x')");
  expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
  expect(await secondary.query('SELECT name FROM tag_names')).toEqual([{ name: 'x' }]);
});

it('SQLite -> Postgres: a new table, view or column whose types, functions or defaults the up-to-date secondary refuses is refused too', async () => {
  const primary = createSQLiteAdapter(':memory:', { name: 'a' });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
  await secondary.execute('DROP TABLE IF EXISTS notes CASCADE; DROP VIEW IF EXISTS note_list');
  const app = createDualWriteAdapter(primary, secondary);
  cleanup(() => Promise.all([app.close(), primary.close(), secondary.close()]));
  await expect(
    app.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, at DATETIME DEFAULT CURRENT_TIMESTAMP)'),
  ).rejects.toThrow(/b \(postgres, the secondary\) cannot run this schema change: type "datetime" does not exist/);
  await app.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)');
  await expect(app.execute('ALTER TABLE notes ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT 0')).rejects.toThrow(/is of type boolean/);
  await expect(app.execute('CREATE VIEW note_list AS SELECT group_concat(body) AS bodies FROM notes')).rejects.toThrow(
    /function group_concat\(text\) does not exist/,
  );
  expect(await primary.query("SELECT name FROM pragma_table_info('notes') WHERE name = 'pinned'")).toEqual([]);
  await app.execute('ALTER TABLE notes ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT false');
  await app.execute("INSERT INTO notes (body) VALUES ('x')");
  expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
  expect(await secondary.query('SELECT id, body, pinned FROM notes')).toEqual([{ id: 1, body: 'x', pinned: false }]);
  // Through an outbox the secondary may lag behind: what parses is not run there to be asked.
  const mirror = outboxMirror(primary);
  const later = createAsync(primary, secondary, { secondaryWrites: 'async', mirror });
  cleanup(() => later.close());
  await later.execute('CREATE TABLE later (id INTEGER PRIMARY KEY, at DATETIME)');
  await expect(later.execute('CREATE TABLE later2 (id INTEGER PRIMARY KEY AUTOINCREMENT)')).rejects.toThrow(/syntax error/);
});

it('SQLite -> Postgres: ATTACH and DETACH are the primary connection’s own', async () => {
  const primary = createSQLiteAdapter(':memory:', { name: 'a' });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
  await secondary.execute('DROP TABLE IF EXISTS notes');
  await primary.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  await secondary.execute('CREATE TABLE notes (id bigint PRIMARY KEY, body text)');
  const app = createDualWriteAdapter(primary, secondary);
  cleanup(() => Promise.all([app.close(), primary.close(), secondary.close()]));
  await app.execute("ATTACH DATABASE ':memory:' AS scratch");
  await app.execute("INSERT INTO notes (body) VALUES ('x')");
  await app.execute('DETACH DATABASE scratch');
  expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
  expect(await secondary.query('SELECT id, body FROM notes')).toEqual([{ id: 1, body: 'x' }]);
});
