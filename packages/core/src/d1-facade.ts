import { asD1Error, d1Error, toAdapterParams, toD1Rows, toD1Value } from './_internal/d1-facade-values';
import { splitStatements } from './_internal/sql-lexer';
import { rowsToRawRows } from './raw-rows';
import { statementKind } from './statement-kind';
import type { DatabaseAdapter, ExecResult, RawRows, Row } from './types';

/** The `meta` of a D1 result, as the Workers `D1Meta` type declares it. */
export interface D1FacadeMeta {
  /** `switchyard:<adapter name>`. */
  served_by: string;
  /** Milliseconds the call took, measured around the adapter. */
  duration: number;
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** The last rowid (or id) an insert through this facade reported; 0 before any. */
  last_row_id: number;
  /** True when the statement changed rows or the schema. */
  changed_db: boolean;
  /** Always 0: engines other than D1 do not report the database's size. */
  size_after: number;
  /** Rows returned: an estimate, as engines other than D1 do not count rows scanned. */
  rows_read: number;
  /** Rows changed: an estimate, as D1 also counts index writes. */
  rows_written: number;
  [key: string]: unknown;
}

/** What `all()` and `run()` return: D1's `D1Result`. */
export interface D1FacadeResult<T = Row> {
  results: T[];
  success: true;
  meta: D1FacadeMeta;
}

/** A D1 prepared statement over an adapter (the Workers `D1PreparedStatement` API). */
export interface D1FacadeStatement {
  /** A copy with these values bound to `?` / `?NNN`. */
  bind(...values: unknown[]): D1FacadeStatement;
  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  run<T = Record<string, unknown>>(): Promise<D1FacadeResult<T>>;
  all<T = Record<string, unknown>>(): Promise<D1FacadeResult<T>>;
  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
}

/** A D1 session over an adapter: every read already sees every earlier write. */
export interface D1FacadeSession {
  prepare(query: string): D1FacadeStatement;
  batch<T = unknown>(statements: D1FacadeStatement[]): Promise<D1FacadeResult<T>[]>;
  /** Always `null`: an adapter has no replicas to anchor a bookmark to. */
  getBookmark(): string | null;
}

/** The Workers `D1Database` API over any Switchyard adapter. Made by {@link asD1Database}. */
export interface D1DatabaseFacade extends D1FacadeSession {
  /** Runs a script of `;`-separated statements, without parameters, as one transaction. */
  exec(query: string): Promise<{ count: number; duration: number }>;
  withSession(constraintOrBookmark?: string): D1FacadeSession;
  /** Rejects as D1 does for current databases; use `switchyard export` instead. */
  dump(): Promise<ArrayBuffer>;
  /** The adapter underneath. */
  readonly adapter: DatabaseAdapter;
}

const TRANSACTION_REFUSED =
  'To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs ' +
  'instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will ' +
  "automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

const STATEMENT = Symbol('switchyard.d1FacadeStatement');

interface Bound {
  [STATEMENT]: { sql: string; params: readonly unknown[] };
}

/**
 * Wraps any {@link DatabaseAdapter} — the dual-write adapter included — in the Workers
 * `D1Database` API, so an app written against `env.DB` (by hand, or through Drizzle's
 * `drizzle-orm/d1`, or kysely-d1) moves onto Switchyard by changing one line. Results,
 * `meta` and errors have D1's shapes: values as D1 returns them (blobs as arrays of
 * numbers, booleans as 1/0), errors as `Error`s whose message starts with `D1_ERROR: `
 * (the Switchyard error is their `cause`).
 *
 * @example
 * ```ts
 * import { asD1Database } from '@switchyard/core';
 * const dual = createDualWriteAdapter(createD1Adapter(env.DB), createPostgresAdapter(env.HYPERDRIVE.connectionString));
 * env.DB = asD1Database(dual); // the rest of the app is unchanged
 * const user = await env.DB.prepare('SELECT * FROM users WHERE id = ?1').bind(42).first();
 * ```
 */
