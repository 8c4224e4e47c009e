import { describe, expect, it } from 'vitest';
import { parseWrite } from './write-parse';

describe('parseWrite', () => {
  it('reads the statement after a leading WITH list that only reads', () => {
    expect(parseWrite('WITH src AS (SELECT ? AS n) INSERT INTO t (n) SELECT n FROM src')).toMatchObject({
      verb: 'insert',
      table: 't',
      columns: ['n'],
      commonTables: true,
    });
    expect(
      parseWrite(
        'WITH RECURSIVE r (k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 3) UPDATE t AS x SET n = 1 WHERE id IN (SELECT k FROM r) RETURNING x.n',
      ),
    ).toMatchObject({ verb: 'update', table: 't', alias: 'x', assigned: ['n'], returning: true, commonTables: true });
    expect(parseWrite('UPDATE t SET n = 1 WHERE id = ?')?.commonTables).toBeUndefined();
  });

  it('gives nothing for a WITH list that writes rows itself, or that ends in a read', () => {
    expect(parseWrite('WITH d AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM d')).toBeUndefined();
    expect(parseWrite('WITH x AS (SELECT * FROM a FOR UPDATE) UPDATE b SET n = 1')).toBeUndefined();
    expect(parseWrite('WITH x AS (SELECT 1) SELECT * FROM x')).toBeUndefined();
  });

  it("reads Postgres's ONLY and SQLite's UPDATE OR REPLACE", () => {
    expect(parseWrite('UPDATE ONLY items SET n = 1 WHERE id = ?')).toMatchObject({ table: 'items', only: true, assigned: ['n'] });
    expect(parseWrite('DELETE FROM ONLY items i WHERE i.id = ?')).toMatchObject({ table: 'items', only: true, alias: 'i' });
    expect(parseWrite('UPDATE items SET n = 1')?.only).toBeUndefined();
    // It deletes the rows holding its new unique values under other keys.
    expect(parseWrite("UPDATE OR REPLACE users SET email = 'b' WHERE id = 3")).toMatchObject({ replaces: true, deletesExisting: true });
    expect(parseWrite("UPDATE OR IGNORE users SET email = 'b' WHERE id = 3")).toMatchObject({ replaces: false });
  });

  it("reads SQLite's own conflict resolution, which overrides a table's ON CONFLICT clauses", () => {
    expect(parseWrite('INSERT OR IGNORE INTO t (id) VALUES (1)')?.orClause).toBe('IGNORE');
    expect(parseWrite('REPLACE INTO t (id) VALUES (1)')?.orClause).toBe('REPLACE');
    expect(parseWrite('update or abort t set n = 1')?.orClause).toBe('ABORT');
    expect(parseWrite('INSERT INTO t (id) VALUES (1)')?.orClause).toBeUndefined();
  });
});
