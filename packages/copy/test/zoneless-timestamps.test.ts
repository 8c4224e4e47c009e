import { describe, expect, it } from 'vitest';
import { repair, validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { eachSqliteSource, usePostgresDatabase } from './fixtures';
import { createDualWriteAdapter } from './patient-dual-write';

// A Postgres `timestamp` without time zone keeps the wall time of text with an offset and drops
// the offset: SQLite's '2024-01-01T10:00:00+02:00' (08:00 UTC) was copied, and sent by dual
// write, as 10:00, where a Date, SQLite's zoneless text and repair all give the UTC wall time.
// Validation reported each such row different, and a copy never agreed with a repair.
const SQLITE = 'CREATE TABLE stamps (id INTEGER PRIMARY KEY, at DATETIME, note TEXT)';
const POSTGRES = 'CREATE TABLE stamps (id int PRIMARY KEY, at timestamp(6) without time zone, note text)';
const INSERT = `INSERT INTO stamps VALUES (?, ?, 'x')`;
const ROWS: [number, string][] = [
  [1, '2024-01-01T10:00:00+02:00'],
  [2, '2024-01-01T10:00:00.123456-05:30'],
  [3, '2024-01-01 23:30:00+0100'],
  [4, '2024-01-01T10:00:00Z'],
  [5, '2024-01-01 10:00:00'],
];
/** Each row's UTC wall time, as Postgres prints a timestamp. */
const UTC_WALL = ['2024-01-01 08:00:00', '2024-01-01 15:30:00.123456', '2024-01-01 22:30:00', '2024-01-01 10:00:00', '2024-01-01 10:00:00'];

describe('text with an offset into a Postgres timestamp without time zone', () => {
  const postgres = usePostgresDatabase();
  const pgRows = async () =>
    (await postgres.adapter.query<{ at: string }>('SELECT at::text AS at FROM stamps ORDER BY id')).map((r) => r.at);

  it.each([
    ['COPY', true],
    ['INSERT', false],
  ])('copied by %s from SQLite and D1: the instant’s UTC wall time, equal after, a minute off flagged', async (_, copyFastPath) => {
    await eachSqliteSource(SQLITE, INSERT, ROWS, async (source) => {
      await postgres.adapter.execute(`DROP TABLE IF EXISTS stamps; ${POSTGRES}`);
      await copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath });
      expect(await pgRows()).toEqual(UTC_WALL);
      expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
      // The least change: one row a minute off on Postgres.
      await postgres.adapter.execute(`UPDATE stamps SET at = at + interval '1 minute' WHERE id = 2`);
      for (const mode of [{ validateAllRows: true }, { sampleSize: 10 }]) {
        const report = await validateDatabases(source, postgres.adapter, mode);
        expect(report.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 2 }]);
      }
      // repair writes what the copy writes.
      const report = await validateDatabases(source, postgres.adapter, { validateAllRows: true });
      expect(await repair(report, source, postgres.adapter)).toMatchObject({ upserted: 1, stillDifferent: 0 });
      expect(await pgRows()).toEqual(UTC_WALL);
    });
  });

  it('sent by dual write from SQLite and D1: the same, and verifyWrites sees no divergence', async () => {
    await eachSqliteSource(SQLITE, INSERT, [], async (primary) => {
      await postgres.adapter.execute(`DROP TABLE IF EXISTS stamps; ${POSTGRES}`);
      const dual = createDualWriteAdapter(primary, postgres.adapter, { verifyWrites: true });
      for (const [id, at] of ROWS) await dual.execute('INSERT INTO stamps VALUES (?, ?, ?)', [id, at, 'x']);
      await dual.execute(`UPDATE stamps SET note = 'y' WHERE id <= 3`);
      expect(await pgRows()).toEqual(UTC_WALL);
      expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0, divergencesSettled: 0 });
      expect((await validateDatabases(primary, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
    });
  });
});
