import type { Kysely } from 'kysely';
import type { NativeHandle } from './native-handle';
import type { TableInfo } from './table-info';

/**
 * A server session an adapter gave up on while a statement sent on it may still run there:
 * the server's process id, and when it was given up on (milliseconds since the epoch), so
 * that a session started later under a reused id is not taken for it.
 */
export interface AbandonedSession {
  readonly pid: number;
  readonly at: number;
}

/** The engines Switchyard speaks to. */
export type DialectName = 'sqlite' | 'd1' | 'postgres';

/** A result row: column name to value. */
export type Row = Record<string, unknown>;

/**
 * One SQL statement with its parameters. `?` is the portable placeholder on every
 * engine. A bound {@link PreparedStatement} is also a `Statement`.
 */
export interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
}

/**
 * Rows as arrays of values in column order, with the columns' names: what
 * {@link DatabaseAdapter.queryRaw} returns. Names may repeat (`SELECT users.id, posts.id`).
 */
export interface RawRows {
  /** The result's column names, in order; repeated names are kept. */
  columns: string[];
  /** One array per row, its values in the order of `columns`. */
  rows: unknown[][];
}

/** What a write reports. */
export interface ExecResult {
  /** Rows inserted, updated or deleted. */
  rowsAffected: number;
  /** The rowid (SQLite, D1) or the `id` returned by Postgres, when the engine reports one. */
  lastInsertId?: number | bigint | string;
  /** Rows the statement returned (`RETURNING`, or a `SELECT` inside a batch). */
  rows?: Row[];
}

/**
 * What an adapter can do. Differences between engines are expressed here, so callers
 * (and the conformance suite) branch on capabilities rather than on engine names.
 */
export interface AdapterCapabilities {
  /** Interactive transactions (`transaction(fn)`). `false` on D1, which offers only atomic `batch()`. */
  transactions: boolean;
  /** `INSERT/UPDATE/DELETE ... RETURNING`. */
  returning: boolean;
  /** Bound parameters allowed in one statement: D1 100, PostgreSQL 65535, SQLite 32766. */
  maxBoundParameters: number;
  /** Bytes allowed in one statement's SQL text, if the engine limits it (D1: 100 000). */
  maxStatementBytes?: number;
  /** Every 64-bit integer is read and written exactly. `false` on D1 (values beyond 2^53 are rounded). */
  exactInt64: boolean;
}

/** The result of `PreparedStatement.all()` and `.run()`, shaped like D1's. */
export interface StatementResult<T = Row> {
  results: T[];
  success: true;
  meta: {
    changes: number;
    last_row_id?: number | bigint | string;
    duration: number;
    rows_read?: number;
    rows_written?: number;
  };
}

/**
 * A D1-style prepared statement: `adapter.prepare(sql).bind(...values).all()`.
 * It is immutable: `bind()` returns a new statement. A bound statement is a
 * {@link Statement} and can be passed to `batch()`.
 */
export interface PreparedStatement extends Statement {
  readonly params: readonly unknown[];
  /** A copy of this statement with these parameters bound. */
  bind(...values: unknown[]): PreparedStatement;
  /** All rows, with D1's `{ results, meta }` shape. */
  all<T = Row>(): Promise<StatementResult<T>>;
  /** The first row, or one column of it, or `null` when there is no row. */
  first<T = Row>(column?: string): Promise<T | null>;
  /** Runs a write and reports its effect. */
  run<T = Row>(): Promise<StatementResult<T>>;
  /** Rows as arrays of values in column order. */
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]>;
}

/** Transaction isolation levels, named as in SQL (and as Kysely's `setIsolationLevel` takes them). */
export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable' | 'snapshot';

/** Transaction access modes. */
export type AccessMode = 'read only' | 'read write';

/**
 * How a transaction runs. An engine that cannot honour a setting refuses it with an
 * {@link UnsupportedError}; none is ever ignored. SQLite runs every transaction
 * serializable, which satisfies any level asked for; Postgres takes each level but
 * `snapshot` (its `repeatable read` is snapshot isolation).
 *
 * @example
 * ```ts
 * await adapter.transaction(async (tx) => tx.query('SELECT * FROM accounts'), {
 *   isolationLevel: 'serializable',
 *   accessMode: 'read only',
 * });
 * ```
 */
export interface TransactionSettings {
  readonly isolationLevel?: IsolationLevel;
  readonly accessMode?: AccessMode;
}

/** Options of {@link DatabaseAdapter.stream}. */
export interface StreamOptions {
  /** Rows per yielded chunk. Default `100`. */
  chunkSize?: number;
}

export type { ColumnInfo, ConflictClause, ForeignKeyInfo, IndexInfo, LogicalType, TableInfo } from './table-info';

/**
 * The contract every Switchyard adapter implements, whatever the engine underneath.
 *
 * @example
 * ```ts
 * const users = await adapter.query<{ id: number }>('SELECT id FROM users WHERE email = ?', [email]);
 * await adapter.batch([
 *   { sql: 'INSERT INTO users (email) VALUES (?)', params: ['a@example.com'] },
 *   { sql: 'INSERT INTO audit (event) VALUES (?)', params: ['signup'] },
 * ]);
 * ```
 */
