import { afterEach, expect, it, vi } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { SecondaryWriteError } from '../src/secondary-write-error';
import { drainOutbox } from '../src/mirror/outbox-drain';
import { outboxMirror } from '../src/mirror/outbox-mirror';
import { queueMirror } from '../src/mirror/queue-mirror';
import { dropOwnTables, twoTestDatabases } from './two-databases';

// A column added with values each side generates for itself (a volatile default, a serial,
// an identity) is replayed as a statement; the secondary must then take the primary's values.

const dbs = twoTestDatabases();
const opened: PostgresAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

/** More rows than one page of the refill, under a composite key. */
const ROWS = 1203;

async function pair() {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'primary', max: 4 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'secondary', max: 4 });
  opened.push(primary, secondary);
  for (const side of [primary, secondary]) {
    await side.execute('DROP TABLE IF EXISTS accounts');
    await dropOwnTables(side);
    await side.execute('CREATE TABLE accounts (region text, id int, n int NOT NULL, PRIMARY KEY (region, id))');
    await side.execute(
      "INSERT INTO accounts SELECT CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END, i, 0 FROM generate_series(1, ?::int) AS i",
      [ROWS],
    );
  }
  return { primary, secondary, dual: createDualWriteAdapter(primary, secondary) };
}

it('gives the secondary the values the primary generated for a new column, while writers keep writing', async () => {
  const { primary, secondary, dual } = await pair();
  let writing = true;
  let updates = 0;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; writing; i++) {
      const id = 1 + ((w * 997 + i * 31) % ROWS);
      await dual.execute('UPDATE accounts SET n = n + 1 WHERE region = ? AND id = ?', [id % 2 === 0 ? 'eu' : 'us', id]);
      updates++;
    }
  });
  await new Promise((r) => setTimeout(r, 50));
  await dual.execute('ALTER TABLE accounts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()');
  await dual.execute("ALTER TABLE accounts ADD COLUMN seen timestamptz DEFAULT clock_timestamp(), ADD COLUMN plan text DEFAULT 'free'");
  await dual.execute('ALTER TABLE accounts ADD COLUMN serial_no bigserial');
  await new Promise((r) => setTimeout(r, 50));
  writing = false;
  await Promise.all(writers);
  expect(updates).toBeGreaterThan(0);
  const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['accounts'] });
  expect(report.tables[0]).toMatchObject({ table: 'accounts', differentRowsCount: 0, missingInTarget: [] });
  expect(report.ok).toBe(true);
  const sample = 'SELECT region, id, n, token, seen, serial_no FROM accounts ORDER BY region, id LIMIT 5 OFFSET 600';
  expect(await secondary.query(sample)).toEqual(await primary.query(sample));
  const total = 'SELECT sum(n)::int AS n FROM accounts';
  expect(await secondary.first(total)).toEqual({ n: updates });
  expect(dual.getMetrics().secondaryFailures).toBe(0);
  await dual.close();
});

it('does the same for a schema change inside a transaction', async () => {
  const { primary, secondary, dual } = await pair();
  await dual.transaction(async (tx) => {
    await tx.execute('UPDATE accounts SET n = 5 WHERE id = ?', [7]);
    // Named as the app may write it, unquoted in another case.
    await tx.execute('ALTER TABLE Accounts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()');
  });
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['accounts'] })).ok).toBe(true);
  await dual.close();
});

it('through an outbox, carries the generated values in entries after the change, and the drain gives them to the secondary', async () => {
  const { primary, secondary } = await pair();
  const mirror = outboxMirror(primary);
  const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
  await dual.execute('ALTER TABLE accounts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()');
  await dual.execute('UPDATE accounts SET n = 9 WHERE region = ? AND id = ?', ['us', 1]);
  // The change, then its rows a page per entry, then the later write.
  expect((await mirror.sampleMetrics()).depth).toBe(1 + Math.ceil(ROWS / 500) + 1);
  // Written one after another: each entry is applied as it holds the rows, none re-read from the primary.
  expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 1 + Math.ceil(ROWS / 500) + 1, stale: 0, repaired: 0 });
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['accounts'] })).ok).toBe(true);
  await dual.close();
});

