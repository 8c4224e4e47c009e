import type { TableInfo } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { translateSqliteToPostgres } from './sqlite-postgres-translate';
import { statementShape } from './statement-shape';

const column = (name: string, logicalType: 'integer' | 'boolean' | 'text') => ({
  name,
  declaredType: logicalType,
  logicalType,
  nullable: true,
  defaultValue: null,
  autoIncrement: false,
});
const TABLES: TableInfo[] = [
  {
    name: 'tags',
    columns: [column('id', 'integer'), column('name', 'text'), column('hidden', 'boolean')],
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
  },
  { name: 'scores', columns: [column('id', 'integer'), column('hidden', 'integer')], primaryKey: [], indexes: [], foreignKeys: [] },
];
const t = (sql: string) => translateSqliteToPostgres(sql, TABLES);

describe('translateSqliteToPostgres', () => {
  it('applies each rule of the table, and names it', () => {
    expect(t('INSERT OR IGNORE INTO tags (name) VALUES (?)')).toEqual({
      sql: 'INSERT INTO tags (name) VALUES (?) ON CONFLICT DO NOTHING',
      applied: ['insert-or-ignore'],
      untranslated: [],
    });
    expect(t('REPLACE INTO tags (id, name) VALUES (?, ?);').sql).toBe(
      'INSERT INTO tags (id, name) VALUES (?, ?) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name"',
    );
    expect(t("SELECT datetime('now') AS at").sql).toBe("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at");
    expect(t('SELECT ifnull(name, ?) FROM tags').sql).toBe('SELECT COALESCE(name, ?) FROM tags');
    expect(t('SELECT * FROM tags WHERE id = ?1')).toMatchObject({
      sql: 'SELECT * FROM tags WHERE id = ?1',
      applied: ['numbered-placeholders'],
    });
    expect(t('SELECT * FROM tags LIMIT -1 OFFSET 5').sql).toBe('SELECT * FROM tags LIMIT ALL OFFSET 5');
  });

  it('turns 0/1 into booleans only for columns boolean in the tables the statement names', () => {
    expect(t('UPDATE tags SET hidden = 1 WHERE hidden != 0').sql).toBe('UPDATE tags SET hidden = true WHERE hidden != false');
    expect(t('INSERT INTO tags (id, name, hidden) VALUES (7, ?, 0)').sql).toBe('INSERT INTO tags (id, name, hidden) VALUES (7, ?, false)');
    expect(t('UPDATE scores SET hidden = 1').applied).toEqual([]);
    expect(t('SELECT * FROM tags WHERE id = 1').applied).toEqual([]);
  });

  it('reports the forms outside the table and leaves them as they are', () => {
    const found = t("SELECT strftime('%Y', at), group_concat(name), `name` FROM tags WHERE name GLOB ?");
    expect(found.applied).toEqual([]);
    expect(found.untranslated.map((u) => u.id)).toEqual(['strftime', 'group-concat', 'glob', 'backtick-identifier']);
    expect(t("SELECT date('now', '+1 day')").untranslated.map((u) => u.id)).toEqual(['datetime-modifier']);
    expect(t('INSERT OR REPLACE INTO tags VALUES (1, ?, 0)')).toMatchObject({ applied: [], untranslated: [{ id: 'insert-or-replace' }] });
  });
});

describe('statementShape', () => {
  it('blanks literals and placeholders and collapses lists', () => {
    expect(statementShape("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'it''s'  AND x = ?2")).toBe(
      'SELECT * FROM t WHERE id IN (?) AND name = ? AND x = ?',
    );
    expect(statementShape('SELECT c1, t2.c3 FROM t2 LIMIT 10;')).toBe('SELECT c1, t2.c3 FROM t2 LIMIT ?');
    expect(statementShape('UPDATE "t1" SET a = a-1, b = -2.5 -- note 7\nWHERE id=?')).toBe('UPDATE "t1" SET a = a-?, b = ? WHERE id=?');
    expect(statementShape("SELECT '(1, 2)' /* 3 */, [c4] FROM t")).toBe('SELECT ? , [c4] FROM t');
  });
});