export function asD1Database(adapter: DatabaseAdapter): D1DatabaseFacade {
  let lastRowId = 0;
  const served_by = `switchyard:${adapter.name}`;
  const run = async (sql: string, params: readonly unknown[]): Promise<ExecResult> => {
    if (sql.trim() === '') throw d1Error('D1_ERROR', 'No SQL statements detected.');
    // D1 refuses these whatever the engine underneath; an app written for D1 never relies on them.
    if (statementKind(sql) === 'transaction-control') throw d1Error('D1_ERROR', TRANSACTION_REFUSED);
    try {
      return await adapter.execute(sql, params);
    } catch (error) {
      throw asD1Error(error, adapter.name);
    }
  };
  const toResult = <T>(sql: string, result: ExecResult, started: number): D1FacadeResult<T> => {
    if (result.lastInsertId !== undefined) lastRowId = Number(result.lastInsertId);
    const results = toD1Rows(result.rows) as T[];
    const changes = result.rowsAffected;
    const meta: D1FacadeMeta = {
      served_by,
      duration: performance.now() - started,
      changes,
      last_row_id: lastRowId,
      changed_db: changes > 0 || statementKind(sql) === 'schema',
      size_after: 0,
      rows_read: results.length,
      rows_written: changes,
    };
    return { results, success: true, meta };
  };

  // A read is taken by position where the adapter can (a join's columns that share a
  // name all kept, as D1 keeps them); a write goes through execute() for its last_row_id.
  const readRaw = async (sql: string, params: readonly unknown[]): Promise<RawRows> => {
    if (!adapter.queryRaw || statementKind(sql) !== 'read') {
      const result = await run(sql, params);
      if (result.lastInsertId !== undefined) lastRowId = Number(result.lastInsertId);
      return rowsToRawRows(toD1Rows(result.rows));
    }
    try {
      const raw = await adapter.queryRaw(sql, params);
      return { columns: raw.columns, rows: raw.rows.map((row) => row.map(toD1Value)) };
    } catch (error) {
      throw asD1Error(error, adapter.name);
    }
  };

  const statement = (sql: string, params: readonly unknown[]): D1FacadeStatement & Bound => {
    const all = async <T>(): Promise<D1FacadeResult<T>> => {
      const started = performance.now();
      return toResult<T>(sql, await run(sql, params), started);
    };
    return {
      [STATEMENT]: { sql, params },
      // D1 checks the values' types when they are bound, and throws there.
      bind: (...values: unknown[]) => statement(sql, toAdapterParams(values)),
      all,
      run: all,
      async first<T>(column?: string): Promise<T | null> {
        const row = (await all<Row>()).results[0];
        if (row === undefined) return null;
        if (column === undefined) return row as T;
        if (!(column in row)) throw d1Error('D1_COLUMN_NOTFOUND', `Column not found (${column})`);
        return row[column] as T;
      },
      async raw<T>(options?: { columnNames?: boolean }): Promise<never> {
        const { columns, rows } = await readRaw(sql, params);
        return (options?.columnNames ? [columns, ...rows] : rows) as T[] as never;
      },
    } as D1FacadeStatement & Bound;
  };

  const batch = async <T>(statements: D1FacadeStatement[]): Promise<D1FacadeResult<T>[]> => {
    if (statements.length === 0) throw d1Error('D1_ERROR', 'No SQL statements detected.');
    const bound = statements.map((s) => {
      const own = (s as Partial<Bound>)[STATEMENT];
      if (!own) throw d1Error('D1_ERROR', "batch() takes statements made by this database's prepare().");
      if (own.sql.trim() === '') throw d1Error('D1_ERROR', 'No SQL statements detected.');
      return { sql: own.sql, params: own.params };
    });
    const started = performance.now();
    let results: ExecResult[];
    try {
      results = await adapter.batch(bound);
    } catch (error) {
      throw asD1Error(error, adapter.name);
    }
    return results.map((r, i) => toResult<T>(bound[i]!.sql, r, started));
  };

  const session: D1FacadeSession = { prepare: (sql) => statement(sql, []), batch, getBookmark: () => null };
  return {
    ...session,
    adapter,
    withSession: () => session,
    async exec(query: string) {
      const started = performance.now();
      const statements = splitStatements(query);
      if (statements.length === 0) throw d1Error('D1_EXEC_ERROR', 'Error in line 1: : No SQL statements detected.');
      // D1 runs the script as one transaction: a failing statement leaves nothing applied.
      try {
        await adapter.batch(statements.map((sql) => ({ sql, params: [] })));
      } catch (error) {
        const message = asD1Error(error, adapter.name).message.replace(/^D1_[A-Z_]+: /, '');
        // D1 names the script's first line whichever statement failed; the message says which.
        throw d1Error('D1_EXEC_ERROR', `Error in line 1: ${statements[0]};: ${message}`, error);
      }
      return { count: statements.length, duration: performance.now() - started };
    },
    dump: () => Promise.reject(d1Error('D1_DUMP_ERROR', 'dump() is not available: export the data with `switchyard export` instead.')),
  };
}
