import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDatabases, type ValidateOptions } from './index';

// A Postgres database set to write values differently from the defaults: floats rounded to
// 15 digits (0.1 + 0.2 would print as 0.3), dates day first, another time zone.
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const admin = createPostgresAdapter(database.url, { max: 1 });
  for (const setting of ['extra_float_digits = 0', "DateStyle = 'SQL, DMY'", "TimeZone = 'America/St_Johns'"]) {
    await admin.execute(`ALTER DATABASE ${database.name} SET ${setting}`);
  }
  await admin.close();
});
afterAll(() => database.drop());

const MODES: ValidateOptions[] = [{ validateAllRows: true }, { validateAllRows: true, checksums: false }, { sampleSize: 10 }];

/** The rows reported different in each mode, SQLite holding `a` and Postgres `b` in one row. */
async function differing(a: [number, Date], b: [number, Date]): Promise<number[]> {
  const sqlite = createSQLiteAdapter(':memory:');
  const postgres = createPostgresAdapter(database.url, { max: 2 });
  await sqlite.execute('CREATE TABLE m (id integer PRIMARY KEY, f REAL, at DATETIME)');
  await postgres.execute('DROP TABLE IF EXISTS m');
  await postgres.execute('CREATE TABLE m (id integer PRIMARY KEY, f float8, at timestamptz)');
  await sqlite.execute('INSERT INTO m VALUES (1, ?, ?)', a);
  await postgres.execute('INSERT INTO m VALUES (1, ?, ?)', b);
  const counts = [];
  for (const mode of MODES)
    counts.push((await validateDatabases(sqlite, postgres, { ...mode, tables: ['m'] })).tables[0]!.differentRowsCount);
  await sqlite.close();
  await postgres.close();
  return counts;
}

const at = new Date('2026-01-02T03:04:05.678Z');

describe('validation against a Postgres database that writes values in other formats', () => {
  it('reports equal data as equal', async () => {
    expect(await differing([0.1 + 0.2, at], [0.1 + 0.2, at])).toEqual([0, 0, 0]);
  });

  it('sees a float one unit in the last place apart, which the server would round to the same text', async () => {
    expect(await differing([0.1 + 0.2, at], [0.3, at])).toEqual([1, 1, 1]);
  });

  it('sees a timestamp one millisecond apart', async () => {
    expect(await differing([0.5, at], [0.5, new Date(at.getTime() + 1)])).toEqual([1, 1, 1]);
  });
});
