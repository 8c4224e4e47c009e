import { describe, expect, it } from 'vitest';
import { UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import { copyTables, translateSchema } from '../src/index';
import { assertTablesEqual, copyError, usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// SQLite stores DEFAULT 'now' (a common slip for CURRENT_TIMESTAMP) as the word 'now' in each
// row. Postgres reads 'now', 'today', 'tomorrow', 'yesterday' and 'epoch' in date and time
// input as moments of its own: copied, every such row held the copy's time, and the
// translated DEFAULT 'now' was fixed to the moment the table was created.
const TABLE = `CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME DEFAULT 'now', day DATE DEFAULT 'today', note TEXT)`;

async function seed(source: DatabaseAdapter): Promise<void> {
  await source.execute(TABLE);
  await source.batch(
    Array.from({ length: 30 }, (_, b) => ({
      sql: `WITH RECURSIVE n(i) AS (SELECT ${b * 100 + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${b * 100 + 100}) INSERT INTO events SELECT i, '2024-05-06 07:08:09', '2024-05-06', CASE i WHEN 1500 THEN 'now' END FROM n`,
    })),
  );
  // The default fills one row with the words themselves.
  await source.execute('INSERT INTO events (id, note) VALUES (3001, ?)', ['today']);
}

describe('words Postgres reads as a moment of its own', () => {
  const postgres = usePostgresDatabase();

  it("SQLite and D1 -> Postgres: a DEFAULT 'now' asks the clock at each insert; a row holding the word is named, and the copy resumes once it is set", async () => {
    await withSqliteAndD1(async ({ sqlite, d1 }) => {
      for (const source of [sqlite, d1]) {
        await seed(source);
        const schema = translateSchema(await source.introspect(), 'postgres', { from: 'sqlite' });
        expect(schema.statements[0]).toMatch(/"at" timestamptz DEFAULT CURRENT_TIMESTAMP,\n {2}"day" date DEFAULT CURRENT_DATE/);
        expect(schema.warnings.map((w) => [w.column, w.kind, w.untranslated])).toEqual([
          ['at', 'default', false],
          ['day', 'default', false],
        ]);
        expect(schema.warnings[0]!.message).toMatch(/read once, when the table is created: it is CURRENT_TIMESTAMP/);
        for (const sql of schema.statements) await postgres.adapter.execute(sql);
        const defaults = await postgres.adapter.query<{ d: string }>(
          "SELECT pg_get_expr(adbin, adrelid) AS d FROM pg_attrdef WHERE adrelid = 'events'::regclass ORDER BY adnum",
        );
        expect(defaults.map((r) => r.d)).toEqual(['CURRENT_TIMESTAMP', 'CURRENT_DATE']);

        // SQLite renders COPY text (a page holding the word goes the row way); D1 goes by rows.
        const error = await copyError(copyTables(source, postgres.adapter));
        expect(error.message).toMatch(/Table "events", key \(3001\), column "at": the text "now" is the word 'now'/);
        expect(error.message).toMatch(/Set it at the source to the time it stands for, or NULL/);
        expect(error.cause).toBeInstanceOf(UnsupportedError);
        await source.execute("UPDATE events SET at = '2024-05-06 07:08:09' WHERE id = 3001");
        const again = await copyError(copyTables(source, postgres.adapter));
        expect(again.message).toMatch(/key \(3001\), column "day": the text "today" is the word 'today'/);
        await source.execute("UPDATE events SET day = '2024-05-06' WHERE id = 3001");
        await copyTables(source, postgres.adapter);
        // A text column holding the same words is copied as text.
        expect(await assertTablesEqual(source, postgres.adapter, 'events')).toBe(3001);
        await postgres.adapter.execute('DROP TABLE events');
        await postgres.adapter.execute('DROP TABLE IF EXISTS _switchyard_checkpoints');
      }
    });
  });
});