it('says so with a SecondaryWriteError, not as the change failing, when the rows cannot be read after it ran', async () => {
  const { primary, dual } = await pair();
  const query = primary.query.bind(primary);
  vi.spyOn(primary, 'query').mockImplementation((sql, params) =>
    /ORDER BY/.test(sql) ? Promise.reject(new Error('primary unreachable')) : query(sql, params),
  );
  const error = await dual.execute('ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid()').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SecondaryWriteError);
  expect((error as Error).message).toMatch(/schema change ran on primary, .* stopped \(primary unreachable\)\. Run repair on accounts/);
  // The change itself is in place on both sides.
  expect(await primary.first("SELECT count(*)::int AS n FROM information_schema.columns WHERE column_name = 'token'")).toEqual({ n: 1 });
  await dual.close();
});

it('leaves a column with a constant default to the statement alone', async () => {
  const { primary, secondary, dual } = await pair();
  const reads = vi.spyOn(primary, 'query');
  await dual.execute("ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free'");
  expect(reads.mock.calls.filter(([sql]) => /ORDER BY/.test(sql))).toEqual([]);
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['accounts'] })).ok).toBe(true);
  await dual.close();
});

it('gives the secondary the primary values after a type change whose USING generates them or whose new type reads the session time zone', async () => {
  // The secondary's sessions read naive timestamps in another zone than the primary's.
  const admin = createPostgresAdapter(dbs.other.url, { name: 'admin', max: 1 });
  await admin.execute(`ALTER DATABASE "${dbs.other.name}" SET TimeZone = 'Asia/Kolkata'`);
  await admin.close();
  try {
    const { primary, secondary, dual } = await pair();
    await dual.execute("ALTER TABLE accounts ADD COLUMN token text, ADD COLUMN at timestamp DEFAULT '2026-01-02 03:04:05'");
    await dual.execute('ALTER TABLE accounts ALTER COLUMN token TYPE uuid USING gen_random_uuid()');
    await dual.execute('ALTER TABLE accounts ALTER COLUMN at TYPE timestamptz');
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['accounts'] });
    expect(report.tables[0]).toMatchObject({ differentRowsCount: 0, missingInTarget: [] });
    expect(report.ok).toBe(true);
    // A conversion of each value alone makes no pass.
    const reads = vi.spyOn(primary, 'query');
    await dual.execute('ALTER TABLE accounts ALTER COLUMN n TYPE bigint USING n::bigint');
    expect(reads.mock.calls.filter(([sql]) => /ORDER BY/.test(sql))).toEqual([]);
    await dual.close();
    // Through an outbox, the rows follow the change in entries, and the drain applies them after it.
    const again = await pair();
    const mirror = outboxMirror(again.primary);
    const async = createDualWriteAdapter(again.primary, again.secondary, { secondaryWrites: 'async', mirror });
    await async.execute("ALTER TABLE accounts ADD COLUMN due timestamp DEFAULT '2026-03-04 05:06:07'");
    await async.execute('ALTER TABLE accounts ALTER COLUMN due TYPE timestamptz');
    expect((await mirror.sampleMetrics()).depth).toBe(2 + Math.ceil(ROWS / 500));
    // None re-read from the primary: the secondary's values are the ones the entries carry.
    expect(await drainOutbox(again.secondary, { mirror })).toMatchObject({ applied: 2 + Math.ceil(ROWS / 500), stale: 0, repaired: 0 });
    expect((await validateDatabases(again.primary, again.secondary, { validateAllRows: true, tables: ['accounts'] })).ok).toBe(true);
    await async.close();
  } finally {
    const reset = createPostgresAdapter(dbs.other.url, { name: 'admin', max: 1 });
    await reset.execute(`ALTER DATABASE "${dbs.other.name}" RESET TimeZone`);
    await reset.close();
  }
});

