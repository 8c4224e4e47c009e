import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter, DialectName } from '@switchyard/core';
import { openEngine, type TestEngine } from '../test/engine-pairs';
import { validateDatabases } from './index';

// A SQLite or D1 column may hold any storage class (a column declared without a type, as a
// key-value table's `v` often is, holds each value as it was bound). Validation normalized
// text '1' and integer 1 alike, and the checksum cast text to a blob, so 'abc' matched a
// blob of its bytes: "equal" for values the app reads, compares and sorts differently.
const opened: TestEngine[] = [];
afterEach(async () => {
  for (const engine of opened.splice(0)) await engine.dispose();
});

async function pair(source: DialectName, target: DialectName): Promise<[DatabaseAdapter, DatabaseAdapter]> {
  const sides = [await openEngine(source), await openEngine(target)];
  opened.push(...sides);
  return [sides[0]!.adapter, sides[1]!.adapter];
}

const TABLE = 'CREATE TABLE kv (k INTEGER PRIMARY KEY, v, b BLOB, n NUMERIC)';

/** One value of the source, minimally changed on the target: the same text, or bytes, or number in another class. */
const MUTATIONS: [column: string, source: string, target: string][] = [
  ['v', "'1'", '1'],
  ['v', "'1.5'", '1.5'],
  ['v', "'abc'", "X'616263'"],
  ['v', "''", "X''"],
  ['b', "X'616263'", "'abc'"],
  ['n', "'1x'", "X'3178'"],
];

/** What validation reads as one value: an integer and a real of the same number (JavaScript holds both as a number). */
const ALIKE: [column: string, source: string, target: string][] = [
  ['v', '1', '1.0'],
  ['v', "'x'", "'x'"],
];

async function validate(source: DatabaseAdapter, target: DatabaseAdapter, column: string, a: string, b: string) {
  for (const side of [source, target]) {
    await side.execute('DROP TABLE IF EXISTS kv');
    await side.execute(TABLE);
  }
  const fill = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO kv SELECT i, i, NULL, i FROM n';
  for (const side of [source, target]) await side.execute(fill);
  await source.execute(`UPDATE kv SET ${column} = ${a} WHERE k = 150`);
  await target.execute(`UPDATE kv SET ${column} = ${b} WHERE k = 150`);
  const merge = await validateDatabases(source, target, { validateAllRows: true, checksums: false });
  const checksum = await validateDatabases(source, target, { validateAllRows: true });
  const sample = await validateDatabases(source, target, { sampleSize: 1000 });
  return { merge, checksum, sample };
}

describe('a value stored in another storage class', () => {
  it.each([
    ['sqlite', 'sqlite'],
    ['sqlite', 'd1'],
    ['d1', 'sqlite'],
  ] as const)('%s -> %s: flagged by every method, naming the classes', async (s, t) => {
    const [source, target] = await pair(s, t);
    for (const [column, a, b] of MUTATIONS) {
      const { merge, checksum, sample } = await validate(source, target, column, a, b);
      for (const report of [merge, checksum, sample]) expect({ column, a, b, ok: report.ok }).toEqual({ column, a, b, ok: false });
      const [difference] = merge.tables[0]!.differentRows;
      expect(difference?.key).toEqual({ k: 150 });
      expect(difference?.columns.map((c) => c.column)).toEqual([column]);
    }
    const { merge } = await validate(source, target, 'v', "'1'", '1');
    const shown = merge.tables[0]!.differentRows[0]!.columns[0]!;
    expect([shown.sourceNormalized, shown.targetNormalized]).toEqual(['text "1"', 'number "1"']);
    for (const [column, a, b] of ALIKE) {
      const { merge, checksum, sample } = await validate(source, target, column, a, b);
      for (const report of [merge, checksum, sample]) expect({ column, a, b, ok: report.ok }).toEqual({ column, a, b, ok: true });
    }
  });

  it('SQLite -> Postgres compares by the Postgres column type, as before: text 1 in SQLite equals 1 in an integer column', async () => {
    const [source, target] = await pair('sqlite', 'postgres');
    await source.execute('CREATE TABLE kv (k INTEGER PRIMARY KEY, v)');
    await target.execute('CREATE TABLE kv (k bigint PRIMARY KEY, v bigint)');
    await source.execute("INSERT INTO kv VALUES (1, '1'), (2, 2)");
    await target.execute('INSERT INTO kv VALUES (1, 1), (2, 2)');
    expect((await validateDatabases(source, target, { validateAllRows: true })).ok).toBe(true);
  });
});
