import { ConstraintError, QueryError, TransientError, type SwitchyardError } from '@switchyard/core';

/** SQLSTATEs a retry may cure: serialization failure, deadlock, admin shutdown, cannot connect now, too many connections. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300']);
/** Socket-level failures Node reports on the connection. */
const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

interface PgErrorFields {
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  message?: unknown;
}

/**
 * Maps a pg error to a typed Switchyard error by SQLSTATE: class 23 (integrity
 * constraints) to {@link ConstraintError}; serialization failures, deadlocks,
 * shutdowns, connection classes (08, but for a protocol violation in the statement
 * itself) and socket resets to {@link TransientError};
 * anything else to {@link QueryError}. The pg error stays as `cause`.
 *
 * @example
 * ```ts
 * try { await client.query(sql); } catch (e) { throw toPostgresError(e, sql, 'postgres'); }
 * ```
 */
export function toPostgresError(error: unknown, sql: string | undefined, adapterName: string): SwitchyardError {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as PgErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const options = { dialect: 'postgres' as const, sql, cause: error };
  const message = describe(error, fields, code, adapterName);
  if (code?.startsWith('23')) return new ConstraintError(message, options);
  // A protocol violation is in the statement as sent, not the connection: it fails the same way again.
  if (code === '08P01') return new QueryError(message + protocolHint(fields), options);
  if (code !== undefined && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code))) {
    return new TransientError(message + ' The operation may succeed if retried.', options);
  }
  // pg reports a connection dropped mid-query without a code.
  if (code === undefined && /Connection terminated|connection error|not queryable/i.test(String(fields.message ?? ''))) {
    return new TransientError(message + ' The connection was lost; the operation may succeed if retried.', options);
  }
  return new QueryError(message + arrayHint(fields), options);
}

/** What to do when a JavaScript array, bound as JSON text, met a Postgres array (`= any(?)`, an `int[]` column). */
function arrayHint(fields: PgErrorFields): string {
  return /^malformed array literal: "\[/.test(String(fields.message ?? ''))
    ? ' A JavaScript array is bound as JSON text: bind PostgresArray.from([...]) (from @switchyard/core) for a Postgres array.'
    : '';
}

/** What to do about the protocol violation apps meet: parameters bound to a statement that takes none. */
function protocolHint(fields: PgErrorFields): string {
  return /bind message supplies \d+ parameters?, but prepared statement "[^"]*" requires 0/.test(String(fields.message ?? ''))
    ? ' Postgres binds no parameters in a schema change (CREATE, ALTER, DROP) or another utility statement: write the values into its text.'
    : '';
}

function describe(error: unknown, fields: PgErrorFields, code: string | undefined, adapterName: string): string {
  let message = `${adapterName}: ${error instanceof Error ? error.message : String(error)}`;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) message += ` (SQLSTATE ${code})`;
  if (typeof fields.detail === 'string' && fields.detail) message += `. ${fields.detail}`;
  if (typeof fields.hint === 'string' && fields.hint) message += ` Hint: ${fields.hint}`;
  return message;
}
