import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

let a: TestEngine;
let b: TestEngine;
let pg: TestEngine;

const MODES: Array<[string, ValidateOptions]> = [
  ['checksums', { validateAllRows: true, checksums: true }],
  ['full merge', { validateAllRows: true, checksums: false }],
  ['sampled', { sampleSize: 10 }],
];

beforeAll(async () => {
  [a, b, pg] = await Promise.all([openEngine('sqlite'), openEngine('sqlite'), openEngine('postgres')]);
  for (const side of [a, b]) await side.adapter.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  await a.adapter.execute("INSERT INTO notes VALUES (1, CAST(X'61FF62' AS TEXT)), (2, 'same'), (3, 'a\uFFFDb')");
  await b.adapter.execute("INSERT INTO notes VALUES (1, CAST(X'61FC62' AS TEXT)), (2, 'same'), (3, 'a\uFFFDb')");
  await pg.adapter.execute('CREATE TABLE notes (id int PRIMARY KEY, body text)');
  await pg.adapter.execute("INSERT INTO notes VALUES (1, 'a\uFFFDb'), (2, 'same'), (3, 'a\uFFFDb')");
});
afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose(), pg?.dispose()]);
});

describe('text that is not well-formed UTF-8 is compared by its bytes', () => {
  it.each(MODES)('SQLite text bytes 61 FF 62 vs 61 FC 62 is different (%s)', async (_mode, options) => {
    const report = await validateDatabases(a.adapter, b.adapter, { ...options, tables: ['notes'] });
    expect(report.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 1 }]);
  });

  it.each(MODES)('SQLite bytes 61 FF 62 vs Postgres a\\uFFFDb (what a replacing copy leaves) is different (%s)', async (_mode, options) => {
    const report = await validateDatabases(a.adapter, pg.adapter, { ...options, tables: ['notes'] });
    const table = report.tables[0]!;
    expect(table.differentRows.map((d) => d.key)).toEqual([{ id: 1 }]);
    expect(table.differentRows[0]!.columns[0]!.sourceNormalized).toContain('61ff62');
  });
});
