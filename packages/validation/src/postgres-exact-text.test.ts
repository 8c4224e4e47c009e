import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repair, validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// Between two Postgres databases a numeric's scale and a JSON document's text are what the
// app reads back ('1.50' is not '1.5' to it), although `=` calls them equal.
let a: TestEngine;
let b: TestEngine;
let table = 0;

beforeAll(async () => {
  [a, b] = await Promise.all([openEngine('postgres'), openEngine('postgres')]);
});
afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
});

const MODES: ValidateOptions[] = [{ validateAllRows: true }, { validateAllRows: true, checksums: false }, { sampleSize: 10 }];

/** A one-row table of one column on each side; the number of rows each mode reports different. */
async function differing(declared: string, x: string, y: string, otherDeclared = declared): Promise<{ name: string; counts: number[] }> {
  const name = `exact_${++table}`;
  await a.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v ${declared})`);
  await a.adapter.execute(`INSERT INTO ${name} VALUES (1, ?)`, [x]);
  await b.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v ${otherDeclared})`);
  await b.adapter.execute(`INSERT INTO ${name} VALUES (1, ?)`, [y]);
  const counts = [];
  for (const mode of MODES) {
    const report = await validateDatabases(a.adapter, b.adapter, { ...mode, tables: [name] });
    counts.push(report.tables[0]!.differentRowsCount);
  }
  return { name, counts };
}

describe('Postgres vs Postgres compares numeric and JSON by their stored text', () => {
  it('numeric 1.50 vs 1.5 is different; 1.50 vs 1.50 (numeric(10,2) vs numeric) is equal', async () => {
    expect((await differing('numeric', '1.50', '1.5')).counts).toEqual([1, 1, 1]);
    expect((await differing('numeric(10,2)', '1.50', '1.50', 'numeric')).counts).toEqual([0, 0, 0]);
    expect((await differing('numeric', '-0.000', '0')).counts).toEqual([1, 1, 1]);
  });

  it('json that differs in key order, spacing, a duplicate key or a number’s scale is different', async () => {
    expect((await differing('json', '{"a":1,"b":2}', '{"b":2,"a":1}')).counts).toEqual([1, 1, 1]);
    expect((await differing('json', '{"a": 1}', '{"a":1}')).counts).toEqual([1, 1, 1]);
    expect((await differing('json', '{"a":1,"a":2}', '{"a":2}')).counts).toEqual([1, 1, 1]);
    expect((await differing('json', '[1.0]', '[1]')).counts).toEqual([1, 1, 1]);
    expect((await differing('json', '{"a": [1, "x"]}', '{"a": [1, "x"]}')).counts).toEqual([0, 0, 0]);
  });

  it('jsonb keeps a number’s scale but not key order or spacing', async () => {
    expect((await differing('jsonb', '{"a":1.0}', '{"a":1}')).counts).toEqual([1, 1, 1]);
    expect((await differing('jsonb', '{"b":2, "a":1}', '{"a":1,"b":2}')).counts).toEqual([0, 0, 0]);
  });

  it('json against jsonb compares the documents, as before', async () => {
    expect((await differing('json', '{"b":2, "a":1}', '{"a":1,"b":2}', 'jsonb')).counts).toEqual([0, 0, 0]);
    expect((await differing('json', '{"a":1}', '{"a":2}', 'jsonb')).counts).toEqual([1, 1, 1]);
  });

  it('repair writes the source’s text, and validation is equal after it', async () => {
    const names = [
      (await differing('numeric', '1.50', '1.5')).name,
      (await differing('json', '{"b": 2,  "a":1,"a":3}', '{"a":3,"b":2}')).name,
      (await differing('jsonb', '{"n":2.50}', '{"n":2.5}')).name,
    ];
    const report = await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, tables: names });
    expect(report.ok).toBe(false);
    const result = await repair(report, a.adapter, b.adapter);
    expect(result.stillDifferent).toBe(0);
    const again = await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, tables: names });
    expect(again.tables.map((t) => t.differentRowsCount)).toEqual([0, 0, 0]);
    expect(again.ok).toBe(true);
    const [json] = await b.adapter.query<{ v: string }>(`SELECT v::text AS v FROM ${names[1]}`);
    expect(json!.v).toBe('{"b": 2,  "a":1,"a":3}');
  });
});
