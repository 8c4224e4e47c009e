import { ConstraintError, QueryError, TransientError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { toPostgresError } from './postgres-errors';

const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('toPostgresError', () => {
  it('maps SQLSTATE class 23 to ConstraintError with the statement and cause', () => {
    const cause = Object.assign(pgError('23505', 'duplicate key value violates unique constraint "t_pkey"'), {
      detail: 'Key (id)=(1) already exists.',
    });
    const error = toPostgresError(cause, 'INSERT INTO t VALUES (1)', 'postgres');
    expect(error).toBeInstanceOf(ConstraintError);
    expect(error.message).toContain('SQLSTATE 23505');
    expect(error.message).toContain('Key (id)=(1) already exists.');
    expect(error.sql).toBe('INSERT INTO t VALUES (1)');
    expect(error.dialect).toBe('postgres');
    expect(error.cause).toBe(cause);
  });

  it.each(['40001', '40P01', '57P01', '57P03', '08006', '08001', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT'])(
    'maps %s to TransientError',
    (code) => {
      expect(toPostgresError(pgError(code), 'SELECT 1', 'pg')).toBeInstanceOf(TransientError);
    },
  );

  it('maps a protocol violation (08P01) to QueryError, not a retry, and says what to do about parameters bound to a schema change', () => {
    const cause = pgError('08P01', 'bind message supplies 1 parameters, but prepared statement "" requires 0');
    const error = toPostgresError(cause, 'ALTER TABLE t ADD COLUMN c text DEFAULT $1', 'pg');
    expect(error).toBeInstanceOf(QueryError);
    expect(error).not.toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/no parameters in a schema change .* write the values into its text/);
    expect(toPostgresError(pgError('08P01', 'invalid message format'), 'SELECT 1', 'pg').message).not.toMatch(/schema change/);
  });

  it('says how to bind a Postgres array when a JavaScript array (JSON text) met one', () => {
    const cause = pgError('22P02', 'malformed array literal: "[1,2]"');
    expect(toPostgresError(cause, 'SELECT 1 WHERE 1 = any($1)', 'pg').message).toMatch(/bind PostgresArray\.from/);
    expect(toPostgresError(pgError('22P02', 'malformed array literal: "{1,"'), 'SELECT 1', 'pg').message).not.toMatch(/PostgresArray/);
  });

  it('treats a dropped connection without a code as transient and anything else as QueryError', () => {
    expect(toPostgresError(new Error('Connection terminated unexpectedly'), undefined, 'pg')).toBeInstanceOf(TransientError);
    const error = toPostgresError(pgError('42P01', 'relation "nope" does not exist'), 'SELECT * FROM nope', 'neon');
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toMatch(/^neon: relation "nope" does not exist \(SQLSTATE 42P01\)/);
  });
});
