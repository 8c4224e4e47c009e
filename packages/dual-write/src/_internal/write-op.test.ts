import { describe, expect, it } from 'vitest';
import { withoutReturning } from './write-op';

describe('withoutReturning', () => {
  it("drops the statement's own RETURNING clause, not a word in a string", () => {
    expect(withoutReturning({ sql: "UPDATE t SET note = 'RETURNING' WHERE id = ? RETURNING t.note;", params: [1] })).toEqual({
      sql: "UPDATE t SET note = 'RETURNING' WHERE id = ?",
      params: [1],
    });
  });

  it('keeps a clause that holds a placeholder, and a statement without one', () => {
    const bound = { sql: 'UPDATE t SET a = $1 WHERE id = $2 RETURNING a, $3::int AS n', params: [1, 2, 3] };
    expect(withoutReturning(bound)).toBe(bound);
    const plain = { sql: 'UPDATE t SET a = 1', params: [] };
    expect(withoutReturning(plain)).toBe(plain);
  });
});
