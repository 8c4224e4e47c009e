import {
  BaseAdapter,
  ConstraintError,
  DEFAULT_CAPABILITIES,
  TransientError,
  hasTransactionSettings,
  nestedSettingsError,
  type BaseAdapterOptions,
  type DatabaseAdapter,
  type EncodedStatement,
  type ExecResult,
  type NativeHandle,
  type RawResult,
  type RawRows,
  type Row,
  type StreamOptions,
  type SqliteExecuteRaw,
  type SwitchyardError,
  type TableInfo,
  type TransactionSettings,
} from '@switchyard/core';
import { iterateRows } from './_internal/row-stream';
import { cachedStatement, runCached, runCachedRaw, type CachedStatement } from './_internal/statement-cache';
import { introspectSqlite } from './sqlite-introspector';
import type { SqliteDatabase } from './sqlite-database';
import type { SqliteState } from './_internal/sqlite-state';

/**
 * A {@link DatabaseAdapter} on better-sqlite3: exact 64-bit integers, WAL on file
 * databases, interactive transactions nested through savepoints.
 */
export class SQLiteAdapter<DB = any> extends BaseAdapter<DB> {
  readonly #state: SqliteState;
  /** 0 for the adapter itself; n inside the n-th nested transaction. */
  readonly #depth: number;
  /** A session's adapter: it holds the database to itself, so it never waits for the lock. */
  readonly #session: boolean;
  #native: Extract<NativeHandle, { kind: 'better-sqlite3' }> | undefined;

  /** @internal Use {@link createSQLiteAdapter}. */
  constructor(state: SqliteState, options: BaseAdapterOptions, depth = 0, session = false) {
    super('sqlite', { ...DEFAULT_CAPABILITIES.sqlite }, options);
    this.#state = state;
    this.#depth = depth;
    this.#session = session;
  }

