import { describe, expect, it } from 'vitest';
import type { TableInfo } from '@switchyard/core';
import { pinnedInsertKeys } from './pinned-insert-keys';

const table = (declaredType = 'INTEGER') =>
  ({
    name: 't',
    primaryKey: ['id'],
    columns: [
      { name: 'id', declaredType, logicalType: 'integer', nullable: false, defaultValue: null, autoIncrement: false },
      { name: 'name', declaredType: 'TEXT', logicalType: 'text', nullable: true, defaultValue: null, autoIncrement: false },
    ],
    indexes: [],
    foreignKeys: [],
  }) as unknown as TableInfo;

const pin = (sql: string, rows: number, last: number, t = table()) =>
  pinnedInsertKeys({ sql, params: [] }, t, { rowsAffected: rows, lastInsertId: last }, 'sqlite')?.sql;

describe('pinnedInsertKeys', () => {
  it('writes the rowids the primary gave into the column list and each row, consecutive up to the last', () => {
    expect(pin("INSERT INTO t (name) VALUES ('a')", 1, 7)).toBe(`INSERT INTO t (name, "id") VALUES ('a', 7)`);
    expect(pin("INSERT INTO t (name) VALUES ('a (b'), (lower('C)')) -- (x)", 2, 9)).toBe(
      `INSERT INTO t (name, "id") VALUES ('a (b', 8), (lower('C)'), 9) -- (x)`,
    );
    expect(pin('INSERT INTO "t" ("name") VALUES (?);', 1, 3)).toBe(`INSERT INTO "t" ("name", "id") VALUES (?, 3);`);
    // Postgres takes a key for a GENERATED ALWAYS identity only with OVERRIDING SYSTEM VALUE.
    expect(
      pinnedInsertKeys({ sql: "INSERT INTO t (name) VALUES ('a')" }, table(), { rowsAffected: 1, lastInsertId: 2 }, 'postgres')?.sql,
    ).toBe(`INSERT INTO t (name, "id") OVERRIDING SYSTEM VALUE VALUES ('a', 2)`);
  });

  it('leaves alone what it cannot be sure of: a key given, a skipped row, a conflict clause, a SELECT, a key not the rowid', () => {
    expect(pin("INSERT INTO t (id, name) VALUES (1, 'a')", 1, 1)).toBeUndefined();
    expect(pin("INSERT INTO t (name) VALUES ('a'), ('b')", 1, 4)).toBeUndefined();
    expect(pin("INSERT INTO t (name) VALUES ('a') ON CONFLICT DO NOTHING", 1, 4)).toBeUndefined();
    expect(pin("INSERT OR IGNORE INTO t (name) VALUES ('a')", 1, 4)).toBeUndefined();
    expect(pin("INSERT INTO t (name) VALUES ('a') RETURNING id", 1, 4)).toBeUndefined();
    expect(pin('INSERT INTO t (name) SELECT name FROM u', 1, 4)).toBeUndefined();
    expect(pin("INSERT INTO t (name) VALUES ('a')", 1, 4, table('BIGINT'))).toBeUndefined();
  });
});
