import { expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach } from './open-side';

/**
 * A read that calls a function of the app's that writes (`SELECT create_job(?)`), with reads
 * routed to a Postgres secondary or shadowed there, ran the function on the secondary: the
 * row was written there alone, and the app's next read of the primary did not find it.
 * Such a read runs on the primary alone; a function that only reads is still routed.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

const SCHEMA = [
  'DROP TABLE IF EXISTS jobs CASCADE',
  'CREATE TABLE jobs (id bigserial PRIMARY KEY, name text NOT NULL)',
  `CREATE OR REPLACE FUNCTION create_job(n text) RETURNS bigint LANGUAGE sql AS 'INSERT INTO jobs (name) VALUES (n) RETURNING id'`,
  `CREATE OR REPLACE FUNCTION job_total() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM jobs'`,
];

async function pair() {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'a', max: 2 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'b', max: 2 });
  for (const side of [primary, secondary]) for (const sql of SCHEMA) await side.execute(sql);
  await secondary.execute('DROP FUNCTION IF EXISTS "Late_Job"(text)');
  await primary.execute('DROP FUNCTION IF EXISTS "Late_Job"(text)');
  cleanup(() => Promise.all([primary.close(), secondary.close()]));
  return { primary, secondary };
}

const count = async (side: { first: (sql: string) => Promise<unknown> }) =>
  ((await side.first('SELECT count(*)::int AS n FROM jobs')) as { n: number }).n;

it('routed reads: a call of a writing function runs on the primary alone; a STABLE one is routed', async () => {
  const { primary, secondary } = await pair();
  const app = createDualWriteAdapter(primary, secondary, { readRouting: { secondaryPercent: 100 } });
  cleanup(() => app.close());
  const [made] = await app.query<{ id: number }>('SELECT create_job(?) AS id', ['routed']);
  expect(made).toEqual({ id: 1 });
  expect([await count(primary), await count(secondary)]).toEqual([1, 0]);
  expect(app.getMetrics()).toMatchObject({ reads: { primary: 1, secondary: 0 } });
  await app.query('SELECT job_total() AS n');
  expect(app.getMetrics()).toMatchObject({ reads: { primary: 1, secondary: 1 } });

  // A function made through the adapter after the first read is known at the next one.
  await app.execute(`CREATE FUNCTION "Late_Job"(n text) RETURNS void LANGUAGE sql AS 'INSERT INTO jobs (name) VALUES (n)'`);
  await app.query('SELECT "Late_Job"(?)', ['late']);
  expect([await count(primary), await count(secondary)]).toEqual([2, 0]);
});

it('shadowed reads: a call of a writing function is not run on the secondary', async () => {
  const { primary, secondary } = await pair();
  const app = createDualWriteAdapter(primary, secondary, { shadowReads: { sampleRate: 1 } });
  cleanup(() => app.close());
  await app.query('SELECT public.create_job(?)', ['shadowed']);
  expect([await count(primary), await count(secondary)]).toEqual([1, 0]);
  await app.query('SELECT job_total()');
  expect(app.getMetrics()).toMatchObject({ shadowReads: 1, shadowReadMismatches: 1 });
});
