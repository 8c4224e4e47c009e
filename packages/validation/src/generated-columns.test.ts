import { afterEach, describe, expect, it } from 'vitest';
import type { DialectName } from '@switchyard/core';
import { repair, validateDatabases } from './index';
import { ENGINE_PAIRS, openEngine, type TestEngine } from '../test/engine-pairs';

// A generated column is computed by each engine from the row: SQLite's table_info does not
// even list one, so it used to read as a column of one side only. Both sides now list it,
// its values are compared like any other, and repair never writes it.

const DDL: Record<DialectName, (expression: string) => string> = {
  sqlite: (e) =>
    `CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, twice INTEGER GENERATED ALWAYS AS (${e}) STORED, label TEXT AS ('n' || a))`,
  d1: (e) =>
    `CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, twice INTEGER GENERATED ALWAYS AS (${e}) STORED, label TEXT AS ('n' || a))`,
  postgres: (e) =>
    `CREATE TABLE g (id int PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (${e}) STORED, label text GENERATED ALWAYS AS ('n' || a) STORED)`,
};

const opened: TestEngine[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.dispose()));
});

async function pair(source: DialectName, target: DialectName, targetExpression = 'a * 2') {
  const [s, t] = await Promise.all([openEngine(source), openEngine(target)]);
  opened.push(s, t);
  await s.adapter.execute(DDL[source]('a * 2'));
  await t.adapter.execute(DDL[target](targetExpression));
  for (const side of [s, t]) await side.adapter.execute('INSERT INTO g (id, a) VALUES (1, 1), (2, 2), (3, 3)');
  return { source: s.adapter, target: t.adapter };
}

describe('generated columns', () => {
  for (const [source, target] of ENGINE_PAIRS) {
    it(`${source} -> ${target}: listed on both sides, compared, and equal`, async () => {
      const { source: s, target: t } = await pair(source, target);
      const [table] = await s.introspect();
      expect(table!.columns.filter((c) => c.generated).map((c) => c.name)).toEqual(['twice', 'label']);
      const report = await validateDatabases(s, t, { validateAllRows: true });
      expect(report.tables[0]!.schemaDifferences).toEqual([]);
      expect(report.ok).toBe(true);
    });
  }

  it('a generated value one apart on the target is flagged, and repair reports it without writing the column', async () => {
    const { source, target } = await pair('sqlite', 'postgres', 'a * 2 + CASE WHEN id = 2 THEN 1 ELSE 0 END');
    const report = await validateDatabases(source, target, { validateAllRows: true });
    expect(report.ok).toBe(false);
    expect(report.tables[0]!.differentRows.map((r) => r.key)).toEqual([{ id: 2 }]);
    // Repair writes the other columns (Postgres refuses a value for a generated one); the
    // target's own expression still yields 5, so the row stays different and says so.
    const result = await repair(report, source, target);
    expect(result.stillDifferent).toBe(1);
    expect(result.tables[0]!.stillDifferent[0]!.reasons).toEqual([
      expect.stringMatching(/^twice: the target computes "5" for the source.s "4" \(a generated column/),
    ]);
    expect(await target.query('SELECT id, a, twice FROM g ORDER BY id')).toEqual([
      { id: 1, a: 1, twice: 2 },
      { id: 2, a: 2, twice: 5 },
      { id: 3, a: 3, twice: 6 },
    ]);
  });

  it("a virtual table's hidden columns are not listed", async () => {
    const e = await openEngine('sqlite');
    opened.push(e);
    await e.adapter.execute('CREATE VIRTUAL TABLE docs USING fts5(body)');
    const docs = (await e.adapter.introspect()).find((t) => t.name === 'docs');
    expect(docs?.columns.map((c) => c.name)).toEqual(['body']);
  });
});
