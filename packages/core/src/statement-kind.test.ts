import { describe, expect, it } from 'vitest';
import { isWriteStatement, selectInto, statementKind } from './statement-kind';

describe('statementKind', () => {
  it.each([
    ['SELECT 1', 'read'],
    ['  -- note\n select * from t', 'read'],
    ['/* hint */ SELECT 1', 'read'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'read'],
    ['WITH x AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM x)', 'write'],
    ['SELECT * FROM t FOR UPDATE', 'write'],
    ['INSERT INTO t VALUES (1)', 'write'],
    ['update t set a = 1', 'write'],
    ['DELETE FROM t', 'write'],
    ['REPLACE INTO t VALUES (1)', 'write'],
    ['CREATE TABLE t (id int)', 'schema'],
    ['PRAGMA table_info(t)', 'read'],
    ['PRAGMA foreign_keys = ON', 'schema'],
    ['BEGIN', 'transaction-control'],
    ['EXPLAIN SELECT * FROM t', 'read'],
    ['EXPLAIN INSERT INTO t VALUES (1)', 'read'],
    ['EXPLAIN QUERY PLAN DELETE FROM t', 'read'],
    ['EXPLAIN ANALYZE SELECT * FROM t', 'read'],
    ['EXPLAIN ANALYZE INSERT INTO t VALUES (1)', 'write'],
    ['explain analyse verbose update t set a = 1', 'write'],
    ['EXPLAIN (FORMAT JSON, ANALYZE) DELETE FROM t', 'write'],
    ['EXPLAIN (ANALYZE true, BUFFERS) WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x', 'write'],
    ['EXPLAIN (ANALYZE false) DELETE FROM t', 'read'],
    ['EXPLAIN (COSTS off) DELETE FROM t', 'read'],
    ['SELECT a, b INTO archive FROM t WHERE a > 1', 'schema'],
    ['select * into temp staging from t', 'schema'],
    ['SELECT \'copy into\' AS x, a AS "into" FROM t', 'read'],
    ['SELECT (SELECT a FROM t) AS x', 'read'],
    ["SELECT 'reserved for update' AS note FROM t", 'read'],
    ['SELECT "for update" FROM t -- for update', 'read'],
    ["WITH x AS (SELECT 'update me' AS v) SELECT v FROM x", 'read'],
    ['WITH x AS (SELECT 1 /* delete */) SELECT * FROM x', 'read'],
    ["WITH x AS (SELECT 'a') UPDATE t SET a = 1", 'write'],
    ['WITH next AS (SELECT 1) SELECT id FROM jobs FOR SHARE SKIP LOCKED', 'write'],
    ["WITH next AS (SELECT 'for update') SELECT id FROM jobs", 'read'],
    ['WITH recent AS (SELECT * FROM t) SELECT * INTO archive FROM recent', 'schema'],
    ['WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n INTO TEMP nums FROM r', 'schema'],
    ['WITH x AS (SELECT a INTO y FROM t) SELECT * FROM x', 'read'],
    ['WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x', 'write'],
    ['something unknown', 'write'],
  ] as const)('%s -> %s', (sql, kind) => {
    expect(statementKind(sql)).toBe(kind);
  });

  it('reads the new table of a SELECT … INTO', () => {
    const sql = 'SELECT a INTO UNLOGGED TABLE public."Archive" FROM t';
    expect(selectInto(sql)).toEqual({ start: 9, end: 45, table: 'public."Archive"', temporary: false });
    expect(selectInto('SELECT * INTO TEMPORARY s FROM t')).toMatchObject({ table: 's', temporary: true });
    expect(selectInto('SELECT a FROM t')).toBeUndefined();
    expect(selectInto('SELECT a FROM t WHERE b IN (SELECT c INTO x FROM u)')).toBeUndefined();
    expect(selectInto('WITH "into" AS (SELECT 1 AS a) SELECT a INTO kept FROM "into"')).toMatchObject({ table: 'kept', temporary: false });
    expect(selectInto('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')).toBeUndefined();
  });

  it('counts schema changes as writes, so both databases get them', () => {
    expect(isWriteStatement('ALTER TABLE t ADD COLUMN c TEXT')).toBe(true);
    expect(isWriteStatement('SELECT 1')).toBe(false);
  });
});
