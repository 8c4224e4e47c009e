import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '@switchyard/core';
import { repair, validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// Postgres pads a character(n) value with spaces (`'ab'` reads back `'ab   '`) and disregards
// trailing spaces when it compares: every short value copied there from SQLite, or written by
// the app on a SQLite primary, was reported different in every mode, and repair changed nothing.
const MODES: [string, ValidateOptions][] = [
  ['checksums where the engines can', { validateAllRows: true }],
  ['merge', { validateAllRows: true, checksums: false }],
  ['sample', { sampleSize: 100 }],
];
const ROWS: [number, string | null][] = [
  [1, 'ab'],
  [2, 'abcde'],
  [3, ''],
  [4, null],
  [5, 'a b'],
];
let pg: TestEngine;
const others = new Map<DialectName, TestEngine>();
let n = 0;

beforeAll(async () => {
  pg = await openEngine('postgres');
  for (const d of ['sqlite', 'd1', 'postgres'] as const) others.set(d, await openEngine(d));
});
afterAll(async () => {
  await Promise.all([pg?.dispose(), ...[...others.values()].map((o) => o.dispose())]);
});

/** A Postgres table with a character(5) column and the same rows on `dialect`, declared `declared` there. */
async function tables(dialect: DialectName, declared: string): Promise<{ name: string; other: TestEngine }> {
  const other = others.get(dialect)!;
  const name = `padded_${++n}`;
  await pg.adapter.execute(`CREATE TABLE ${name} (id int PRIMARY KEY, code character(5))`);
  await other.adapter.execute(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY, code ${declared})`);
  for (const [id, code] of ROWS) {
    await pg.adapter.execute(`INSERT INTO ${name} VALUES (?, ?)`, [id, code]);
    await other.adapter.execute(`INSERT INTO ${name} VALUES (?, ?)`, [id, code]);
  }
  return { name, other };
}

describe.each([
  ['sqlite', 'CHAR(5)'],
  ['d1', 'TEXT'],
  ['postgres', 'varchar(5)'],
] as const)('Postgres character(5) against %s %s', (dialect, declared) => {
  it.each(MODES)('%s: the texts without their padding are equal, both directions', async (_, mode) => {
    const { name, other } = await tables(dialect, declared);
    expect((await validateDatabases(pg.adapter, other.adapter, { ...mode, tables: [name] })).ok).toBe(true);
    expect((await validateDatabases(other.adapter, pg.adapter, { ...mode, tables: [name] })).ok).toBe(true);
  });

  // The least changes: a letter, its case, a leading space, a tab where a space pads, NULL for the empty text.
  it.each(MODES)('%s: one changed character, or NULL for the padding alone, is reported', async (_, mode) => {
    const { name, other } = await tables(dialect, declared);
    for (const [id, code] of [
      [1, 'ac'],
      [2, 'abcdE'],
      [5, ' a b'],
      [3, '\t'],
      [4, ''],
    ] as const)
      await other.adapter.execute(`UPDATE ${name} SET code = ? WHERE id = ?`, [code, id]);
    await other.adapter.execute(`UPDATE ${name} SET code = NULL WHERE id = 3`);
    const report = await validateDatabases(pg.adapter, other.adapter, { ...mode, tables: [name] });
    expect(report.tables[0]!.differentRows.map((r) => r.key).sort((x, y) => Number(x.id) - Number(y.id))).toEqual(
      [1, 2, 3, 4, 5].map((id) => ({ id })),
    );
  });
});

it('repair into a character(5) column settles what it writes', async () => {
  const { name, other } = await tables('sqlite', 'CHAR(5)');
  await other.adapter.execute(`UPDATE ${name} SET code = 'zz' WHERE id = 1`);
  const report = await validateDatabases(other.adapter, pg.adapter, { validateAllRows: true, tables: [name] });
  expect(await repair(report, other.adapter, pg.adapter)).toMatchObject({ upserted: 1, stillDifferent: 0 });
  expect((await validateDatabases(other.adapter, pg.adapter, { validateAllRows: true, tables: [name] })).ok).toBe(true);
});

it('repair from a character(5) column into SQLite writes the values without their padding', async () => {
  const { name, other } = await tables('sqlite', 'CHAR(5)');
  await other.adapter.execute(`DELETE FROM ${name}`);
  const report = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: [name] });
  expect(await repair(report, pg.adapter, other.adapter)).toMatchObject({ upserted: 5, stillDifferent: 0 });
  expect(await other.adapter.query(`SELECT id, code FROM ${name} ORDER BY id`)).toEqual(ROWS.map(([id, code]) => ({ id, code })));
});

it('between SQLite databases a CHAR(5) keeps its spaces: a trailing space is a difference', async () => {
  const [a, b] = [await openEngine('sqlite'), others.get('sqlite')!];
  try {
    await a.adapter.execute('CREATE TABLE spaced (id INTEGER PRIMARY KEY, code CHAR(5))');
    await b.adapter.execute('CREATE TABLE spaced (id INTEGER PRIMARY KEY, code CHAR(5))');
    await a.adapter.execute(`INSERT INTO spaced VALUES (1, 'ab')`);
    await b.adapter.execute(`INSERT INTO spaced VALUES (1, 'ab ')`);
    for (const [, mode] of MODES)
      expect((await validateDatabases(a.adapter, b.adapter, { ...mode, tables: ['spaced'] })).tables[0]!.differentRows).toHaveLength(1);
  } finally {
    await a.dispose();
  }
});

describe.each(['sqlite', 'd1'] as const)('a character(5) key against %s', (dialect) => {
  // SQLite holds keys copied from Postgres padded and keys its app wrote after a switch as written.
  async function keyed(): Promise<{ name: string; other: TestEngine }> {
    const other = others.get(dialect)!;
    const name = `padded_key_${++n}`;
    await pg.adapter.execute(`CREATE TABLE ${name} (code character(5) PRIMARY KEY, v int)`);
    await pg.adapter.execute(`INSERT INTO ${name} VALUES ('a', 1), ('ab', 2), ('abcde', 3), ('b', 4), ('b c', 5)`);
    await other.adapter.execute(`CREATE TABLE ${name} (code CHAR(5) PRIMARY KEY, v INTEGER)`);
    await other.adapter.execute(`INSERT INTO ${name} VALUES ('a    ', 1), ('ab', 2), ('abcde', 3), ('b    ', 4), ('b c', 5)`);
    return { name, other };
  }

  it.each(MODES)('%s: rows match by the key without its padding, both directions', async (_, mode) => {
    const { name, other } = await keyed();
    expect((await validateDatabases(pg.adapter, other.adapter, { ...mode, tables: [name] })).ok).toBe(true);
    expect((await validateDatabases(other.adapter, pg.adapter, { ...mode, tables: [name] })).ok).toBe(true);
  });

  it.each(MODES)('%s: a key changed by one character is a missing and an extra row', async (_, mode) => {
    const { name, other } = await keyed();
    await other.adapter.execute(`UPDATE ${name} SET code = 'b  c' WHERE v = 5`);
    const report = await validateDatabases(pg.adapter, other.adapter, { ...mode, tables: [name] });
    expect(report.tables[0]).toMatchObject({ missingInTarget: [{ code: 'b c  ' }], extraInTarget: [{ code: 'b  c' }] });
  });
});
