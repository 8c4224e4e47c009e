import { ConstraintError, QueryError, TransientError, UnsupportedError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { toD1Error } from './d1-errors';

describe('toD1Error', () => {
  const map = (message: string) => toD1Error(new Error(message), 'd1', 'SELECT 1');

  it('maps constraint failures to ConstraintError', () => {
    expect(map('D1_ERROR: UNIQUE constraint failed: t.name: SQLITE_CONSTRAINT')).toBeInstanceOf(ConstraintError);
    expect(map('D1_ERROR: NOT NULL constraint failed: t.a')).toBeInstanceOf(ConstraintError);
  });

  it('maps failures a retry may cure to TransientError', () => {
    expect(map('D1_ERROR: Network connection lost.')).toBeInstanceOf(TransientError);
    expect(map('D1 DB is overloaded. Too many requests queued.')).toBeInstanceOf(TransientError);
    expect(map('D1_ERROR: internal error')).toBeInstanceOf(TransientError);
  });

  it('maps BEGIN and SAVEPOINT refusals to UnsupportedError naming batch()', () => {
    const error = map('D1_ERROR: To execute a transaction, please use the state.storage.transaction() API');
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.message).toMatch(/batch\(/);
  });

  it('keeps the rest as QueryError with dialect, sql and cause', () => {
    const cause = new Error('D1_ERROR: no such table: nope: SQLITE_ERROR');
    const error = toD1Error(cause, 'edge', 'SELECT * FROM nope');
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ dialect: 'd1', sql: 'SELECT * FROM nope', message: 'edge: no such table: nope: SQLITE_ERROR' });
    expect(error.cause).toBe(cause);
  });
});
