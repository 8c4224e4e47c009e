import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { TableInfo } from '@switchyard/core';
import { SCALES_CTE, locatedGroups, unscaled } from './outbox-entry-sql';

const table = { name: 't', columns: ['id', 'n', 'x'].map((name) => ({ name })), primaryKey: ['id'] } as unknown as TableInfo;

describe('the SQL that fills a D1 outbox entry', () => {
  it('finds named rows through the primary key, never by scanning the table', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, x REAL); CREATE TABLE o (seq INTEGER PRIMARY KEY, payload TEXT)');
    for (const group of locatedGroups(table, { kind: 'named', rows: [{ table: 't', key: { id: 1 } }] }, 'o')) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${SCALES_CTE}SELECT ${group.sql}`).all(...group.params) as { detail: string }[];
      const details = plan.map((p) => p.detail);
      expect(details.some((d) => /SEARCH t USING INTEGER PRIMARY KEY/.test(d))).toBe(true);
      expect(details.filter((d) => /^SCAN t\b/.test(d))).toEqual([]);
    }
    db.close();
  });

  it('reads each value back exactly, reals included', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, x REAL); CREATE TABLE o (seq INTEGER PRIMARY KEY, payload TEXT)');
    const reals = [0.1 + 0.2, 5e-324, -1.7976931348623157e308, 2 ** 63, 0.5, -3, 1e300, 2 ** -62, 2 ** -63];
    const insert = db.prepare('INSERT INTO t (id, n, x) VALUES (?, ?, ?)');
    reals.forEach((x, i) => insert.run(i + 1, 9007199254740993n + BigInt(i), x));
    const [existing] = locatedGroups(table, { kind: 'named', rows: reals.map((_, i) => ({ table: 't', key: { id: i + 1 } })) }, 'o');
    const text = (db.prepare(`${SCALES_CTE}SELECT ${existing!.sql} AS g`).get(...existing!.params) as { g: string }).g;
    const rows = (JSON.parse(text) as { values: unknown[][] }).values.sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(rows.map((r) => unscaled(r[2]))).toEqual(reals);
    expect(rows[0]![1]).toEqual({ $int: '9007199254740993' });
    db.close();
  });
});
