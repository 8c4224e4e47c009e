import type { CompiledQuery, Kysely } from 'kysely';
import {
  createAdapterKysely,
  createPreparedStatement,
  queryRawRows,
  rowsToRawRows,
  type AdapterCapabilities,
  type CompiledQueryExecutor,
  type DatabaseAdapter,
  type DialectName,
  type ExecResult,
  type PreparedStatement,
  type RawRows,
  type Row,
  type Statement,
  type StreamOptions,
  type TransactionSettings,
} from '@switchyard/core';
import { batchStatements, executeStatement, queryStatement } from './_internal/adapter-statements';
import { executeBuilderQuery, runTransaction } from './_internal/core-writes';
import { runConnection } from './_internal/dual-write-session';
import { streamCompiledFromPrimary, streamFromPrimary } from './_internal/primary-stream';
import { checkLimits } from './_internal/statement-preflight';
import { DualWriteControls } from './dual-write-controls';
import type { DualWriteOptions } from './dual-write-options';

/**
 * A {@link DatabaseAdapter} that writes to two databases: each write runs on the primary
 * with the rows it leaves captured, and those rows are applied to the secondary by key.
 * Writes to different rows run concurrently; writes to one row keep the primary's order.
 * Made by {@link createDualWriteAdapter}.
 */
export class DualWriteAdapter<DB = any> extends DualWriteControls implements DatabaseAdapter<DB>, CompiledQueryExecutor {
  #db: Kysely<DB> | undefined;

  /**
   * What the adapter can do: the weaker side's limits, and interactive transactions
   * while the current primary has them.
   *
   * @example
   * ```ts
   * adapter.capabilities.maxBoundParameters // 100 with D1 on either side
   * ```
   */
  get capabilities(): AdapterCapabilities {
    return this.core.capabilities[this.core.primaryIndex];
  }

  /**
   * The side reads and writes go to first.
   *
   * @example
   * ```ts
   * adapter.primary.name // 'sqlite'
   * ```
   */
  get primary(): DatabaseAdapter {
    return this.core.primary;
  }

  /**
   * The side that follows: written after the primary.
   *
   * @example
   * ```ts
   * await adapter.secondary.query('SELECT count(*) AS n FROM users');
   * ```
   */
  get secondary(): DatabaseAdapter {
    return this.core.secondary;
  }

  /**
   * The current primary's name.
   *
   * @example
   * ```ts
   * adapter.name // 'sqlite', then 'postgres' after switchPrimary()
   * ```
   */
  get name(): string {
    return this.core.primary.name;
  }

  /**
   * The current primary's dialect.
   *
   * @example
   * ```ts
   * adapter.dialect // 'sqlite'
   * ```
   */
  get dialect(): DialectName {
    return this.core.primary.dialect;
  }

  /**
   * A Kysely instance whose queries are compiled once per side, from the same query
   * tree, so each engine gets SQL in its own dialect.
   *
   * @example
   * ```ts
   * await adapter.db.insertInto('users').values({ email, admin: true, created: new Date() }).execute();
   * ```
   */
  get db(): Kysely<DB> {
    this.#db ??= createAdapterKysely<DB>(this, this.core.kyselyDialect);
    return this.#db;
  }

