import { afterEach, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createDualWriteAdapter } from './patient-dual-write';
import { outboxMirror } from '../src/mirror/outbox-mirror';
import { expectSameRows } from './mirror/mirror-test-kit';
import { twoTestDatabases } from './two-databases';

// A capture the app repeats is kept prepared on the primary, so Postgres plans it once.
// The plan must not outlive the table: a column added later reaches the secondary.

const dbs = twoTestDatabases();
const opened: PostgresAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

/** One connection each, so the primary's prepared statements are all on the session the test reads. */
function pair() {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'primary', max: 1 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'secondary', max: 1 });
  opened.push(primary, secondary);
  return { primary, secondary };
}

/** {@link pair}, with an empty table `things` on both sides. */
async function pairWithThings() {
  const sides = pair();
  for (const side of [sides.primary, sides.secondary]) {
    await side.execute('DROP TABLE IF EXISTS things');
    await side.execute('CREATE TABLE things (id INT PRIMARY KEY, label TEXT)');
  }
  return sides;
}

const INSERT = 'INSERT INTO things (id, label) VALUES (?, ?)';

async function preparedCaptures(primary: PostgresAdapter): Promise<string[]> {
  const rows = await primary.query<{ statement: string }>(
    "SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%RETURNING%' ORDER BY statement",
  );
  return rows.map((r) => r.statement);
}

it('keeps a repeated capture prepared on the primary, and not a one-off text', async () => {
  const { primary, secondary } = await pairWithThings();
  const dual = createDualWriteAdapter(primary, secondary);
  for (let id = 1; id <= 5; id++) await dual.execute(INSERT, [id, `n${id}`]);
  await dual.execute('UPDATE things SET label = ? WHERE id = ?', ['once', 1]);
  const prepared = await preparedCaptures(primary);
  expect(prepared).toHaveLength(1);
  expect(prepared[0]).toContain('INSERT INTO things');
  await expectSameRows(primary, secondary, ['things']);
});

it('captures the new column after the table changed under the prepared plan', async () => {
  const { primary, secondary } = await pairWithThings();
  const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
  for (let id = 1; id <= 5; id++) await dual.execute(INSERT, [id, `n${id}`]);
  expect(await preparedCaptures(primary)).toHaveLength(1);
  // The default only the primary can compute: the secondary equals it only through the primary's row.
  // Added without a default, then given one: rows already there hold NULL on both sides.
  await dual.execute('ALTER TABLE things ADD COLUMN tag TEXT');
  await dual.execute('ALTER TABLE things ALTER COLUMN tag SET DEFAULT md5(random()::text)');
  for (let id = 6; id <= 10; id++) await dual.execute(INSERT, [id, `n${id}`]);
  const metrics = dual.getMetrics();
  expect(metrics.secondaryFailures).toBe(0);
  expect(metrics.verificationFailures).toBe(0);
  const rows = await secondary.query<{ tag: string }>('SELECT tag FROM things WHERE id > 5');
  expect(rows.every((r) => /^[0-9a-f]{32}$/.test(r.tag))).toBe(true);
  await expectSameRows(primary, secondary, ['things']);
});

it('keeps the outbox one-statement write prepared only for a text the app repeats', async () => {
  const { primary, secondary } = await pairWithThings();
  const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror: outboxMirror(primary) });
  await dual.execute('UPDATE things SET label = ? WHERE id = ?', ['once', 1]);
  expect(await preparedCaptures(primary)).toEqual([]);
  for (let id = 1; id <= 5; id++) await dual.execute(INSERT, [id, `n${id}`]);
  const prepared = await preparedCaptures(primary);
  expect(prepared).toHaveLength(1);
  expect(prepared[0]).toContain('INSERT INTO things');
});

it('keeps the upserts of a group of concurrent writes prepared on the secondary', async () => {
  const { primary, secondary } = await pairWithThings();
  const dual = createDualWriteAdapter(primary, secondary);
  // Writes sent while the secondary is busy go there together, as one upsert of several rows.
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 6 }, (_, i) => dual.execute(INSERT, [round * 10 + i, `r${round}`])));
  }
  const groups = await secondary.query<{ statement: string }>(
    "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO%), (%ON CONFLICT%'",
  );
  expect(groups.length).toBeGreaterThan(0);
  await expectSameRows(primary, secondary, ['things']);
});