export interface DatabaseAdapter<DB = any> {
  /** A label for metrics and reports; defaults to the dialect (e.g. `'neon'`). */
  readonly name: string;
  readonly dialect: DialectName;
  readonly capabilities: AdapterCapabilities;
  /** A typed Kysely query builder that runs on this adapter. */
  readonly db: Kysely<DB>;
  /** Runs a statement and returns its rows. */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Runs a statement and returns its rows as arrays in column order, with the column
   * names, so columns that share a name (a join selecting `users.id` and `posts.id`)
   * are all kept. Values are read exactly as {@link DatabaseAdapter.query} reads them.
   * A statement without a result (a write without `RETURNING`) gives no columns and no
   * rows. Optional: without it, `raw()` on prepared statements and on `asD1Database`
   * builds arrays from `query()`'s rows, where a repeated name keeps only its last value.
   *
   * @example
   * ```ts
   * const { columns, rows } = await adapter.queryRaw!(
   *   'SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id WHERE users.id = ?', [1]);
   * // columns: ['id', 'id'], rows: [[1, 10], [1, 11]]
   * ```
   */
  queryRaw?(sql: string, params?: readonly unknown[]): Promise<RawRows>;
  /** Runs a statement and returns its first row, or `undefined`. */
  first<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a write and reports rows affected and the last insert id. */
  execute(sql: string, params?: readonly unknown[]): Promise<ExecResult>;
  /** Runs statements atomically: all apply, or none does, on every engine. */
  batch(statements: readonly Statement[]): Promise<ExecResult[]>;
  /** A D1-style prepared statement. */
  prepare(sql: string): PreparedStatement;
  /**
   * Runs `fn` in an interactive transaction; commits when it resolves, rolls back
   * when it throws. Throws {@link UnsupportedError} where `capabilities.transactions` is false,
   * and where the engine cannot honour a setting (settings apply to the outermost
   * transaction only: a nested one is a savepoint).
   */
  transaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T>;
  /**
   * Runs `fn` on one session of its own: one pooled connection on Postgres, the
   * database to itself on SQLite (other callers wait), so session settings and
   * session locks hold from one statement to the next. Kysely's `db.connection()` and
   * every builder query run on one. Optional: without it the Kysely dialect runs each
   * statement on the adapter itself.
   *
   * @example
   * ```ts
   * await adapter.connection(async (session) => {
   *   await session.execute("SET application_name = 'report'");
   *   return session.query("SELECT current_setting('application_name') AS name");
   * });
   * ```
   */
  connection?<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T>;
  /**
   * Runs a read and yields its rows in chunks of at most `chunkSize` as the engine
   * produces them, without holding the whole result in memory: a cursor on Postgres,
   * `iterate()` on better-sqlite3, pages on D1. Leaving the loop early closes the
   * cursor. Optional: Kysely's `stream()` reads the whole result where it is absent.
   *
   * @example
   * ```ts
   * for await (const rows of adapter.stream('SELECT * FROM events ORDER BY id', [], { chunkSize: 500 })) {
   *   for (const row of rows) process(row);
   * }
   * ```
   */
  stream?<T = Row>(sql: string, params?: readonly unknown[], options?: StreamOptions): AsyncIterableIterator<T[]>;
  /** Tables, columns, primary keys, indexes and foreign keys; engine-internal tables left out. */
  introspect(): Promise<TableInfo[]>;
  /**
   * The driver object underneath, for work the adapter's API does not cover (COPY on
   * pg, aggregate functions and raw-mode reads on better-sqlite3). Optional: an adapter
   * that wraps others (dual-write) or whose engine offers none leaves it unset, and
   * callers take their portable path. Read it with `nativeHandle(adapter, kind)`.
   *
   * @example
   * ```ts
   * const native = adapter.native;
   * if (native?.kind === 'better-sqlite3') native.database.pragma('optimize');
   * else await adapter.execute('ANALYZE');
   * ```
   */
  readonly native?: NativeHandle;
  /**
   * Makes sure no statement the adapter gave up on (a query timeout, a lost connection)
   * can still run on the server, and returns how many server sessions it ended for that
   * (Postgres), or how many requests on their way it waited for (D1 cannot end one sent).
   * Optional: an engine whose statements cannot outlive their call (better-sqlite3) has
   * nothing to fence. Rejects when the server cannot be reached; nothing is promised then.
   * `others` are sessions another process gave up on (its `abandonedSessions()`), ended too.
   *
   * @example
   * ```ts
   * await adapter.fenceAbandoned?.();
   * ```
   */
  fenceAbandoned?(others?: readonly AbandonedSession[]): Promise<number>;

  /**
   * The server sessions `fenceAbandoned` would end, in a form another process can fence
   * (`fenceAbandoned(others)`) should this one stop first; with `inFlight`, also those
   * running a statement now. Optional: only an engine whose sessions outlive their client
   * (Postgres) has any.
   *
   * @example
   * ```ts
   * const sessions = adapter.abandonedSessions?.({ inFlight: true }) ?? [];
   * ```
   */
  abandonedSessions?(options?: { inFlight?: boolean }): AbandonedSession[];

  /**
   * A hint that this SQL text (as passed to `execute`/`query`) will run again and again:
   * an engine that plans each statement it is sent (Postgres) may keep it prepared on the
   * server, once per connection, and skip planning it again. Optional, and only a hint:
   * where keeping it fails (a pooler that does not keep prepared statements, a table
   * changed under it) the statement runs unprepared, as before.
   *
   * @example
   * ```ts
   * adapter.keepPrepared?.('INSERT INTO events (kind, at) VALUES (?, ?)');
   * ```
   */
  keepPrepared?(sql: string): void;
  /** Releases the connection. Later calls throw {@link AdapterClosedError}. */
  close(): Promise<void>;
}
