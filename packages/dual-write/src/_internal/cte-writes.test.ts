import { describe, expect, it } from 'vitest';
import { mayWriteInCommonTables, writingCommonTables } from './cte-writes';

describe('writingCommonTables', () => {
  it('reads each part of a WITH list that writes, and the statement after it', () => {
    const sql =
      '/* trace */ WITH RECURSIVE "New" ("Id") AS NOT MATERIALIZED (INSERT INTO public.orders AS o (customer) VALUES (?) RETURNING o.id), ' +
      'r AS (SELECT 1), gone AS (DELETE FROM lines WHERE sku = \'x;y\') SELECT * FROM "New";';
    expect(mayWriteInCommonTables(sql)).toBe(true);
    const parts = writingCommonTables(sql);
    if (parts === undefined || typeof parts === 'string') throw new Error(String(parts));
    expect(parts.recursive).toBe(true);
    expect(parts.tables.map((t) => [t.name, t.columns, t.materialized, t.write?.verb, t.write?.table, t.write?.alias])).toEqual([
      ['"New"', '("Id")', 'NOT MATERIALIZED', 'insert', 'orders', 'o'],
      ['r', undefined, '', undefined, undefined, undefined],
      ['gone', undefined, '', 'delete', 'lines', undefined],
    ]);
    expect(sql.slice(parts.tables[0]!.body.start, parts.tables[0]!.body.end)).toBe(
      'INSERT INTO public.orders AS o (customer) VALUES (?) RETURNING o.id',
    );
    expect(sql.slice(parts.main.start, parts.main.end)).toBe('SELECT * FROM "New"');
    expect(parts.main.write).toBeUndefined();
  });

  it('leaves a list that only reads to the ordinary capture, and says why it cannot read others', () => {
    expect(writingCommonTables('WITH one AS (SELECT 1 AS k) UPDATE t SET n = 2 WHERE id IN (SELECT k FROM one)')).toBeUndefined();
    expect(writingCommonTables('INSERT INTO t (id) VALUES (1)')).toBeUndefined();
    expect(mayWriteInCommonTables('-- name: Add\nINSERT INTO t VALUES (1)')).toBe(false);
    expect(writingCommonTables('WITH m AS (MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE) SELECT 1')).toMatch(/MERGE/);
    expect(writingCommonTables('WITH d AS (DELETE FROM t RETURNING id) SELECT 1; SELECT 2')).toBe('several statements in one string');
    expect(
      writingCommonTables(
        'WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SEARCH DEPTH FIRST BY n SET o, d AS (DELETE FROM t) SELECT 1',
      ),
    ).toBe('a WITH list it cannot read');
  });
});
