import { describe, expect, it } from 'vitest';
import { repair, validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { copyError, eachSqliteSource, usePostgresDatabase } from './fixtures';
import { createDualWriteAdapter } from './patient-dual-write';

// A SQLite or D1 DATE column may hold datetime text; a Postgres date keeps its date and drops
// the time of day (and the offset) without a word. The copy wrote '2024-01-04T10:00:00Z' as
// 2024-01-04, dual write sent it so, and validation then reported the row, which no repair
// could make equal. Such a value is refused now, naming the row and the fix; midnight is its date.
const SQLITE = 'CREATE TABLE days (id INTEGER PRIMARY KEY, day DATE, note TEXT)';
const POSTGRES = 'CREATE TABLE days (id int PRIMARY KEY, day date, note text)';
const INSERT = `INSERT INTO days VALUES (?, ?, 'x')`;
const ROWS: [number, string][] = [
  [1, '2024-01-01'],
  [2, '2024-01-02 00:00:00'],
  [3, '2024-01-03T00:00:00.000Z'],
  [4, '2024-01-04T10:00:00Z'],
];

describe('datetime text in a date column, into Postgres', () => {
  const postgres = usePostgresDatabase();
  const reset = () => postgres.adapter.execute(`DROP TABLE IF EXISTS days; ${POSTGRES}`);

  it.each([
    ['COPY', true],
    ['INSERT', false],
  ])('copied by %s: a time of day refused by key and column, midnight as its date', async (_, copyFastPath) => {
    await eachSqliteSource(SQLITE, INSERT, ROWS, async (source) => {
      await reset();
      const error = await copyError(copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath }));
      expect(error.message).toMatch(/key \(4\), column "day": the text '2024-01-04T10:00:00Z' holds a time of day.*timestamp type/);
      await source.execute(`UPDATE days SET day = '2024-01-04' WHERE id = 4`);
      await copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath });
      expect(await postgres.adapter.query('SELECT day::text AS day FROM days ORDER BY id')).toEqual(
        ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'].map((day) => ({ day })),
      );
      expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
    });
  });

  it('repaired: held back with the reason; sent by dual write: journaled, the secondary untouched', async () => {
    await eachSqliteSource(SQLITE, INSERT, ROWS, async (source) => {
      await reset();
      const report = await validateDatabases(source, postgres.adapter, { validateAllRows: true });
      const repaired = await repair(report, source, postgres.adapter);
      expect(repaired).toMatchObject({ upserted: 3, stillDifferent: 1 });
      expect(repaired.tables[0]!.stillDifferent).toEqual([
        { key: { id: 4 }, reasons: [expect.stringMatching(/^day: not written: the text '2024-01-04T10:00:00Z' holds a time of day/)] },
      ]);

      const dual = createDualWriteAdapter(source, postgres.adapter, { continueOnSecondaryFailure: true });
      await dual.execute(`INSERT INTO days VALUES (5, '2024-01-05T23:30:00-05:00', 'y'), (6, '2024-01-06', 'y')`);
      expect(await postgres.adapter.query('SELECT id FROM days WHERE id > 4')).toEqual([]);
      expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 1, journalDepth: 1 });
      const [entry] = await dual.journalEntries();
      expect(entry!.error).toMatch(/the text '2024-01-05T23:30:00-05:00' holds a time of day/);
      await dual.discardJournalEntry(entry!.id);
    });
  });
});
