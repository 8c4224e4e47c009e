import { describe, expect, it } from 'vitest';
import { whereClauseOf } from './where-clause';

describe('whereClauseOf', () => {
  it('takes the filter of an UPDATE or DELETE with the values of its own placeholders', () => {
    expect(whereClauseOf('UPDATE t SET a = ?, b = ? WHERE owner = ? AND n > ?', [1, 2, 3, 4])).toEqual({
      text: 'owner = ? AND n > ?',
      params: [3, 4],
    });
    expect(whereClauseOf("DELETE FROM t WHERE note = 'WHERE ?' AND id IN (SELECT id FROM u WHERE x = ?) RETURNING *", [9])).toEqual({
      text: "note = 'WHERE ?' AND id IN (SELECT id FROM u WHERE x = ?)",
      params: [9],
    });
    expect(whereClauseOf('UPDATE t AS x SET n = (SELECT max(n) FROM t WHERE g = ?) WHERE x.g = ?;', ['a', 'b'])).toEqual({
      text: 'x.g = ?',
      params: ['b'],
    });
  });

  it('selects every row when there is no filter', () => {
    expect(whereClauseOf('DELETE FROM t', [])).toEqual({ text: '1', params: [] });
  });

  it('writes numbered placeholders as `?`, with the values they name in the order they come', () => {
    expect(whereClauseOf('UPDATE t SET a = $1 WHERE b = $2 AND (c = $1 OR d = $3)', ['x', 'y', 'z'])).toEqual({
      text: 'b = ? AND (c = ? OR d = ?)',
      params: ['y', 'x', 'z'],
    });
    expect(whereClauseOf('UPDATE t SET a = ?2 WHERE b = ?1 AND c = ? RETURNING $9', [1, 2, 3])).toEqual({
      text: 'b = ? AND c = ?',
      params: [1, 3],
    });
    expect(whereClauseOf("DELETE FROM t WHERE note = '$1' AND id = $1;", [7])).toEqual({ text: "note = '$1' AND id = ?", params: [7] });
  });

  it("gives an UPDATE … FROM's other tables when asked, their placeholders' values first", () => {
    const sql = 'UPDATE t AS x SET a = v.a FROM (VALUES ($2, $1)) AS v (id, a), u WHERE x.id = v.id AND u.k = $3 RETURNING x.*';
    expect(whereClauseOf(sql, [1, 2, 3], { from: true })).toEqual({
      text: 'x.id = v.id AND u.k = ?',
      params: [2, 1, 3],
      from: '(VALUES (?, ?)) AS v (id, a), u',
    });
    expect(whereClauseOf('UPDATE t SET a = u.a FROM u', [], { from: true })).toEqual({ text: '1', params: [], from: 'u' });
    expect(whereClauseOf(sql, [1, 2, 3])).toBeUndefined();
    expect(whereClauseOf('UPDATE t SET a = 1 WHERE id = $1::int AND at > now()::date', [5])).toEqual({
      text: 'id = ?::int AND at > now()::date',
      params: [5],
    });
  });

  it('refuses what another statement could not select the same way', () => {
    expect(whereClauseOf('UPDATE t SET a = :a WHERE b = :b', [1, 2])).toBeUndefined();
    expect(whereClauseOf('UPDATE t SET a = $1 WHERE doc ?? $2', [1, 'k'])).toBeUndefined();
    expect(whereClauseOf('UPDATE t SET a = u.a FROM u WHERE u.id = t.id', [])).toBeUndefined();
    expect(whereClauseOf('DELETE FROM t WHERE a = ? ORDER BY id LIMIT 1', [1])).toBeUndefined();
    // The filter may name the list's tables.
    expect(
      whereClauseOf('WITH x AS (SELECT id FROM u WHERE n = ?) UPDATE t SET a = 1 WHERE id IN (SELECT id FROM x)', [1]),
    ).toBeUndefined();
    expect(whereClauseOf('/* app */ WITH x AS (SELECT 1) DELETE FROM t WHERE a = ?', [1])).toBeUndefined();
  });
});
