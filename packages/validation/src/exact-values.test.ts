import { PreciseDate, type DatabaseAdapter } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

let sqlite: TestEngine;
let pg: TestEngine;
let pg2: TestEngine;
let table = 0;

beforeAll(async () => {
  [sqlite, pg, pg2] = await Promise.all([openEngine('sqlite'), openEngine('postgres'), openEngine('postgres')]);
});
afterAll(async () => {
  await Promise.all([sqlite?.dispose(), pg?.dispose(), pg2?.dispose()]);
});

const sqliteTypes = { real: 'REAL', json: 'JSON', ts: 'DATETIME' } as const;
const pgTypes = { real: 'float8', json: 'jsonb', ts: 'timestamptz' } as const;

/** One-row tables of one column on two engines, validated in every mode: the number of rows reported different. */
async function differing(
  a: DatabaseAdapter,
  b: DatabaseAdapter,
  type: keyof typeof pgTypes,
  x: unknown,
  y: unknown,
  extra: ValidateOptions = {},
) {
  const name = `t${++table}`;
  for (const [adapter, value] of [
    [a, x],
    [b, y],
  ] as const) {
    const declared = adapter.dialect === 'postgres' ? pgTypes[type] : sqliteTypes[type];
    await adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v ${declared})`);
    await adapter.execute(`INSERT INTO ${name} VALUES (1, ?)`, [value]);
  }
  const counts = [];
  for (const mode of [{ validateAllRows: true }, { validateAllRows: true, checksums: false }, { sampleSize: 10 }] as ValidateOptions[]) {
    const report = await validateDatabases(a, b, { ...mode, ...extra, tables: [name] });
    counts.push(report.tables[0]!.differentRowsCount);
  }
  return counts;
}

describe('validation is never wrong about "equal" (one-row tables on real engines)', () => {
  it('SQLite Infinity vs Postgres 1.5 is different', async () => {
    expect(await differing(sqlite.adapter, pg.adapter, 'real', Infinity, 1.5)).toEqual([1, 1, 1]);
  });
  it('SQLite Infinity vs Postgres -Infinity is different', async () => {
    expect(await differing(sqlite.adapter, pg.adapter, 'real', Infinity, -Infinity)).toEqual([1, 1, 1]);
  });
  it('Postgres vs Postgres Infinity vs 42 is different (checksums, then the row-by-row fallback)', async () => {
    expect(await differing(pg.adapter, pg2.adapter, 'real', Infinity, 42)).toEqual([1, 1, 1]);
  });
  it('Postgres vs Postgres Infinity vs Infinity is equal', async () => {
    expect(await differing(pg.adapter, pg2.adapter, 'real', Infinity, Infinity)).toEqual([0, 0, 0]);
  });
  it('JSON {"id":9007199254740993} vs ...992 is different (SQLite vs Postgres, Postgres vs Postgres)', async () => {
    expect(await differing(sqlite.adapter, pg.adapter, 'json', '{"id":9007199254740993}', '{"id":9007199254740992}')).toEqual([1, 1, 1]);
    expect(await differing(pg.adapter, pg2.adapter, 'json', '{"id":9007199254740993}', '{"id":9007199254740992}')).toEqual([1, 1, 1]);
  });
  it('JSON {"amount":12345678901234567.89} vs ...568 is different', async () => {
    expect(await differing(sqlite.adapter, pg.adapter, 'json', '{"amount":12345678901234567.89}', '{"amount":12345678901234568}')).toEqual([
      1, 1, 1,
    ]);
  });
  it("at 'us', .123456 vs .123999 is different and identical .123456 on SQLite and Postgres is equal", async () => {
    const us: ValidateOptions = { timestampPrecision: 'us' };
    expect(await differing(sqlite.adapter, pg.adapter, 'ts', '2024-01-01T10:00:00.123456Z', '2024-01-01 10:00:00.123999+00', us)).toEqual([
      1, 1, 1,
    ]);
    expect(await differing(pg.adapter, pg2.adapter, 'ts', '2024-01-01 10:00:00.123456+00', '2024-01-01 10:00:00.123999+00', us)).toEqual([
      1, 1, 1,
    ]);
    expect(await differing(sqlite.adapter, pg.adapter, 'ts', '2024-01-01T10:00:00.123456Z', '2024-01-01 10:00:00.123456+00', us)).toEqual([
      0, 0, 0,
    ]);
    expect(
      await differing(
        sqlite.adapter,
        pg.adapter,
        'ts',
        PreciseDate.fromEpochMicros(1_704_103_200_123_456n),
        '2024-01-01 10:00:00.123456+00',
        us,
      ),
    ).toEqual([0, 0, 0]);
  });
  it('Postgres 44 BC and year-10000 timestamps validate equal against the same values (Postgres vs Postgres)', async () => {
    expect(await differing(pg.adapter, pg2.adapter, 'ts', '0044-03-15 12:00:00+00 BC', '0044-03-15 12:00:00+00 BC')).toEqual([0, 0, 0]);
    expect(
      await differing(pg.adapter, pg2.adapter, 'ts', '10000-01-01 00:00:00.000001+00', '10000-01-01 00:00:00+00', {
        timestampPrecision: 'us',
      }),
    ).toEqual([1, 1, 1]);
  });
});
