import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repair, validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// A column whose type is a domain is read by pg as the domain's base type, so it holds
// what that type holds: a timestamp's microseconds, a numeric's scale, a JSON document's
// text. Each value below differs minimally from the other side's; validation must see it.
let a: TestEngine;
let b: TestEngine;
let table = 0;

const DOMAINS = `DO $$ BEGIN
  CREATE DOMAIN d_doc AS jsonb; CREATE DOMAIN d_json AS json; CREATE DOMAIN d_amount AS numeric;
  CREATE DOMAIN d_positive AS d_amount CHECK (VALUE > 0); CREATE DOMAIN d_at AS timestamptz; CREATE DOMAIN d_local AS timestamp;
  CREATE DOMAIN d_email AS text COLLATE "und-x-icu" CHECK (VALUE LIKE '%@%');
EXCEPTION WHEN duplicate_object THEN NULL; END $$`;

beforeAll(async () => {
  [a, b] = await Promise.all([openEngine('postgres'), openEngine('postgres')]);
  await Promise.all([a.adapter.execute(DOMAINS), b.adapter.execute(DOMAINS)]);
});
afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
});

const MODES: ValidateOptions[] = [{ validateAllRows: true }, { validateAllRows: true, checksums: false }, { sampleSize: 10 }];

/** A one-row table of one column on each side; the number of rows each mode reports different. */
async function differing(declared: string, x: string | null, y: string | null, otherDeclared = declared): Promise<number[]> {
  const name = `domain_${++table}`;
  for (const [side, type, value] of [
    [a, declared, x],
    [b, otherDeclared, y],
  ] as const) {
    await side.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v ${type})`);
    await side.adapter.execute(`INSERT INTO ${name} VALUES (1, $1::${type})`, [value]);
  }
  const counts = [];
  for (const mode of MODES)
    counts.push((await validateDatabases(a.adapter, b.adapter, { ...mode, tables: [name] })).tables[0]!.differentRowsCount);
  return counts;
}

describe('Postgres vs Postgres: a domain compares as the type it is built on', () => {
  it.each([
    ['d_doc', 'null', null],
    ['d_doc', '1.50', '1.5'],
    ['d_doc', '{"a": 1.50}', '{"a": 1.5}'],
    ['d_json', ' false ', 'false'],
    ['d_json', '{"a":1,"b":2}', '{"b":2,"a":1}'],
    ['d_amount', '1.50', '1.5'],
    ['d_positive', '2.50', '2.5'],
    ['d_at', '2024-01-01 00:00:00.123456+00', '2024-01-01 00:00:00.123457+00'],
    ['d_local', '2024-01-01 00:00:00.123456', '2024-01-01 00:00:00.123457'],
  ])('%s %j against %j is different', async (type, x, y) => {
    expect(await differing(type, x, y)).toEqual([1, 1, 1]);
  });

  it.each([
    ['d_doc', '{"b": 2, "a": 1.50}', 'jsonb'],
    ['d_doc', 'null', 'jsonb'],
    ['d_amount', '1.50', 'numeric'],
    ['d_at', '2024-01-01 00:00:00.123456+00', 'timestamptz'],
  ])('%s %j against the base type holding the same is equal', async (type, x, other) => {
    expect(await differing(type, x, x, other)).toEqual([0, 0, 0]);
  });

  it('a text domain (of a locale’s collation) as the key is walked in byte order on both sides, so no row is missed', async () => {
    const name = `domain_${++table}`;
    const emails = ['a@x', 'B@x', 'b@x', 'Z@x', '_@x', 'é@x'];
    for (const side of [a, b]) {
      await side.adapter.execute(`CREATE TABLE ${name} (email d_email PRIMARY KEY, n integer)`);
      for (const [i, e] of emails.entries()) await side.adapter.execute(`INSERT INTO ${name} VALUES (?, ?)`, [e, i]);
    }
    const equal = await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, checksums: false, pageSize: 2, tables: [name] });
    expect(equal.tables[0]!.missingInTargetCount + equal.tables[0]!.extraInTargetCount + equal.tables[0]!.differentRowsCount).toBe(0);
    await b.adapter.execute(`UPDATE ${name} SET n = 99 WHERE email = 'Z@x'`);
    const report = await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, checksums: false, pageSize: 2, tables: [name] });
    expect(report.tables[0]!.differentRows.map((r) => r.key)).toEqual([{ email: 'Z@x' }]);
  });

  it('repair writes the source’s text into the domain, and validation is equal after it', async () => {
    const name = `domain_${++table}`;
    for (const [side, value] of [
      [a, 'null'],
      [b, '"null"'],
    ] as const) {
      await side.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v d_doc, at d_at)`);
      await side.adapter.execute(`INSERT INTO ${name} VALUES (1, $1::jsonb, '2024-01-01 00:00:00.000001+00')`, [value]);
    }
    const report = await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, tables: [name] });
    expect(report.tables[0]!.differentRowsCount).toBe(1);
    expect((await repair(report, a.adapter, b.adapter)).stillDifferent).toBe(0);
    expect((await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, tables: [name] })).ok).toBe(true);
    const [row] = await b.adapter.query<{ v: string; null_doc: boolean }>(`SELECT v::text AS v, v IS NOT NULL AS null_doc FROM ${name}`);
    expect(row).toEqual({ v: 'null', null_doc: true });
  });
});
