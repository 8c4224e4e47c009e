import { afterAll, beforeAll, expect, it } from 'vitest';
import { repair, validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// A Postgres numeric with more digits than SQLite keeps, repaired into a SQLite or D1 NUMERIC
// column, was written as the double SQLite made of it. It is held back and reported now.
let pg: TestEngine;
beforeAll(async () => {
  pg = await openEngine('postgres');
  await pg.adapter.execute('CREATE TABLE amounts (id integer PRIMARY KEY, n numeric)');
  await pg.adapter.execute(`INSERT INTO amounts VALUES (1, 1.50), (2, 12345678901234567890.123), (3, 99999999999999999999)`);
});
afterAll(() => pg?.dispose());

it.each(['sqlite', 'd1'] as const)(
  'repair into a %s NUMERIC column holds back the numerics it would round, into TEXT writes them',
  async (dialect) => {
    for (const declared of ['NUMERIC', 'TEXT']) {
      const other = await openEngine(dialect);
      try {
        await other.adapter.execute(`CREATE TABLE amounts (id INTEGER PRIMARY KEY, n ${declared})`);
        const report = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: ['amounts'] });
        const repaired = await repair(report, pg.adapter, other.adapter);
        const after = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: ['amounts'] });
        if (declared === 'TEXT') {
          expect(repaired).toMatchObject({ upserted: 3, stillDifferent: 0 });
          expect(after.ok).toBe(true);
          continue;
        }
        expect(repaired).toMatchObject({ upserted: 1, stillDifferent: 2 });
        expect(repaired.tables[0]!.stillDifferent).toEqual(
          [2, 3].map((id) => ({
            key: { id },
            reasons: [
              expect.stringMatching(
                /^n: not written: the numeric \d+(\.123)? has more than 15 significant digits.*Declare the column TEXT/,
              ),
            ],
          })),
        );
        expect(await other.adapter.query('SELECT id, n FROM amounts')).toEqual([{ id: 1, n: 1.5 }]);
        expect(after.tables[0]!.missingInTargetCount).toBe(2);
      } finally {
        await other.dispose();
      }
    }
  },
);
