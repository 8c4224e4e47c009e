import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, translateSchema } from '../src/index';
import { copyError, usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// A SQLite or D1 column without a type holds any value, blobs too; translated to Postgres it
// is text. A blob of UTF-8 bytes is that text there. A blob of other bytes cannot be text:
// the copy wrote it with U+FFFD in place of the bad bytes (SQLite's COPY text) or as its
// '\x…' hex spelling (D1) and said "done"; now it stops and names the row.
const ROWS = 600;

async function seed(source: DatabaseAdapter): Promise<void> {
  await source.execute('CREATE TABLE kv (k INTEGER PRIMARY KEY, v)');
  const values = Array.from({ length: ROWS }, (_, i) => {
    const k = i + 1;
    const v = k === 100 ? "X'6869'" : k === 300 ? "X'41FF'" : k % 3 === 0 ? String(k) : `'text ${k}'`;
    return `(${k}, ${v})`;
  });
  for (let i = 0; i < values.length; i += 50) await source.execute(`INSERT INTO kv VALUES ${values.slice(i, i + 50).join(', ')}`);
}

describe('a blob in a column Postgres holds as text', () => {
  const postgres = usePostgresDatabase();
  const cases = [
    { name: 'SQLite, COPY text rendered by SQLite', d1: false, copyFastPath: true },
    { name: 'SQLite, INSERT', d1: false, copyFastPath: false },
    { name: 'D1, COPY', d1: true, copyFastPath: true },
  ];
  for (const c of cases)
    it(`${c.name}: UTF-8 bytes become their text, other bytes stop the copy naming the row; fixed, it resumes`, async () => {
      await withSqliteAndD1(async ({ sqlite, d1 }) => {
        const source = c.d1 ? d1 : sqlite;
        await seed(source);
        const target = postgres.adapter;
        await target.execute('DROP TABLE IF EXISTS kv, _switchyard_checkpoints');
        for (const sql of translateSchema(await source.introspect(), 'postgres').statements) await target.execute(sql);

        const error = await copyError(copyTables(source, target, { copyFastPath: c.copyFastPath, batchSize: 200 }));
        expect(error.message).toContain(`Table "kv", key (300), column "v": the value is a blob (X'41ff') whose bytes are not UTF-8 text`);
        expect(error.message).toMatch(/bytea/);
        // Nothing of the batch that holds it, and no U+FFFD anywhere.
        expect(await target.first('SELECT count(*)::int AS n FROM kv WHERE k > 200 OR v LIKE $1', ['%\uFFFD%'])).toEqual({ n: 0 });

        await source.execute("UPDATE kv SET v = 'A' WHERE k = 300");
        await copyTables(source, target, { copyFastPath: c.copyFastPath, batchSize: 200 });
        expect(await target.query('SELECT k, v FROM kv WHERE k IN (99, 100, 300) ORDER BY k')).toEqual([
          { k: 99, v: '99' },
          { k: 100, v: 'hi' },
          { k: 300, v: 'A' },
        ]);
        const report = await validateDatabases(source, target, { validateAllRows: true, tables: ['kv'] });
        expect(report.ok).toBe(true);
        // The rule a copy relies on here: validation tells the two apart when they differ.
        await target.execute("UPDATE kv SET v = 'hj' WHERE k = 100");
        expect((await validateDatabases(source, target, { validateAllRows: true, tables: ['kv'] })).ok).toBe(false);
      });
    });
});
