import { describe, expect, it } from 'vitest';
import { abortingForm, deletingForm, withoutReturning } from './write-op';

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

describe('abortingForm', () => {
  it("runs the statement's own OR FAIL as OR ABORT, after a WITH list and comments too", () => {
    expect(abortingForm('INSERT OR FAIL INTO t (id) VALUES (1), (2)')).toBe('INSERT OR ABORT INTO t (id) VALUES (1), (2)');
    expect(abortingForm('update /* bump */ or fail t set n = n + 1')).toBe('update /* bump */ or ABORT t set n = n + 1');
    expect(abortingForm('WITH x(a) AS (SELECT 1) INSERT OR FAIL INTO t SELECT a FROM x')).toBe(
      'WITH x(a) AS (SELECT 1) INSERT OR ABORT INTO t SELECT a FROM x',
    );
  });

  it('leaves every other statement as it is: FAIL in a string, a name or a trigger body', () => {
    for (const sql of [
      "INSERT INTO t (note) VALUES ('OR FAIL')",
      'INSERT OR IGNORE INTO fail (id) VALUES (1)',
      'UPDATE t SET fail = 1',
      'CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT OR FAIL INTO u VALUES (new.id); END',
      'WITH x AS (SELECT 1) SELECT * FROM x',
      'SELECT 1',
    ]) {
      expect(abortingForm(sql)).toBe(sql);
    }
  });
});

describe('deletingForm', () => {
  it("is one table's TRUNCATE as a DELETE, and leaves anything else as written", () => {
    expect(deletingForm('TRUNCATE TABLE public.jobs RESTART IDENTITY')).toBe('DELETE FROM jobs');
    expect(deletingForm('truncate only "Job Log" * continue identity cascade;')).toBe('DELETE FROM "Job Log"');
    expect(deletingForm('TRUNCATE jobs')).toBe('DELETE FROM jobs');
    expect(deletingForm('TRUNCATE a, b')).toBe('TRUNCATE a, b');
    expect(deletingForm('DELETE FROM jobs')).toBe('DELETE FROM jobs');
  });
});