  /**
   * Runs a statement and returns its rows. A read goes to the primary (or the routed
   * share to the secondary); a write — `INSERT ... RETURNING` included — goes to both,
   * and the primary's rows are returned.
   *
   * @example
   * ```ts
   * const [{ id }] = await adapter.query<{ id: number }>('INSERT INTO users (email) VALUES (?) RETURNING id', [email]);
   * ```
   */
  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await queryStatement(this.core, sql, params)) as T[];
  }

  /**
   * The first row of {@link DualWriteAdapter.query}, or `undefined`.
   *
   * @example
   * ```ts
   * const user = await adapter.first('SELECT * FROM users WHERE id = ?', [1]);
   * ```
   */
  async first<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  /**
   * Streams a read from the primary with the primary's own `stream()` (SQLite iterator,
   * Postgres cursor, D1 pages), never from the secondary and without shadow comparison.
   * A write with `RETURNING` reaches both sides, as through `query()`.
   *
   * @example
   * ```ts
   * for await (const rows of adapter.stream('SELECT * FROM events ORDER BY id', [], { chunkSize: 500 })) handle(rows);
   * ```
   */
  stream<T = Row>(sql: string, params: readonly unknown[] = [], options: StreamOptions = {}): AsyncIterableIterator<T[]> {
    return streamFromPrimary<T>(this, sql, params, options, () => this.core.metrics.readsPrimary++);
  }

  /**
   * Rows as arrays in column order, every column kept where names repeat: a read runs
   * on the primary; a write goes to both through {@link DualWriteAdapter.query}.
   *
   * @example
   * ```ts
   * const { columns, rows } = await adapter.queryRaw('SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id');
   * ```
   */
  async queryRaw(sql: string, params: readonly unknown[] = []): Promise<RawRows> {
    if (this.core.classify(sql) !== 'read') return rowsToRawRows(await this.query<Row>(sql, params));
    checkLimits(this.core.secondary, [{ sql, params }]);
    return queryRawRows(this.core.primary, sql, params);
  }

  /**
   * Runs a write on the primary, then on the secondary, and returns the primary's result.
   * A read passed here is routed like {@link DualWriteAdapter.query}.
   *
   * @example
   * ```ts
   * const { rowsAffected } = await adapter.execute('UPDATE users SET admin = ? WHERE id = ?', [true, 1]);
   * ```
   */
  execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    // Not async: a write that ran at once resolves without the extra turns of adopting a promise.
    try {
      return executeStatement(this.core, sql, params);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Runs statements atomically on the primary, then atomically on the secondary, and
   * returns the primary's results. A failed secondary batch is journaled as one entry.
   *
   * @example
   * ```ts
   * await adapter.batch([
   *   { sql: 'INSERT INTO users (email) VALUES (?)', params: ['a@example.com'] },
   *   { sql: 'INSERT INTO audit (event) VALUES (?)', params: ['signup'] },
   * ]);
   * ```
   */
  async batch(statements: readonly Statement[]): Promise<ExecResult[]> {
    return batchStatements(this.core, statements);
  }

  /**
   * A D1-style prepared statement over this adapter: `.bind(...).run()` writes to both,
   * `.all()`, `.first()` and `.raw()` read (or write, for a write statement).
   *
   * @example
   * ```ts
   * await adapter.prepare('INSERT INTO users (email) VALUES (?)').bind('a@example.com').run();
   * ```
   */
  prepare(sql: string): PreparedStatement {
    return createPreparedStatement(this, sql);
  }

  /**
   * Runs `fn` in a transaction on the primary. Its writes are recorded and, once the
   * primary commits, replayed on the secondary in one transaction (one atomic `batch()`
   * where the secondary has no interactive transactions). A rolled-back transaction sends
   * nothing. Other writes wait until it ends, so do not await writes on this adapter
   * (rather than on `tx`) inside `fn`. `settings` (isolation level, access mode) apply on
   * the primary.
   *
   * @example
   * ```ts
   * await adapter.transaction(async (tx) => {
   *   await tx.execute('UPDATE accounts SET balance = balance - ? WHERE id = ?', [10, 1]);
   *   await tx.execute('UPDATE accounts SET balance = balance + ? WHERE id = ?', [10, 2]);
   * });
   * ```
   */
  async transaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    return runTransaction<T, DB>(this.core, fn, settings);
  }

  /**
   * Runs `fn` on one session, as Kysely's `db.connection()` does. On a Postgres primary
   * its reads run on one pinned primary connection (session settings and advisory locks
   * hold), while writes and transactions reach both sides as usual. On SQLite and D1,
   * whose one connection is the session, sessions run one at a time.
   *
   * @example
   * ```ts
   * await adapter.connection(async (session) => session.query('SELECT pg_advisory_lock(42)'));
   * ```
   */
  async connection<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    return runConnection<T, DB>(this.core, this, fn);
  }

  /** @internal Runs a builder query: compiled per side for writes, on one side for reads. */
  async executeCompiled(compiled: CompiledQuery, target: DatabaseAdapter): Promise<ExecResult & { rows: unknown[] }> {
    return executeBuilderQuery(this.core, this, compiled, target);
  }

  /** @internal Streams a builder query: a read from the primary's `stream()`, anything else as `executeCompiled` runs it. */
  streamCompiled(compiled: CompiledQuery, target: DatabaseAdapter, chunkSize: number): AsyncIterableIterator<unknown[]> {
    return streamCompiledFromPrimary(this, compiled, target, chunkSize, this.core.kyselyDialect, () => this.core.metrics.readsPrimary++);
  }
}

/**
 * Creates an adapter that writes to both databases during a migration: the primary
 * first, then the secondary; reads from the primary (or a share from the secondary).
 * Swap the roles at cutover with `switchPrimary()`.
 *
 * @example
 * ```ts
 * import { createDualWriteAdapter } from '@switchyard/dual-write';
 * const adapter = createDualWriteAdapter(createSQLiteAdapter('./app.db'), createPostgresAdapter(process.env.DATABASE_URL!), {
 *   mode: 'primary-sqlite',
 *   verifyWrites: true,
 *   continueOnSecondaryFailure: true,
 * });
 * await adapter.execute('INSERT INTO users (email) VALUES (?)', ['a@example.com']);
 * ```
 */
export function createDualWriteAdapter<DB = any>(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  options: DualWriteOptions = {},
): DualWriteAdapter<DB> {
  return new DualWriteAdapter<DB>(primary, secondary, options);
}
