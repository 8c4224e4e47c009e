import { describe, expect, it } from 'vitest';
import { repair, validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { copyError, eachSqliteSource, usePostgresDatabase } from './fixtures';
import { createDualWriteAdapter } from './patient-dual-write';

// SQLite keeps whatever a BOOLEAN, DECIMAL(10,2) or DATETIME column is given; Postgres makes 2
// and 'yes' true, rounds 1.005 to 1.01 in a numeric(10,2) and 10:00:00.5 to 10:00:01 in a
// timestamptz(0), without a word. Validation compares what each side holds and reported such
// rows, which no repair could settle. Such values are refused by row now, the same on every
// path: the copy's COPY and INSERT, repair, and dual write's row images.
const SQLITE = 'CREATE TABLE prices (id INTEGER PRIMARY KEY, active BOOLEAN, price DECIMAL(10,2), at DATETIME, seen TIMESTAMP)';
const POSTGRES = 'CREATE TABLE prices (id int PRIMARY KEY, active boolean, price numeric(10,2), at timestamptz(0), seen timestamp(3))';
const INSERT = 'INSERT INTO prices VALUES (?, ?, ?, ?, ?)';
const AT = '2024-01-01 10:00:00';
const SEEN = '2024-01-01T10:00:00.123Z';
const ROWS: unknown[][] = [
  [1, 1, 59.97, AT, SEEN],
  [2, 0, 0.1, 1704103200, 1704103200123],
  [3, 'true', '12.50', AT, SEEN],
  [4, ' F ', 1200, AT, SEEN],
  [5, null, null, null, null],
  [6, 2, 3, AT, SEEN],
  [7, 1, 0.30000000000000004, AT, SEEN],
  [8, 1, 1, '2024-01-01T10:00:00.500Z', SEEN],
  [9, 1, 1, AT, '2024-01-01 10:00:00.123456'],
];
// Each refusal, in key order, and the fix that lets the copy past it.
const REFUSED: [RegExp, string][] = [
  [/key \(6\), column "active": the value 2 in a boolean column is neither 1 nor 0/, 'UPDATE prices SET active = 1 WHERE id = 6'],
  [
    /key \(7\), column "price": the number 0\.30000000000000004 has more fraction digits than the column's numeric scale \(2\)/,
    'UPDATE prices SET price = round(price, 2) WHERE id = 7',
  ],
  [
    /key \(8\), column "at": the time "2024-01-01T10:00:00\.500Z" has more fractional-second digits than the column's timestamp\(0\)/,
    `UPDATE prices SET at = '${AT}' WHERE id = 8`,
  ],
  [
    /key \(9\), column "seen": the time "2024-01-01 10:00:00\.123456" has more fractional-second digits than the column's timestamp\(3\)/,
    `UPDATE prices SET seen = '${SEEN}' WHERE id = 9`,
  ],
];

describe('values a Postgres boolean, numeric(p, s) or timestamp(p) would change', () => {
  const postgres = usePostgresDatabase();
  const reset = () => postgres.adapter.execute(`DROP TABLE IF EXISTS prices; ${POSTGRES}`);

  it.each([
    ['COPY', true],
    ['INSERT', false],
  ])('copied by %s: refused by key and column, then copied equal once fixed', async (_, copyFastPath) => {
    await eachSqliteSource(SQLITE, INSERT, ROWS as never, async (source) => {
      await reset();
      for (const [refusal, fix] of REFUSED) {
        const error = await copyError(copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath }));
        expect(error.message).toMatch(refusal);
        await source.execute(fix);
      }
      await copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath });
      const copied = await postgres.adapter.query<{ active: boolean | null; price: string | null }>(
        'SELECT active, price FROM prices ORDER BY id',
      );
      expect(copied.map((r) => [r.active, r.price])).toEqual([
        [true, '59.97'],
        [false, '0.10'],
        [true, '12.50'],
        [false, '1200.00'],
        [null, null],
        [true, '3.00'],
        [true, '0.30'],
        [true, '1.00'],
        [true, '1.00'],
      ]);
      expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
    });
  });

  it('repaired: held back with the reason; sent by dual write: journaled, the secondary untouched', async () => {
    await eachSqliteSource(SQLITE, INSERT, ROWS as never, async (source) => {
      await reset();
      const report = await validateDatabases(source, postgres.adapter, { validateAllRows: true });
      const repaired = await repair(report, source, postgres.adapter);
      expect(repaired).toMatchObject({ upserted: 5, stillDifferent: 4 });
      expect(repaired.tables[0]!.stillDifferent).toEqual([
        { key: { id: 6 }, reasons: [expect.stringMatching(/^active: not written: the value 2 in a boolean column/)] },
        {
          key: { id: 7 },
          reasons: [expect.stringMatching(/^price: not written: the number 0\.30000000000000004 has more fraction digits/)],
        },
        {
          key: { id: 8 },
          reasons: [expect.stringMatching(/^at: not written: the time "2024-01-01T10:00:00\.500Z" has more fractional-second digits/)],
        },
        { key: { id: 9 }, reasons: [expect.stringMatching(/^seen: not written: the time "2024-01-01 10:00:00\.123456" has more/)] },
      ]);

      const dual = createDualWriteAdapter(source, postgres.adapter, { continueOnSecondaryFailure: true });
      await dual.execute(`INSERT INTO prices VALUES (10, 'yes', 1, NULL, NULL), (11, 1, 1.25, NULL, NULL)`);
      await dual.execute(`INSERT INTO prices VALUES (12, 1, 19.999, NULL, NULL)`);
      await dual.execute(`INSERT INTO prices VALUES (13, 1, 1, ?, NULL)`, [new Date(Date.UTC(2024, 0, 1, 10, 0, 0, 250))]);
      expect(await postgres.adapter.query('SELECT id FROM prices WHERE id > 9')).toEqual([]);
      expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 3, journalDepth: 3 });
      const entries = await dual.journalEntries();
      expect(entries.map((e) => e.error)).toEqual([
        expect.stringMatching(/the value "yes" in a boolean column/),
        expect.stringMatching(/the number 19\.999 has more fraction digits/),
        expect.stringMatching(/the time "2024-01-01T10:00:00\.250Z" has more fractional-second digits than the column's timestamp\(0\)/),
      ]);
      for (const entry of entries) await dual.discardJournalEntry(entry.id);
    });
  });
});