  /** True where this adapter already holds the database (a session or a transaction). */
  get #holdsLock(): boolean {
    return this.#session || this.#depth > 0;
  }

  /**
   * Yields the rows of a read in chunks straight from SQLite (better-sqlite3's
   * `iterate()`), holding the database meanwhile as Kysely's SqliteDialect does: do not
   * run other statements on this adapter inside the loop. `break` closes the statement.
   *
   * @example
   * ```ts
   * for await (const rows of adapter.stream('SELECT * FROM events', [], { chunkSize: 500 })) console.log(rows.length);
   * ```
   */
  async *stream<T = Row>(sql: string, params: readonly unknown[] = [], options: StreamOptions = {}): AsyncIterableIterator<T[]> {
    this.assertOpen();
    const statement = this.encodeStatement(sql, params);
    const release = this.#holdsLock ? undefined : await this.#state.lock.acquire();
    try {
      const cached = this.#statement(statement.sql);
      if (!cached.statement.reader || cached.write) {
        // A write with RETURNING runs once, whole.
        yield this.#runSync(statement).rows as T[];
        return;
      }
      yield* iterateRows<T>(cached.statement, statement.params, options.chunkSize ?? 100, (error) => this.wrapError(error, sql));
    } catch (error) {
      throw this.wrapError(error, sql);
    } finally {
      release?.();
    }
  }

  /**
   * Runs a statement and returns its rows as arrays in column order (better-sqlite3's
   * `raw()` mode), every column kept where names repeat; integers beyond 2^53 are
   * bigints, as in `query()`.
   *
   * @example
   * ```ts
   * const { columns, rows } = await adapter.queryRaw('SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id');
   * ```
   */
  async queryRaw(sql: string, params: readonly unknown[] = []): Promise<RawRows> {
    return this.runEncoded(sql, params, async (encoded) => {
      await this.#waitForTransaction();
      const cached = this.#statement(encoded.sql);
      // The same reads as query(), on arrays: a value beyond 2^53 is read again exactly.
      const { rows } = runCachedRaw(this.#state.database, encoded.sql, cached, encoded.params);
      if (!cached.statement.reader) return { columns: [], rows: [] };
      return { columns: cached.statement.columns().map((c) => c.name), rows: rows as unknown as unknown[][] };
    });
  }

  protected override async runSession<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    if (this.#holdsLock) return fn(this);
    const release = await this.#state.lock.acquire();
    const session = new SQLiteAdapter<DB>(this.#state, { name: this.name }, 0, true);
    try {
      return await fn(session);
    } finally {
      session.endTransactionScope();
      release();
    }
  }

  /** The better-sqlite3 database underneath, e.g. to register functions. */
  get database(): SqliteDatabase {
    return this.#state.database;
  }

  /**
   * The better-sqlite3 database as the contract's native handle. Statements run on it
   * bypass the adapter's lock: use it where nothing else runs on the adapter meanwhile.
   *
   * @example
   * ```ts
   * if (adapter.native?.kind === 'better-sqlite3') adapter.native.database.pragma('optimize');
   * ```
   */
  get native(): Extract<NativeHandle, { kind: 'better-sqlite3' }> {
    this.#native ??= { kind: 'better-sqlite3', database: this.#state.database, transactionSync: (fn) => this.#transactionSync(fn) };
    return this.#native;
  }

  /** See `SqliteTransactionSync` in core: one transaction (a savepoint inside one), run without yielding. */
  async #transactionSync<T>(
    fn: (execute: (sql: string, params?: readonly unknown[]) => ExecResult, executeRaw: SqliteExecuteRaw) => T,
  ): Promise<T> {
    this.assertOpen();
    const lock = this.#state.lock;
    // Uncontended, the lock needs no promise: the work below never yields, so no caller can come between.
    const release = this.#holdsLock || lock.free ? undefined : await lock.acquire();
    const db = this.#state.database;
    const savepoint = db.inTransaction ? `sy_sync_${this.#depth}` : undefined;
    try {
      this.#control(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE');
      try {
        const result = fn(
          (sql, params = []) => this.#executeSync(sql, params),
          (sql, params = []) => this.#executeRawSync(sql, params),
        );
        this.#control(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
        throw error;
      }
    } finally {
      release?.();
    }
  }

  #executeSync(sql: string, params: readonly unknown[]): ExecResult {
    this.assertOpen();
    const encoded = this.encodeStatement(sql, params);
    let raw: RawResult;
    try {
      raw = this.#runSync(encoded);
    } catch (error) {
      throw this.wrapError(error, sql);
    }
    return this.execResult(raw);
  }

  /** `#executeSync` with the rows as arrays (raw mode), for `transactionSync`'s `executeRaw`. */
  #executeRawSync(sql: string, params: readonly unknown[]): { rows: unknown[][]; rowsAffected: number } {
    this.assertOpen();
    const encoded = this.encodeStatement(sql, params);
    try {
      const { rows, rowsAffected } = runCachedRaw(this.#state.database, encoded.sql, this.#statement(encoded.sql), encoded.params);
      return { rows: rows as unknown as unknown[][], rowsAffected };
    } catch (error) {
      throw this.wrapError(error, sql);
    }
  }

  /** Transaction control, prepared once: cheaper than parsing the text each time. */
  #control(sql: string): void {
    try {
      this.#statement(sql).statement.run();
    } catch (error) {
      throw this.wrapError(error, sql);
    }
  }

  protected async runStatement(statement: EncodedStatement): Promise<RawResult> {
    await this.#waitForTransaction();
    return this.#runSync(statement);
  }

  protected async runBatch(statements: EncodedStatement[]): Promise<RawResult[]> {
    await this.#waitForTransaction();
    const db = this.#state.database;
    // Inside a transaction a savepoint makes the batch atomic on its own.
    const savepoint = db.inTransaction ? `sy_batch_${this.#depth}` : undefined;
    db.exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
    try {
      const results = statements.map((s) => this.#runSync(s));
      db.exec(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
      return results;
    } catch (error) {
      db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
      throw error;
    }
  }

  protected async runTransaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    const db = this.#state.database;
    const nested = this.#depth > 0;
    if (nested && hasTransactionSettings(settings)) throw nestedSettingsError(this.name, 'sqlite');
    // SQLite runs every transaction serializable, which satisfies every level; read only
    // is enforced by query_only for the transaction's length.
    const readOnly = settings?.accessMode === 'read only';
    const savepoint = `sy_tx_${this.#depth}`;
    // Other callers of the root adapter wait while a transaction is open: better-sqlite3
    // has one connection, and their statements would otherwise land inside it.
    const release = this.#holdsLock ? undefined : await this.#state.lock.acquire();
    const tx = new SQLiteAdapter<DB>(this.#state, { name: this.name }, this.#depth + 1);
    const rollback = () => {
      if (db.inTransaction) db.exec(nested ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
    };
    try {
      // A read-only transaction takes no write lock up front.
      this.#exec(nested ? `SAVEPOINT ${savepoint}` : readOnly ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
      if (readOnly) db.pragma('query_only = ON');
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        // The callback's own error goes back to the caller unchanged.
        rollback();
        throw error;
      }
      try {
        this.#exec(nested ? `RELEASE ${savepoint}` : 'COMMIT');
      } catch (error) {
        rollback();
        throw error;
      }
      return result;
    } finally {
      if (readOnly) db.pragma('query_only = OFF');
      tx.endTransactionScope();
      release?.();
    }
  }

  #exec(sql: string): void {
    try {
      this.#state.database.exec(sql);
    } catch (error) {
      throw this.wrapError(error, sql);
    }
  }

  protected async runIntrospect(): Promise<TableInfo[]> {
    await this.#waitForTransaction();
    return introspectSqlite(async <T>(sql: string) => this.#runSync({ sql, params: [] }).rows as T[]);
  }

  protected async runClose(): Promise<void> {
    if (this.#holdsLock) return;
    this.#state.statements.clear();
    if (this.#state.ownsDatabase && this.#state.database.open) this.#state.database.close();
  }

  protected override toError(error: unknown, sql: string | undefined): SwitchyardError {
    const code = (error as { code?: unknown }).code;
    const message = `${this.name}: ${error instanceof Error ? error.message : String(error)}`;
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
      return new ConstraintError(message, { dialect: 'sqlite', sql, cause: error });
    }
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new TransientError(message, { dialect: 'sqlite', sql, cause: error });
    }
    return super.toError(error, sql);
  }

  async #waitForTransaction(): Promise<void> {
    if (!this.#holdsLock) await this.#state.lock.idle();
  }

  #runSync({ sql, params }: EncodedStatement): RawResult {
    return runCached(this.#statement(sql), params);
  }

  #statement(sql: string): CachedStatement {
    return cachedStatement(this.#state.database, this.#state.statements, sql);
  }
}
