import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '@switchyard/core';
import { repair, validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// pg reads a bare JSON string document as the string (`"s"` as `s`), which then compared as
// JSON text against SQLite or D1: `"s"` there, what a copy writes, was a difference, and
// `"{\"a\":1}"` (read as `{"a":1}`) matched the object. Postgres's side is read as its text,
// so each compares as the document it is. SQLite text that is no JSON document compares as
// the JSON string holding it, which is what a copy writes into Postgres; the JSON `null`
// document and SQL NULL stay equal, as a copy and dual write put the one as the other there.
// SQLite's `'null'`, the same document, was different from it (copied or repaired into
// Postgres, it never validated equal); against SQL NULL it is a difference.
let pg: TestEngine;
const others = new Map<DialectName, TestEngine>();
let table = 0;

beforeAll(async () => {
  pg = await openEngine('postgres');
  await pg.adapter.execute('CREATE DOMAIN d_doc AS jsonb');
  for (const d of ['sqlite', 'd1'] as const) others.set(d, await openEngine(d));
});
afterAll(async () => {
  await Promise.all([pg?.dispose(), ...[...others.values()].map((o) => o.dispose())]);
});

/** One row each side, Postgres's column of `type` holding `doc` and the other's JSON column `text`; rows reported different, both ways. */
async function differing(dialect: DialectName, type: string, doc: string | null, text: string | null): Promise<number[]> {
  const other = others.get(dialect)!;
  const name = `docs_${++table}`;
  await pg.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v ${type})`);
  await pg.adapter.execute(`INSERT INTO ${name} VALUES (1, $1::${type})`, [doc]);
  await other.adapter.execute(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY, v JSON)`);
  await other.adapter.execute(`INSERT INTO ${name} VALUES (1, ?)`, [text]);
  const counts = [];
  for (const [s, t] of [
    [pg.adapter, other.adapter],
    [other.adapter, pg.adapter],
  ]) {
    for (const mode of [{ validateAllRows: true }, { sampleSize: 5 }]) {
      counts.push((await validateDatabases(s!, t!, { ...mode, tables: [name] })).tables[0]!.differentRowsCount);
    }
  }
  return counts;
}

describe.each(['sqlite', 'd1'] as const)('Postgres against %s: JSON documents compare as documents', (dialect) => {
  it.each([
    ['jsonb', '"s"', '"s"'],
    ['d_doc', '"s"', '"s"'],
    ['json', ' "s" ', '"s"'],
    ['jsonb', '"{\\"a\\":1}"', '"{\\"a\\":1}"'],
    ['jsonb', 'null', null],
    ['d_doc', 'null', null],
    ['json', ' null ', null],
    ['json', '\n\t"s"', '"s"'],
    ['jsonb', '{"a": [1, "x"]}', '{"a":[1,"x"]}'],
    ['jsonb', '1.50', '1.50'],
    ['jsonb', 'null', 'null'],
    ['json', ' null ', 'null'],
    ['d_doc', 'null', ' null\n'],
    // SQLite text that is no JSON document: a copy writes it into Postgres as the JSON string holding it.
    ['jsonb', '"s"', 's'],
    ['jsonb', '"{\\"a\\":1"', '{"a":1'],
  ])('%s %s against %j is equal', async (type, doc, text) => {
    expect(await differing(dialect, type, doc, text)).toEqual([0, 0, 0, 0]);
  });

  it.each([
    ['jsonb', '"s"', '"t"'],
    ['jsonb', '"s "', 's'],
    ['d_doc', '"s"', '"S"'],
    ['jsonb', '"{\\"a\\":1}"', '{"a":1}'],
    ['jsonb', '"1"', '1'],
    ['jsonb', 'null', '"null"'],
    ['jsonb', null, 'null'],
    ['json', null, ' null '],
    ['jsonb', '{"a": 1}', '{"a": 2}'],
  ])('%s %s against %j is different', async (type, doc, text) => {
    expect(await differing(dialect, type, doc, text)).toEqual([1, 1, 1, 1]);
  });
});

describe.each(['sqlite', 'd1'] as const)('repair between Postgres and %s writes JSON documents as they are', (dialect) => {
  const DOCS: [number, string | null][] = [
    [1, '"s"'],
    [2, '"{\\"a\\":1}"'],
    [3, '"1"'],
    [4, 'null'],
    [5, '{"a": [1, "x"]}'],
    [6, 'true'],
  ];

  it('from Postgres: each row written reads back as its document, and validation is equal after it', async () => {
    const other = others.get(dialect)!;
    const name = `repair_${++table}`;
    await pg.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v jsonb)`);
    for (const [id, doc] of DOCS) await pg.adapter.execute(`INSERT INTO ${name} VALUES (?, ?::jsonb)`, [id, doc]);
    await other.adapter.execute(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY, v JSON)`);
    const report = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: [name] });
    expect(report.tables[0]!.missingInTargetCount).toBe(DOCS.length);
    expect(await repair(report, pg.adapter, other.adapter)).toMatchObject({ upserted: DOCS.length, stillDifferent: 0 });
    expect(await other.adapter.query(`SELECT v FROM ${name} WHERE id <= 3 ORDER BY id`)).toEqual([
      { v: '"s"' },
      { v: '"{\\"a\\":1}"' },
      { v: '"1"' },
    ]);
    expect((await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: [name] })).ok).toBe(true);
  });

  it('into Postgres: text that is no JSON document arrives as the JSON string, `null` as the null document, and validation is equal after it', async () => {
    const other = others.get(dialect)!;
    const name = `repair_${++table}`;
    await other.adapter.execute(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY, v JSON)`);
    await other.adapter.execute(`INSERT INTO ${name} VALUES (1, 's'), (2, '"t"'), (3, '{"a":1}'), (4, NULL), (5, 'null')`);
    await pg.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, v jsonb)`);
    const report = await validateDatabases(other.adapter, pg.adapter, { validateAllRows: true, tables: [name] });
    expect(await repair(report, other.adapter, pg.adapter)).toMatchObject({ upserted: 5, stillDifferent: 0 });
    expect(await pg.adapter.query(`SELECT v::text AS v FROM ${name} ORDER BY id`)).toEqual([
      { v: '"s"' },
      { v: '"t"' },
      { v: '{"a": 1}' },
      { v: null },
      { v: 'null' },
    ]);
    expect((await validateDatabases(other.adapter, pg.adapter, { validateAllRows: true, tables: [name] })).ok).toBe(true);
  });
});
