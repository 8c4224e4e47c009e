import { describe, expect, it } from 'vitest';
import { ParameterError } from './errors';
import { escapeQuestionMarks, scanPlaceholders, toAnonymousPlaceholders, toPostgresPlaceholders } from './placeholders';

const rewrite = (sql: string) => toPostgresPlaceholders(sql);
const count = (sql: string) => scanPlaceholders(sql, { rewrite: false }).questionMarks;

describe('scanPlaceholders', () => {
  it('rewrites ? to $n in order', () => {
    expect(rewrite('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
    expect(rewrite('SELECT 1')).toBe('SELECT 1');
    expect(rewrite('?')).toBe('$1');
  });

  it('leaves ? inside string literals alone, with doubled quotes and E-string escapes', () => {
    expect(rewrite("SELECT '?', 'it''s ?', ? FROM t")).toBe("SELECT '?', 'it''s ?', $1 FROM t");
    expect(rewrite("SELECT E'\\'?', ?")).toBe("SELECT E'\\'?', $1");
    // A plain string ending in a backslash is not an escape outside E'…'.
    expect(rewrite("SELECT 'a\\', ?")).toBe("SELECT 'a\\', $1");
  });

  it('leaves ? inside quoted identifiers alone', () => {
    expect(rewrite('SELECT "we?ird", "a""?" FROM t WHERE x = ?')).toBe('SELECT "we?ird", "a""?" FROM t WHERE x = $1');
    expect(count('SELECT `a?b`, [c?d] FROM t WHERE x = ?')).toBe(1);
  });

  it('treats [ as array syntax on Postgres and as an identifier quote on SQLite', () => {
    expect(rewrite('SELECT arr[?] FROM t')).toBe('SELECT arr[$1] FROM t');
    expect(count('SELECT [x?] FROM t')).toBe(0);
  });

  it('leaves ? inside line and nested block comments alone', () => {
    expect(rewrite('SELECT ? -- why?\n, ? /* a ? /* nested ? */ still ? */ , ?')).toBe(
      'SELECT $1 -- why?\n, $2 /* a ? /* nested ? */ still ? */ , $3',
    );
    expect(rewrite('SELECT ? -- trailing ?')).toBe('SELECT $1 -- trailing ?');
    expect(rewrite('SELECT 1 - ?, 4 / ?')).toBe('SELECT 1 - $1, 4 / $2');
  });

  it('leaves ? inside dollar-quoted bodies alone', () => {
    const fn = "CREATE FUNCTION f() RETURNS text AS $$ SELECT '?' || ? $$ LANGUAGE sql";
    expect(rewrite(fn)).toBe(fn);
    expect(rewrite('SELECT $tag$ ? $$ ? $tag$, ?')).toBe('SELECT $tag$ ? $$ ? $tag$, $1');
    expect(rewrite('SELECT a$b, ?')).toBe('SELECT a$b, $1');
  });

  it('passes hand-written $n through and reports the highest', () => {
    const scan = scanPlaceholders('SELECT $1, $12, $2', { rewrite: true });
    expect(scan).toEqual({ sql: 'SELECT $1, $12, $2', questionMarks: 0, parameterCount: 0, numbered: false, highestDollar: 12 });
  });

  it('rewrites ?NNN to $NNN and numbers a bare ? after the largest so far, as SQLite does', () => {
    expect(rewrite('SELECT * FROM t WHERE a = ?2 OR b = ?1 OR c = ?2')).toBe('SELECT * FROM t WHERE a = $2 OR b = $1 OR c = $2');
    expect(rewrite('SELECT ?, ?5, ?, ?1')).toBe('SELECT $1, $5, $6, $1');
    expect(rewrite("SELECT '?1', ?10")).toBe("SELECT '?1', $10");
    expect(scanPlaceholders('SELECT ?1, ?1', { rewrite: false })).toMatchObject({ questionMarks: 2, parameterCount: 1 });
    expect(() => rewrite('SELECT ?0')).toThrow(/start at \?1/);
  });

  it('lays numbered placeholders out as bare ? with their parameters in order', () => {
    expect(toAnonymousPlaceholders("SELECT ?2, '?1', ?1, ?2, ?", ['a', 'b', 'c'])).toEqual({
      sql: "SELECT ?, '?1', ?, ?, ?",
      params: ['b', 'a', 'b', 'c'],
    });
    const params = [1];
    expect(toAnonymousPlaceholders('SELECT ?', params).params).toBe(params);
  });

  it('refuses a statement mixing ? and $n on Postgres', () => {
    expect(() => rewrite('SELECT $1, ?')).toThrow(ParameterError);
    expect(count('SELECT $1, ?')).toBe(1);
  });

  it('counts without rewriting for SQLite and D1', () => {
    const scan = scanPlaceholders("SELECT ?, '?', ?", { rewrite: false });
    expect(scan).toEqual({ sql: "SELECT ?, '?', ?", questionMarks: 2, parameterCount: 2, numbered: false, highestDollar: 0 });
  });

  it('handles unterminated literals and comments without hanging', () => {
    expect(rewrite("SELECT ?, 'open ?")).toBe("SELECT $1, 'open ?");
    expect(rewrite('SELECT ?, /* open ?')).toBe('SELECT $1, /* open ?');
    expect(rewrite('SELECT ?, $x$ open ?')).toBe('SELECT $1, $x$ open ?');
  });

  it('rewrites a statement with tens of thousands of placeholders', () => {
    const tuples = Array.from({ length: 13_107 }, () => '(?, ?, ?, ?, ?)').join(', ');
    const scan = scanPlaceholders(`INSERT INTO t VALUES ${tuples}`, { rewrite: true });
    expect(scan.questionMarks).toBe(65_535);
    expect(scan.sql.endsWith('($65531, $65532, $65533, $65534, $65535)')).toBe(true);
  });

  it("reads ?? as Postgres's ? operator, and escapes Kysely's SQL so", () => {
    expect(rewrite("SELECT doc ?? 'a', doc ??| array['a'] FROM t WHERE id = ?")).toBe(
      "SELECT doc ? 'a', doc ?| array['a'] FROM t WHERE id = $1",
    );
    expect(rewrite("SELECT doc ?? 'a' FROM t WHERE id = $1")).toBe("SELECT doc ? 'a' FROM t WHERE id = $1");
    const compiled = `select doc ? 'a', doc ?& $1, '?' as q from t where id = $2`;
    expect(escapeQuestionMarks(compiled)).toBe(`select doc ?? 'a', doc ??& $1, '?' as q from t where id = $2`);
    expect(rewrite(escapeQuestionMarks(compiled))).toBe(compiled);
  });
});
