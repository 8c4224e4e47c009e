import { QueryError } from '@switchyard/core';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from './postgres-create';
import type { PostgresAdapter } from './postgres-adapter';

// A database whose own settings write values in other formats than the parsers read:
// European dates, SQL-standard intervals, floats rounded to 15 digits, an Indian time zone.
const SETTINGS = {
  DateStyle: "'SQL, DMY'",
  IntervalStyle: 'sql_standard',
  extra_float_digits: '0',
  TimeZone: "'Asia/Kolkata'",
};

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  for (const [name, value] of Object.entries(SETTINGS)) await admin.query(`ALTER DATABASE ${database.name} SET ${name} = ${value}`);
  await admin.query('CREATE TABLE v (id int PRIMARY KEY, tz timestamptz, ts timestamp, d date, f float8, iv interval)');
  await admin.end();
});
afterAll(() => database.drop());

const ROW = [1, new Date('2026-01-02T03:04:05.678Z'), '2026-01-02 03:04:05.678', '2026-01-02', 0.1 + 0.2, '1 day 02:03:04'];

async function expectExactValues(adapter: PostgresAdapter): Promise<void> {
  await adapter.execute('DELETE FROM v');
  await adapter.execute('INSERT INTO v (id, tz, ts, d, f, iv) VALUES (?, ?, ?, ?, ?, ?)', ROW);
  const row = await adapter.first<Record<string, unknown>>('SELECT * FROM v');
  expect((row!.tz as Date).toISOString()).toBe('2026-01-02T03:04:05.678Z');
  expect((row!.ts as Date).toISOString()).toBe('2026-01-02T03:04:05.678Z');
  expect(row!.d).toBe('2026-01-02');
  // Rounded to 15 digits the server would write 0.3, and 0.1 + 0.2 would read as 0.3.
  expect(row!.f).toBe(0.30000000000000004);
  expect(row!.iv).toBe('1 day 02:03:04');
  await expect(adapter.first('SELECT f = ? AS same FROM v', [0.3])).resolves.toEqual({ same: false });
}

describe('postgres: the formats the parsers read, whatever the database sets', () => {
  it('reads timestamps, dates, every float digit and intervals exactly through its own pool', async () => {
    const adapter = createPostgresAdapter(database.url, { max: 2 });
    await expectExactValues(adapter);
    // In a transaction too, on whichever connection it takes.
    await adapter.transaction(async (tx) => {
      expect(await tx.first('SELECT f FROM v')).toEqual({ f: 0.30000000000000004 });
    });
    await adapter.close();
  });

  it('puts the formats in place on a pg Pool and a pg Client the app passes in', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    await expectExactValues(createPostgresAdapter(pool));
    await pool.end();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await expectExactValues(createPostgresAdapter(client));
    await client.end();
  });

  it("keeps what the formats do not decide: the database's day/month order for input and its time zone", async () => {
    const adapter = createPostgresAdapter(database.url, { max: 1 });
    // Under DMY, 01/02 is the first of February: the app's literals mean what they meant.
    expect(await adapter.first("SELECT '01/02/2026'::date AS d")).toEqual({ d: '2026-02-01' });
    expect(await adapter.first('SELECT current_setting(?) AS zone', ['TimeZone'])).toEqual({ zone: 'Asia/Kolkata' });
    expect(await adapter.first("SELECT date_trunc('day', ?::timestamptz)::text AS day", ['2026-01-01T20:00:00Z'])).toEqual({
      day: '2026-01-02 00:00:00+05:30',
    });
    await adapter.close();
  });

  it('refuses parameters bound to a schema change with a QueryError that says to write them into the text', async () => {
    const adapter = createPostgresAdapter(database.url, { max: 1 });
    const error = await adapter.execute('ALTER TABLE v ADD COLUMN plan text DEFAULT ?', ['free']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toMatch(/SQLSTATE 08P01.*write the values into its text/);
    // The connection is fine: the statement, written out, runs on it.
    await adapter.execute("ALTER TABLE v ADD COLUMN plan text DEFAULT 'free'");
    await adapter.close();
  });

  it('leaves the database its own formats with sessionFormats: false, for poolers that reset sessions', async () => {
    const adapter = createPostgresAdapter(database.url, { max: 1, sessionFormats: false, statementTimeoutMs: 4321 });
    const row = await adapter.first<Record<string, string>>(
      "SELECT current_setting('statement_timeout') AS timeout, current_setting('DateStyle') AS style, current_setting('extra_float_digits') AS digits",
    );
    expect(row).toEqual({ timeout: '4321ms', style: 'SQL, DMY', digits: '0' });
    await adapter.close();
  });

  it('sets them with the statement timeout in the same round trip', async () => {
    const adapter = createPostgresAdapter(database.url, { max: 1, statementTimeoutMs: 1234 });
    const row = await adapter.first<Record<string, string>>(
      "SELECT current_setting('statement_timeout') AS timeout, current_setting('DateStyle') AS style, current_setting('extra_float_digits') AS digits",
    );
    expect(row).toEqual({ timeout: '1234ms', style: 'ISO, DMY', digits: '3' });
    await adapter.close();
  });
});
