import { describe, expect, it } from 'vitest';
import { repair, validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { copyError, eachSqliteSource, usePostgresDatabase } from './fixtures';
import { createDualWriteAdapter } from './patient-dual-write';

// SQLite keeps whatever a BOOLEAN or DECIMAL(10,2) column is given; Postgres makes 2 and 'yes'
// true and rounds 1.005 to 1.01, without a word. Validation compares what each side holds and
// reported such rows, which no repair could settle. Such values are refused by row now, the
// same on every path: the copy's COPY and INSERT, repair, and dual write's row images.
const SQLITE = 'CREATE TABLE prices (id INTEGER PRIMARY KEY, active BOOLEAN, price DECIMAL(10,2))';
const POSTGRES = 'CREATE TABLE prices (id int PRIMARY KEY, active boolean, price numeric(10,2))';
const INSERT = 'INSERT INTO prices VALUES (?, ?, ?)';
const ROWS: [number, unknown, unknown][] = [
  [1, 1, 59.97],
  [2, 0, 0.1],
  [3, 'true', '12.50'],
  [4, ' F ', 1200],
  [5, null, null],
  [6, 2, 3],
  [7, 1, 0.30000000000000004],
];
const FIX = ['UPDATE prices SET active = 1 WHERE id = 6', 'UPDATE prices SET price = round(price, 2) WHERE id = 7'];

describe('values a Postgres boolean or numeric(p, s) would change', () => {
  const postgres = usePostgresDatabase();
  const reset = () => postgres.adapter.execute(`DROP TABLE IF EXISTS prices; ${POSTGRES}`);

  it.each([
    ['COPY', true],
    ['INSERT', false],
  ])('copied by %s: refused by key and column, then copied equal once fixed', async (_, copyFastPath) => {
    await eachSqliteSource(SQLITE, INSERT, ROWS, async (source) => {
      await reset();
      const error = await copyError(copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath }));
      expect(error.message).toMatch(/key \(6\), column "active": the value 2 in a boolean column is neither 1 nor 0/);
      await source.execute(FIX[0]!);
      const rounded = await copyError(copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath }));
      expect(rounded.message).toMatch(
        /key \(7\), column "price": the number 0\.30000000000000004 has more fraction digits than the column's numeric scale \(2\)/,
      );
      await source.execute(FIX[1]!);
      await copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath });
      expect(await postgres.adapter.query('SELECT active, price FROM prices ORDER BY id')).toEqual([
        { active: true, price: '59.97' },
        { active: false, price: '0.10' },
        { active: true, price: '12.50' },
        { active: false, price: '1200.00' },
        { active: null, price: null },
        { active: true, price: '3.00' },
        { active: true, price: '0.30' },
      ]);
      expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
    });
  });

  it('repaired: held back with the reason; sent by dual write: journaled, the secondary untouched', async () => {
    await eachSqliteSource(SQLITE, INSERT, ROWS, async (source) => {
      await reset();
      const report = await validateDatabases(source, postgres.adapter, { validateAllRows: true });
      const repaired = await repair(report, source, postgres.adapter);
      expect(repaired).toMatchObject({ upserted: 5, stillDifferent: 2 });
      expect(repaired.tables[0]!.stillDifferent).toEqual([
        { key: { id: 6 }, reasons: [expect.stringMatching(/^active: not written: the value 2 in a boolean column/)] },
        {
          key: { id: 7 },
          reasons: [expect.stringMatching(/^price: not written: the number 0\.30000000000000004 has more fraction digits/)],
        },
      ]);

      const dual = createDualWriteAdapter(source, postgres.adapter, { continueOnSecondaryFailure: true });
      await dual.execute(`INSERT INTO prices VALUES (8, 'yes', 1), (9, 1, 1.25)`);
      await dual.execute(`INSERT INTO prices VALUES (10, 1, 19.999)`);
      expect(await postgres.adapter.query('SELECT id FROM prices WHERE id > 7')).toEqual([]);
      expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 2, journalDepth: 2 });
      const entries = await dual.journalEntries();
      expect(entries.map((e) => e.error)).toEqual([
        expect.stringMatching(/the value "yes" in a boolean column/),
        expect.stringMatching(/the number 19\.999 has more fraction digits/),
      ]);
      for (const entry of entries) await dual.discardJournalEntry(entry.id);
    });
  });
});
