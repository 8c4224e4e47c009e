import { expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach } from './open-side';

/**
 * SQLite and D1 have no `TRUNCATE`: a Postgres app's `TRUNCATE jobs RESTART IDENTITY`,
 * replayed there as written, failed and held every later write back in the journal. One
 * table's `TRUNCATE` reaches them as `DELETE FROM` it.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

it('Postgres -> SQLite: TRUNCATE … RESTART IDENTITY empties the table, and the ids the primary then gives again arrive', async () => {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'a' });
  const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
  await primary.execute('CREATE TABLE jobs (id bigserial PRIMARY KEY, name text NOT NULL)');
  await secondary.execute('CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
  cleanup(() => Promise.all([app.close(), secondary.close()]));
  await app.execute("INSERT INTO jobs (name) VALUES ('a'), ('b'), ('c')");
  await app.execute('TRUNCATE TABLE public.jobs RESTART IDENTITY');
  await app.execute("INSERT INTO jobs (name) VALUES ('d')");
  expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0 });
  expect(await secondary.query('SELECT id, name FROM jobs')).toEqual([{ id: 1, name: 'd' }]);
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['jobs'] })).ok).toBe(true);
});
