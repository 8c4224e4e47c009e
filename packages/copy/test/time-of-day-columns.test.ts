import { describe, expect, it } from 'vitest';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, translateSchema } from '../src/index';
import { eachSqliteSource, usePostgresDatabase } from './fixtures';

// SQLite gives a column declared TIME the NUMERIC affinity, and translateSchema made it a
// Postgres numeric, which refused every value the apps that declare it write ('10:00:00' from
// Django, '2000-01-01 10:00:00' from Rails). It is text now, kept as written, with a warning.
const SQLITE = 'CREATE TABLE shops (id INTEGER PRIMARY KEY, opens TIME, closes time, span INTERVAL)';
const ROWS: unknown[][] = [
  [1, '09:00:00', '17:30', '1 day'],
  [2, '2000-01-01 10:00:00', '23:59:59.500000', null],
  [3, null, 36000, 'P1D'],
];

describe('SQLite TIME columns into Postgres', () => {
  const postgres = usePostgresDatabase();

  it('are translated to text with a warning, copied as written, and validate equal', async () => {
    await eachSqliteSource(SQLITE, 'INSERT INTO shops VALUES (?, ?, ?, ?)', ROWS as never, async (source) => {
      await postgres.adapter.execute('DROP TABLE IF EXISTS shops');
      const schema = translateSchema(await source.introspect(), 'postgres');
      expect(schema.statements.join('\n')).toMatch(/"opens" text,\s+"closes" text,\s+"span" text/);
      expect(schema.warnings.map((w) => w.message).join('\n')).toMatch(/"TIME" holds text in SQLite .*created as text/);
      for (const sql of schema.statements) await postgres.adapter.execute(sql);
      await copyTables(source, postgres.adapter, { checkpoint: false });
      expect(await postgres.adapter.query('SELECT opens, closes, span FROM shops ORDER BY id')).toEqual([
        { opens: '09:00:00', closes: '17:30', span: '1 day' },
        { opens: '2000-01-01 10:00:00', closes: '23:59:59.500000', span: null },
        { opens: null, closes: '36000', span: 'P1D' },
      ]);
      expect((await validateDatabases(source, postgres.adapter, { validateAllRows: true })).ok).toBe(true);
    });
  });
});
