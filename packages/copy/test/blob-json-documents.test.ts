import { describe, expect, it } from 'vitest';
import { repair, validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { copyError, eachSqliteSource, usePostgresDatabase } from './fixtures';
import { createDualWriteAdapter } from './patient-dual-write';

// Drizzle's blob json mode keeps each document as the bytes of its JSON text in a SQLite or D1
// BLOB column. Into a Postgres jsonb column, the copy's COPY path from SQLite wrote the document
// those bytes spell, but its INSERT path, a D1 source and dual write wrote the blob serialized
// ({"type": "Buffer", "data": [...]} or {"0": 123, ...}), and validation called the columns
// incomparable. Every path writes the document now, and validation compares it.
const SQLITE = 'CREATE TABLE prefs (id INTEGER PRIMARY KEY, doc BLOB)';
const POSTGRES = 'CREATE TABLE prefs (id int PRIMARY KEY, doc jsonb)';
const bytes = (text: string) => Buffer.from(text, 'utf8');
const ROWS: unknown[][] = [
  [1, bytes('{"theme":"dark","size":12}')],
  [2, bytes('[1,2,3]')],
  [3, bytes('"s"')],
  [4, bytes('not json')],
  [5, null],
  [6, Buffer.from([0xff, 0xfe, 0x00])],
];
const DOCS = [{ theme: 'dark', size: 12 }, [1, 2, 3], 's', 'not json', null];

describe('JSON documents kept as blobs, into Postgres jsonb', () => {
  const postgres = usePostgresDatabase();
  const reset = () => postgres.adapter.execute(`DROP TABLE IF EXISTS prefs; ${POSTGRES}`);
  const docs = async () => (await postgres.adapter.query<{ doc: unknown }>('SELECT doc FROM prefs ORDER BY id')).map((r) => r.doc);

  it.each([
    ['COPY', true],
    ['INSERT', false],
  ])('copied by %s as the documents their bytes spell; validated against them', async (_, copyFastPath) => {
    await eachSqliteSource(SQLITE, 'INSERT INTO prefs VALUES (?, ?)', ROWS as never, async (source) => {
      await reset();
      const error = await copyError(copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath }));
      expect(error.message).toMatch(/key \(6\), column "doc": the value is a blob .* whose bytes are not UTF-8 text/);
      await source.execute('DELETE FROM prefs WHERE id = 6');
      await copyTables(source, postgres.adapter, { checkpoint: false, copyFastPath });
      expect(await docs()).toEqual(DOCS);
      expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
      // One byte changed at the source ('dark' to 'darK') is a difference.
      await source.execute('UPDATE prefs SET doc = ? WHERE id = 1', [bytes('{"theme":"darK","size":12}')]);
      const changed = await validateDatabases(source, postgres.adapter, { validateAllRows: true });
      expect(changed.tables[0]!.differentRows.map((d) => d.key)).toEqual([{ id: 1 }]);
      expect((await validateDatabases(source, postgres.adapter)).ok).toBe(false);
    });
  });

  it('repaired and sent by dual write as the same documents', async () => {
    await eachSqliteSource(SQLITE, 'INSERT INTO prefs VALUES (?, ?)', ROWS.slice(0, 5) as never, async (source) => {
      await reset();
      const report = await validateDatabases(source, postgres.adapter, { validateAllRows: true });
      expect(await repair(report, source, postgres.adapter)).toMatchObject({ upserted: 5, stillDifferent: 0 });
      expect(await docs()).toEqual(DOCS);
      await postgres.adapter.execute('DELETE FROM prefs');
      await source.execute('DELETE FROM prefs');
      const dual = createDualWriteAdapter(source, postgres.adapter, { verifyWrites: true });
      // verifyWrites compares each row as the document too.
      for (const row of ROWS.slice(0, 5)) if (row[0] !== 4) await dual.execute('INSERT INTO prefs VALUES (?, ?)', row);
      await dual.execute('INSERT INTO prefs VALUES (?, ?)', ROWS[3]!);
      expect(await docs()).toEqual(DOCS);
      // The blob that is no JSON text went as the JSON string holding it, and verifyWrites said so.
      expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 1 });
      expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
    });
  });
});
