import { describe, expect, it } from 'vitest';
import { ConstraintError, TimeoutError } from '@switchyard/core';
import { toPostgresError } from '@switchyard/postgres';
import { outcomeUnknown } from './primary-unsure';

// Which primary failures may hide a committed write: only those where the statement may have
// reached the server and the answer was lost. A refusal or a rollback is a known outcome.

const pg = (fields: Record<string, unknown>) =>
  toPostgresError(Object.assign(new Error(String(fields.message ?? 'failed')), fields), 'UPDATE t SET v = 1', 'pg');

describe('outcomeUnknown', () => {
  it.each([
    ['a connection dropped mid-query', pg({ message: 'Connection terminated unexpectedly' })],
    ['a reset socket', pg({ code: 'ECONNRESET' })],
    ['a broken pipe', pg({ code: 'EPIPE' })],
    ['a server session terminated', pg({ code: '57P01' })],
    ['a connection failure class 08', pg({ code: '08006' })],
    ['a query timeout', new TimeoutError('no reply', { timeoutMs: 100, phase: 'query' })],
  ])('is true for %s', (_, error) => expect(outcomeUnknown(error)).toBe(true));

  it.each([
    ['a deadlock', pg({ code: '40P01' })],
    ['a serialization failure', pg({ code: '40001' })],
    ['too many connections', pg({ code: '53300' })],
    ['a server not accepting connections', pg({ code: '57P03' })],
    ['a refused connection', pg({ code: 'ECONNREFUSED' })],
    ['a socket reset while connecting', pg({ message: 'connect ECONNRESET 127.0.0.1:5432', code: 'ECONNRESET', syscall: 'connect' })],
    ['an unknown host', pg({ code: 'ENOTFOUND' })],
    ['a connect timeout', new TimeoutError('no connection', { timeoutMs: 100, phase: 'connect' })],
    ['a constraint violation', pg({ code: '23505' })],
    ['a syntax error', pg({ code: '42601' })],
    ['a ConstraintError', new ConstraintError('duplicate key')],
  ])('is false for %s', (_, error) => expect(outcomeUnknown(error)).toBe(false));
});
