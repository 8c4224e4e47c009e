import type { ExecResult } from './types';

/**
 * The driver objects an adapter may expose as `DatabaseAdapter.native`. Each is
 * declared here once, as the slice of the driver's API Switchyard uses, so core takes no
 * dependency on a driver and the packages that reach past the adapter (copy, validation)
 * type against core alone.
 */
/** A better-sqlite3 `Statement`: the slice Switchyard uses. */
export interface SqliteNativeStatement {
  /** True when the statement returns rows. */
  readonly reader: boolean;
  /** Every row of the result. */
  all(...params: unknown[]): unknown[];
  /** The first row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Rows one at a time; `return()` closes the statement early. */
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** Runs a write. */
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  /** Reads every integer as a bigint (`true`) or as a number. */
  safeIntegers(toggle?: boolean): this;
  /** Rows as arrays in column order instead of objects. */
  raw(toggle?: boolean): this;
  /** The result's columns, in order (readers only). */
  columns(): { name: string }[];
}

/** Options of better-sqlite3's `aggregate()`, as Switchyard registers aggregates. */
export interface SqliteNativeAggregate<T> {
  varargs: boolean;
  deterministic: boolean;
  safeIntegers: boolean;
  start: () => T;
  step: (total: T, ...values: unknown[]) => T;
  result: (total: T) => unknown;
}

/**
 * A better-sqlite3 `Database`: the slice Switchyard uses. The driver stays a peer
 * dependency the user injects; any compatible build works.
 */
export interface SqliteNativeDatabase {
  /** False once the database is closed. */
  readonly open: boolean;
  /** True while a transaction is open. */
  readonly inTransaction: boolean;
  /** True for an in-memory database. */
  readonly memory: boolean;
  /** The file name, or `:memory:`. */
  readonly name: string;
  /** Compiles a statement. */
  prepare(sql: string): SqliteNativeStatement;
  /** Runs SQL text without parameters; several statements allowed. */
  exec(sql: string): unknown;
  /** Reads or sets a pragma; `simple` returns the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Registers a scalar SQL function. */
  function(name: string, options: Record<string, unknown>, fn: (...args: any[]) => unknown): unknown;
  /** Registers an aggregate SQL function; absent on builds without it. */
  aggregate?<T>(name: string, options: SqliteNativeAggregate<T>): unknown;
  /** Closes the database. */
  close(): unknown;
}

/**
 * Runs `fn` synchronously in one transaction on a better-sqlite3 adapter's connection:
 * `execute` runs one statement through the adapter (the same parameter encoding, results
 * and typed errors as `execute()`); `executeRaw` does too, returning rows as arrays in
 * column order (better-sqlite3's raw mode, as `queryRaw()`), which skips building an
 * object per row. It commits when `fn` returns and rolls back when it throws. `fn` must
 * not wait for anything: nothing else runs on the connection meanwhile.
 */
export type SqliteTransactionSync = <T>(
  fn: (execute: (sql: string, params?: readonly unknown[]) => ExecResult, executeRaw: SqliteExecuteRaw) => T,
) => Promise<T>;

/** One statement run with its rows as arrays, in the statement's column order: see {@link SqliteTransactionSync}. */
export type SqliteExecuteRaw = (sql: string, params?: readonly unknown[]) => { rows: unknown[][]; rowsAffected: number };

/** A node-postgres client (`Client` or checked-out `PoolClient`): the slice Switchyard uses. */
export interface PgNativeClient {
  /** Runs SQL text with `$n` parameters, parsed by pg's own type parsers. */
  query(text: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
  /** Submits a query object (a pg-copy-streams stream, a cursor) and returns it. */
  query<T>(submittable: T): T;
}

/**
 * The driver object under an adapter, for work the adapter's API does not cover (COPY,
 * registering SQL functions, raw-mode reads). Switched on `kind`.
 *
 * - `better-sqlite3`: the `Database`. Statements run on it bypass the adapter's lock, so
 *   use it only where nothing else runs on the adapter meanwhile. `transactionSync` takes
 *   the lock and runs a synchronous unit of work through the adapter's own statement path.
 * - `pg`: one connection lent at a time: a pool connection checked out and released
 *   after `fn`, or the adapter's own client (or its transaction's) while other callers
 *   wait. Queries sent on it use pg's type parsing and `$n` placeholders.
 */
export type NativeHandle =
  | {
      readonly kind: 'better-sqlite3';
      readonly database: SqliteNativeDatabase;
      /** A transaction whose statements run without a promise between them; absent on older adapters. */
      readonly transactionSync?: SqliteTransactionSync;
    }
  | { readonly kind: 'pg'; withConnection<T>(fn: (client: PgNativeClient) => Promise<T>): Promise<T> };

/** The `kind`s of {@link NativeHandle}. */
export type NativeKind = NativeHandle['kind'];

/**
 * The adapter's native handle when it is of `kind`, else `undefined`: the caller then
 * takes its portable path. A wrapping adapter (dual-write) exposes none.
 *
 * @example
 * ```ts
 * const sqlite = nativeHandle(adapter, 'better-sqlite3');
 * if (sqlite) sqlite.database.pragma('optimize');
 * ```
 */
export function nativeHandle<K extends NativeKind>(
  adapter: { readonly native?: NativeHandle },
  kind: K,
): Extract<NativeHandle, { kind: K }> | undefined {
  const native = adapter.native;
  return native?.kind === kind ? (native as Extract<NativeHandle, { kind: K }>) : undefined;
}
