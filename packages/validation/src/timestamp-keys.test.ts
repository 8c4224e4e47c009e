import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// A key with a timestamp in it (a time series keyed by device and time) held on SQLite as
// SQLite writes times ('2024-01-01 10:00:00', CURRENT_TIMESTAMP's form) was looked up by
// sampling, the default mode, in the form the other side gave it: Postgres's Date, bound as
// ISO text, found none of those rows, so every sampled row was reported missing one way and
// extra the other, and an epoch-number key failed the whole validation on Postgres. SQLite's
// zoneless text, looked up as it is, named another instant on a server outside UTC.
const INSTANTS = [
  '2024-01-01T10:00:00Z',
  '2024-01-01T10:00:01.5Z',
  '2024-01-01T10:00:02.123456Z',
  '2024-01-02T00:00:00Z',
  '2024-01-01T10:00:03Z',
];
/** How the SQLite side holds each instant: SQLite's form, ISO at ms, ISO at µs (a copy from Postgres), a date alone, epoch seconds. */
const MIXED: unknown[] = ['2024-01-01 10:00:00', '2024-01-01T10:00:01.500Z', '2024-01-01T10:00:02.123456Z', '2024-01-02', 1704103203];
/** Each instant in SQLite's own form, which sorts as the instants do (so all rows can be merged in key order). */
const SQLITE_FORM = [
  '2024-01-01 10:00:00',
  '2024-01-01 10:00:01.500',
  '2024-01-01 10:00:02.123456',
  '2024-01-02 00:00:00',
  '2024-01-01 10:00:03',
];

let pg: TestEngine;
beforeAll(async () => {
  // A server whose sessions are not at UTC.
  const db = await createTestDatabase();
  const setup = createPostgresAdapter(db.url);
  const { name } = (await setup.first<{ name: string }>('SELECT current_database() AS name'))!;
  await setup.execute(`ALTER DATABASE "${name}" SET timezone TO 'America/New_York'`);
  await setup.close();
  const adapter = createPostgresAdapter(db.url);
  pg = { adapter, dispose: async () => (await adapter.close(), await db.drop()) };
  expect(await adapter.first('SHOW timezone')).toEqual({ TimeZone: 'America/New_York' });
  for (const table of ['mixed', 'ticks']) {
    await pg.adapter.execute(`CREATE TABLE ${table} (device int, at timestamptz, v int, PRIMARY KEY (device, at))`);
    for (const [i, at] of INSTANTS.entries()) await pg.adapter.execute(`INSERT INTO ${table} VALUES (?, ?, ?)`, [i % 2, at, i]);
  }
});
afterAll(() => pg?.dispose());

describe.each(['sqlite', 'd1'] as const)('a timestamp in the key, Postgres against %s', (dialect) => {
  let other: TestEngine;
  beforeAll(async () => {
    other = await openEngine(dialect);
    for (const [table, stored] of [
      ['mixed', MIXED],
      ['ticks', SQLITE_FORM],
    ] as const) {
      await other.adapter.execute(`CREATE TABLE ${table} (device INTEGER, at DATETIME, v INTEGER, PRIMARY KEY (device, at))`);
      for (const [i, at] of stored.entries()) await other.adapter.execute(`INSERT INTO ${table} VALUES (?, ?, ?)`, [i % 2, at, i]);
    }
  });
  afterAll(() => other?.dispose());

  /** [missing, extra, different] for Postgres -> other and back, by sampling and (for ticks) by reading every row. */
  const counts = async (table: string) => {
    const modes = table === 'ticks' ? [{ validateAllRows: true }, { sampleSize: 10 }] : [{ sampleSize: 10 }];
    const out = [];
    for (const [s, t] of [
      [pg.adapter, other.adapter],
      [other.adapter, pg.adapter],
    ] as const) {
      for (const mode of modes) {
        const report = (await validateDatabases(s, t, { ...mode, tables: [table] })).tables[0]!;
        expect(report.error).toBeUndefined();
        out.push([report.missingInTargetCount, report.extraInTargetCount, report.differentRowsCount]);
      }
    }
    return out;
  };

  it.each(['mixed', 'ticks'])('%s: each row is found by its instant, whatever form holds it', async (table) => {
    const equal = (await counts(table)).map(() => [0, 0, 0]);
    expect(await counts(table)).toEqual(equal);
  });

  it.each(['mixed', 'ticks'])('%s: a value changed is a difference; a key one second off a missing and an extra row', async (table) => {
    const rows = table === 'ticks' ? 4 : 2;
    await other.adapter.execute(`UPDATE ${table} SET v = 99 WHERE v = 1`);
    expect(await counts(table)).toEqual(new Array(rows).fill([0, 0, 1]));
    await other.adapter.execute(`UPDATE ${table} SET v = 1, at = '2024-01-01 10:00:02' WHERE v = 99`);
    expect(await counts(table)).toEqual([...new Array(rows / 2).fill([1, 1, 0]), ...new Array(rows / 2).fill([1, 1, 0])]);
  });
});
