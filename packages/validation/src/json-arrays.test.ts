import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repair, validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// Between two Postgres databases a json[] or jsonb[] column is compared by its literal: pg
// parses each element, so a jsonb number's scale, a json document's key order and spacing,
// and the JSON null document against a NULL element all compared equal.
const MODES: ValidateOptions[] = [{ validateAllRows: true }, { validateAllRows: true, checksums: false }, { sampleSize: 50 }];

/** [column, the value both sides hold, the least change of it on one side]. */
const CASES: [string, string, string][] = [
  ['jb', '{"{\\"a\\": 1.50}"}', '{"{\\"a\\": 1.5}"}'],
  ['jb', '{"null"}', '{NULL}'],
  ['jb', '{"\\"1\\""}', '{1}'],
  ['jb', '{1,2}', '{2,1}'],
  ['js', '{"{\\"b\\":1,\\"a\\":2}"}', '{"{\\"a\\":2,\\"b\\":1}"}'],
  ['js', '{"{\\"a\\":1}"}', '{"{\\"a\\": 1}"}'],
  ['js', '{"null",NULL}', '{NULL,NULL}'],
  ['js', '{}', '{"[]"}'],
];

let a: TestEngine;
let b: TestEngine;

beforeAll(async () => {
  [a, b] = await Promise.all([openEngine('postgres'), openEngine('postgres')]);
  for (const side of [a, b]) await side.adapter.execute('CREATE TABLE docs (id int PRIMARY KEY, jb jsonb[], js json[])');
});
afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
});

/** Both sides hold every case's value, row 100 too; `b` holds case `changed`'s least change instead. */
async function seed(changed?: number): Promise<void> {
  for (const side of [a, b]) {
    await side.adapter.execute('DELETE FROM docs');
    await side.adapter.execute(`INSERT INTO docs (id, jb, js) VALUES (100, '{"{\\"k\\": [1, 2.0]}"}', '{" {\\"k\\" : 1} "}')`);
    for (const [i, [column, value, change]] of CASES.entries()) {
      const text = side === b && i === changed ? change : value;
      await side.adapter.execute(`INSERT INTO docs (id, ${column}) VALUES (?, ?::${column === 'jb' ? 'jsonb[]' : 'json[]'})`, [i, text]);
    }
  }
}

describe('json[] and jsonb[] between two Postgres databases', () => {
  it.each(MODES)('the same literals are equal (%o)', async (mode) => {
    await seed();
    const report = await validateDatabases(a.adapter, b.adapter, { ...mode, tables: ['docs'] });
    expect(report.ok).toBe(true);
  });

  it.each(CASES.map((c, i) => [i, ...c] as const))('case %i: %s %s against %s is reported in every mode', async (i) => {
    await seed(i);
    for (const mode of MODES) {
      const report = await validateDatabases(a.adapter, b.adapter, { ...mode, tables: ['docs'] });
      expect(
        report.tables[0]!.differentRows.map((r) => r.key),
        JSON.stringify(mode),
      ).toEqual([{ id: i }]);
    }
  });

  it('repair writes the source literal, after which the two are equal', async () => {
    await seed(0);
    await b.adapter.execute(`UPDATE docs SET js = '{"{\\"a\\":1}"}' WHERE id = 100`);
    const report = await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, tables: ['docs'] });
    expect(report.tables[0]!.differentRows).toHaveLength(2);
    const result = await repair(report, a.adapter, b.adapter);
    expect(result).toMatchObject({ upserted: 2, stillDifferent: 0 });
    const texts = (side: TestEngine) => side.adapter.query('SELECT id, jb::text AS jb, js::text AS js FROM docs ORDER BY id');
    expect(await texts(b)).toEqual(await texts(a));
    expect((await validateDatabases(a.adapter, b.adapter, { validateAllRows: true, tables: ['docs'] })).ok).toBe(true);
  });
});
