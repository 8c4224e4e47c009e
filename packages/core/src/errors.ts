import { redactCause, redactSecrets } from './secret-redact';
import type { DialectName } from './types';

/** Machine-readable error codes. Stable across releases. */
export type SwitchyardErrorCode =
  | 'QUERY_FAILED'
  | 'CONSTRAINT_VIOLATION'
  | 'UNSUPPORTED'
  | 'LIMIT_EXCEEDED'
  | 'INVALID_PARAMETER'
  | 'ADAPTER_CLOSED'
  | 'CONNECTION_FAILED'
  | 'TRANSIENT'
  | 'TIMEOUT'
  | 'INVALID_ARGUMENT'
  | 'SECONDARY_WRITE_FAILED'
  | 'VALIDATION_FAILED';

/** Context attached to every Switchyard error. */
export interface SwitchyardErrorOptions {
  dialect?: DialectName;
  sql?: string;
  cause?: unknown;
}

/**
 * The base of every error Switchyard throws. Driver errors are wrapped, never
 * re-thrown bare: the original is kept as `cause`.
 *
 * @example
 * ```ts
 * try { await adapter.execute(sql, params); }
 * catch (e) { if (e instanceof SwitchyardError && e.code === 'CONSTRAINT_VIOLATION') { ... } }
 * ```
 */
export class SwitchyardError extends Error {
  /** A stable code for programmatic handling. */
  readonly code: SwitchyardErrorCode;
  /** The engine the failing statement ran on, when there was one. */
  readonly dialect?: DialectName;
  /** The statement that failed, when there was one. */
  readonly sql?: string;

  constructor(code: SwitchyardErrorCode, message: string, options: SwitchyardErrorOptions = {}) {
    // Secrets never travel in an error: tokens, Authorization headers and passwords are
    // redacted from the message, the statement and the cause before anyone can log them.
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: redactCause(options.cause) });
    this.name = new.target.name;
    this.code = code;
    if (options.dialect) this.dialect = options.dialect;
    if (options.sql !== undefined) this.sql = redactSecrets(options.sql);
    if (this.stack) this.stack = redactSecrets(this.stack);
  }

  /**
   * A plain object for logs and JSON output, secrets already redacted.
   *
   * @example
   * ```ts
   * console.error(JSON.stringify(error)); // { name, code, message, dialect, sql, cause }
   * ```
   */
  toJSON(): Record<string, unknown> {
    const cause = this.cause;
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.dialect ? { dialect: this.dialect } : {}),
      ...(this.sql !== undefined ? { sql: this.sql } : {}),
      ...(cause === undefined ? {} : { cause: cause instanceof Error ? { name: cause.name, message: cause.message } : cause }),
    };
  }
}

/** The engine rejected or failed a statement. `cause` holds the driver's error. */
export class QueryError extends SwitchyardError {
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super('QUERY_FAILED', message, options);
  }
}

/** A unique, primary key, foreign key, NOT NULL or CHECK constraint was violated. */
export class ConstraintError extends SwitchyardError {
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super('CONSTRAINT_VIOLATION', message, options);
  }
}

/** The engine cannot do this (e.g. interactive transactions on D1). */
export class UnsupportedError extends SwitchyardError {
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super('UNSUPPORTED', message, options);
  }
}

/** A statement exceeds an engine limit (bound parameters, statement size). Raised before the round trip. */
export class LimitExceededError extends SwitchyardError {
  /** Which limit: `'parameters'`, `'statementBytes'` or `'valueBytes'` (one bound value). */
  readonly limit: 'parameters' | 'statementBytes' | 'valueBytes';
  /** The engine's limit. */
  readonly max: number;
  /** What the statement needed. */
  readonly actual: number;

  constructor(
    limit: 'parameters' | 'statementBytes' | 'valueBytes',
    max: number,
    actual: number,
    message: string,
    options: SwitchyardErrorOptions = {},
  ) {
    super('LIMIT_EXCEEDED', message, options);
    this.limit = limit;
    this.max = max;
    this.actual = actual;
  }
}

/** A bound value cannot be sent (`undefined`, a bigint the engine would round, a wrong count). */
export class ParameterError extends SwitchyardError {
  /** The 1-based position of the offending parameter, when one is to blame. */
  readonly position?: number;

  constructor(message: string, options: SwitchyardErrorOptions & { position?: number } = {}) {
    super('INVALID_PARAMETER', message, options);
    if (options.position !== undefined) this.position = options.position;
  }
}

/** The adapter was used after `close()`. */
export class AdapterClosedError extends SwitchyardError {
  constructor(name: string, options: SwitchyardErrorOptions = {}) {
    super('ADAPTER_CLOSED', `The ${name} adapter is closed: create a new adapter instead of reusing one after close().`, options);
  }
}

/**
 * A failure that is likely to pass on retry: a reset connection, HTTP 429 or 5xx,
 * SQLITE_BUSY, a serialization failure. Retry loops look for this class.
 */
export class TransientError extends SwitchyardError {
  /** Milliseconds the server asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: SwitchyardErrorOptions & { retryAfterMs?: number } = {}) {
    super('TRANSIENT', message, options);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * No answer within a time bound: no connection within the connect timeout (`phase:
 * 'connect'`), or no reply to a statement within the query timeout (`phase: 'query'`).
 * A `TransientError` with code `'TIMEOUT'`: after a query timeout the server may still
 * have run the statement, so retry only what is safe to run twice.
 *
 * @example
 * ```ts
 * try { await adapter.execute(sql, params); }
 * catch (e) { if (e instanceof TimeoutError && e.phase === 'query') { ... the outcome is unknown ... } }
 * ```
 */
export class TimeoutError extends TransientError {
  /** The bound that ran out, in milliseconds. */
  readonly timeoutMs: number;
  /** What took too long: opening (or waiting for) a connection, or one statement's round trip. */
  readonly phase: 'connect' | 'query';

  constructor(message: string, options: SwitchyardErrorOptions & { timeoutMs: number; phase: 'connect' | 'query' }) {
    super(message, options);
    // The class stays a TransientError, so retry loops see it; the code says which kind.
    (this as { code: SwitchyardErrorCode }).code = 'TIMEOUT';
    this.timeoutMs = options.timeoutMs;
    this.phase = options.phase;
  }
}

/**
 * The engine, or a service Switchyard depends on, could not be reached or refused the
 * credentials: check the connection settings or the service, then try again.
 *
 * @example
 * ```ts
 * try { await adapter.query('SELECT 1'); }
 * catch (e) { if (e instanceof ConnectionError) console.error('check the token and account id:', e.message); }
 * ```
 */
export class ConnectionError extends SwitchyardError {
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super('CONNECTION_FAILED', message, options);
  }
}

/** A function was called with options that cannot work; the message says which and why. */
export class InvalidArgumentError extends SwitchyardError {
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** True for errors a retry may cure. */
export function isTransientError(error: unknown): boolean {
  return error instanceof TransientError;
}