it('gives the secondary the primary text after a change to text from a type whose text form reads the session, and only then', async () => {
  // The secondary's sessions print times in another zone, and floats with fewer digits.
  const admin = createPostgresAdapter(dbs.other.url, { name: 'admin', max: 1 });
  await admin.execute(`ALTER DATABASE "${dbs.other.name}" SET TimeZone = 'Asia/Kolkata'`);
  await admin.execute(`ALTER DATABASE "${dbs.other.name}" SET extra_float_digits = 0`);
  await admin.close();
  try {
    const { primary, secondary, dual } = await pair();
    await dual.execute(
      "ALTER TABLE accounts ADD COLUMN at timestamptz DEFAULT '2026-01-02 03:04:05Z', ADD COLUMN r float8 DEFAULT 0.1, " +
        "ADD COLUMN label varchar(10) DEFAULT 'x'",
    );
    await dual.execute('UPDATE accounts SET r = r + 0.2 WHERE id % 3 = 0');
    // Replayed as a statement alone, each side would print the values its own way.
    for (const side of [primary, secondary]) {
      await side.execute('DROP TABLE IF EXISTS direct');
      await side.execute("CREATE TABLE direct (id int PRIMARY KEY, at timestamptz DEFAULT '2026-01-02 03:04:05Z')");
      await side.execute('INSERT INTO direct (id) VALUES (1)');
      await side.execute('ALTER TABLE direct ALTER COLUMN at TYPE text');
    }
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['direct'] })).ok).toBe(false);

    await dual.execute('ALTER TABLE accounts ALTER COLUMN at TYPE text');
    await dual.transaction(async (tx) => {
      await tx.execute('ALTER TABLE accounts ALTER COLUMN r TYPE varchar(40) USING r::text');
    });
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['accounts'] });
    expect(report.tables[0]).toMatchObject({ differentRowsCount: 0, missingInTarget: [] });
    expect(report.ok).toBe(true);
    expect((await secondary.first<{ r: string }>('SELECT r FROM accounts WHERE id = 3'))!.r).toBe('0.30000000000000004');
    // From an integer or a varchar, the text is the same on each side: no pass reads the table.
    const reads = vi.spyOn(primary, 'query');
    await dual.execute('ALTER TABLE accounts ALTER COLUMN n TYPE text, ALTER COLUMN label TYPE varchar(320)');
    expect(reads.mock.calls.filter(([sql]) => /ORDER BY/.test(sql))).toEqual([]);
    await dual.close();
  } finally {
    const reset = createPostgresAdapter(dbs.other.url, { name: 'admin', max: 1 });
    await reset.execute(`ALTER DATABASE "${dbs.other.name}" RESET TimeZone`);
    await reset.execute(`ALTER DATABASE "${dbs.other.name}" RESET extra_float_digits`);
    await reset.close();
  }
});

it('names such a change in getMetadata() and its statement-replay event: rows copied over, or through a queue, the repair to run', async () => {
  const { primary, secondary, dual } = await pair();
  const replays: string[] = [];
  dual.on('statement-replay', (event) => void replays.push(event.reason));
  await dual.execute('ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid()');
  expect(replays).toEqual([expect.stringMatching(/fills the rows of accounts .*; the primary's rows are copied over after it$/)]);
  expect(dual.getMetadata().replicatedByStatement).toEqual([{ sql: expect.stringMatching(/^ALTER TABLE/), reason: replays[0] }]);
  // A queue's consumer cannot read the primary: the table needs a repair, and the reason says so.
  const sent: unknown[] = [];
  const queued = createDualWriteAdapter(primary, secondary, {
    secondaryWrites: 'async',
    mirror: queueMirror({ send: async (body: unknown) => void sent.push(body) }),
  });
  await queued.execute('ALTER TABLE accounts ADD COLUMN seen timestamptz DEFAULT now()');
  expect(sent).toHaveLength(1);
  expect(queued.getMetadata().replicatedByStatement[0]!.reason).toMatch(
    /run repair on accounts once the change has reached the secondary$/,
  );
  await dual.close();
});
