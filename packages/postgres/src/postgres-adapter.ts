import type { Client, Pool, QueryConfig, QueryResult } from 'pg';
import {
  BaseAdapter,
  DEFAULT_CAPABILITIES,
  type AbandonedSession,
  type BaseAdapterOptions,
  type DatabaseAdapter,
  type EncodedStatement,
  type NativeHandle,
  type RawResult,
  type RawRows,
  type Row,
  type StreamOptions,
  SwitchyardError,
  type TableInfo,
  type TransactionSettings,
  hasTransactionSettings,
  nestedSettingsError,
} from '@switchyard/core';
import { cursorRows } from './_internal/cursor-stream';
import { rawRows } from './_internal/raw-rows';
import { againIfStale, StalePlan } from './_internal/prepared-names';
import { holdClient } from './_internal/held-client';
import { runControlled, transactionControl } from './_internal/transaction-control';
import { SerialQueue } from './_internal/serial-queue';
import type { PgState, TxScope } from './_internal/pg-state';
import { runPipelined } from './_internal/batch-pipeline';
import { RollbackFailed, transactionStatus, unwrapRollbackFailure } from './_internal/connection-health';
import { ClientAccess } from './_internal/client-access';
import { toRawResult } from './_internal/query-result';
import { datesAsUtcText } from './_internal/utc-timestamp';
import { afterRun, queryConfig } from './_internal/query-config';
import { toPostgresError } from './postgres-errors';
import { introspectPostgres } from './postgres-introspector';
import type { PostgresConnection } from './postgres-connection';

export type { PostgresConnection } from './postgres-connection';

/**
 * A {@link DatabaseAdapter} on node-postgres (`pg`): a Pool, a single Client, or a
 * connection string (Hyperdrive's too). int8 and numeric are read exactly, `?`
 * placeholders are rewritten to `$n`, `batch()` runs in one pipelined transaction
 * and `transaction()` nests through savepoints.
 *
 * @example
 * ```ts
 * const adapter: PostgresAdapter = createPostgresAdapter(pool);
 * const [{ n }] = await adapter.query<{ n: number }>('SELECT count(*) AS n FROM users');
 * ```
 */
export class PostgresAdapter<DB = any> extends BaseAdapter<DB> {
  readonly #state: PgState;
  /** 0 for the adapter itself and its sessions; n inside the n-th nested transaction. */
  readonly #depth: number;
  readonly #tx: TxScope | undefined;
  readonly #access: ClientAccess;

  /** @internal Use {@link createPostgresAdapter}. */
  constructor(state: PgState, options: BaseAdapterOptions, depth = 0, tx?: TxScope) {
    super('postgres', { ...DEFAULT_CAPABILITIES.postgres }, options);
    this.#state = state;
    this.#depth = depth;
    this.#tx = tx;
    this.#access = new ClientAccess(state, tx, this.name, (error, sql) => this.wrapError(error, sql));
  }

  /**
   * The pg `Pool` underneath, or `undefined` when the adapter runs on a single `Client`.
   *
   * @example
   * ```ts
   * const { totalCount, idleCount } = adapter.pool ?? {};
   * ```
   */
  get pool(): Pool | undefined {
    return this.#state.pool;
  }

  /**
   * Runs `fn` with one connection of its own: checked out of the pool and released
   * afterwards, or, on a Client-based adapter and inside a transaction, the adapter's
   * connection while other callers wait. For what the adapter does not wrap, such as
   * `COPY … FROM STDIN` through pg-copy-streams. Queries sent this way use pg's own
   * type parsing and `$n` placeholders.
   *
   * @example
   * ```ts
   * import { from as copyFrom } from 'pg-copy-streams';
   * await adapter.withConnection(async (client) => {
   *   await pipeline(Readable.from(lines), client.query(copyFrom('COPY notes FROM STDIN')));
   * });
   * ```
   */
  async withConnection<T>(fn: (client: PostgresConnection) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.#access.withClient(fn);
  }

  /**
   * The contract's native handle: {@link PostgresAdapter.withConnection}, lending one pg
   * connection at a time, typed as the slice of pg that `@switchyard/core` declares.
   *
   * @example
   * ```ts
   * const native = adapter.native;
   * await native.withConnection((client) => client.query('VACUUM ANALYZE notes'));
   * ```
   */
  get native(): Extract<NativeHandle, { kind: 'pg' }> {
    return { kind: 'pg', withConnection: (fn) => this.withConnection((client) => fn(client)) };
  }

  /**
   * The sessions {@link fenceAbandoned} would end, for another process to fence should this
   * one stop first; with `inFlight`, also those running a statement now.
   *
   * @example
   * ```ts
   * const sessions = adapter.abandonedSessions({ inFlight: true }); // [{ pid: 4242, at: 1765100000000 }]
   * ```
   */
  abandonedSessions(options: { inFlight?: boolean } = {}): AbandonedSession[] {
    return this.#state.abandoned.list(options.inFlight === true);
  }

  /**
   * Makes sure no statement this adapter gave up on can still run. After a query timeout
   * or a lost connection, bytes already on their way can reach the server session and run
   * there later. This ends those sessions (`pg_terminate_backend`, allowed on sessions of
   * one's own role) and waits until they are gone; it returns how many it ended (0 at once
   * when none was abandoned). Call it before acting on the belief that a failed write did
   * not land, as dual write does before a journal replay. `others`: another process's
   * {@link abandonedSessions} (a shared journal keeps them), for it may have stopped first.
   *
   * @example
   * ```ts
   * await adapter.fenceAbandoned(); // then re-apply what timed out
   * ```
   */
  async fenceAbandoned(others: readonly AbandonedSession[] = []): Promise<number> {
    this.assertOpen();
    return this.#state.abandoned.fence((text, values) => this.#access.rowsOf<{ pid: number }>({ text, values }), others);
  }

  /**
   * Yields a read's rows in chunks through a server-side cursor (pg-cursor), one round
   * trip per chunk; the connection stays checked out until the loop ends, and leaving
   * it early closes the cursor.
   *
   * @example
   * ```ts
   * for await (const rows of adapter.stream('SELECT * FROM events', [], { chunkSize: 1000 })) console.log(rows.length);
   * ```
   */
  async *stream<T = Row>(sql: string, params: readonly unknown[] = [], options: StreamOptions = {}): AsyncIterableIterator<T[]> {
    this.assertOpen();
    const statement = this.encodeStatement(sql, params);
    const held = await holdClient<PostgresConnection>((fn) => this.#access.withClient(fn, sql)).catch((error: unknown) => {
      throw this.wrapError(error, sql);
    });
    const query = { text: statement.sql, values: datesAsUtcText(statement.params), types: this.#state.types };
    yield* cursorRows<T>(held, query, options.chunkSize ?? 100, (error) => this.wrapError(error, sql));
  }

  protected override async runSession<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    if (this.#tx) return fn(this);
    return this.#access.withClient(async (client) => {
      const session = new PostgresAdapter<DB>(this.#state, { name: this.name }, 0, { client, queue: new SerialQueue() });
      try {
        return await fn(session);
      } finally {
        session.endTransactionScope();
      }
    });
  }

  protected async runStatement(statement: EncodedStatement): Promise<RawResult> {
    const config = this.#config(statement);
    // Not pool.query(): it destroys the connection on any error, a constraint violation
    // included; here only a failed connection is discarded.
    const sql = statement.source ?? statement.sql;
    const result = await this.#access.withClient((client) => this.#access.runPrepared(client, sql, config, this.#depth > 0), sql);
    afterRun(this.#state, [statement]);
    return toRawResult(result as QueryResult | QueryResult[], statement.sql);
  }

  /**
   * Keeps `sql` prepared by name on each connection that runs it, so Postgres skips planning
   * it again (see the contract's `keepPrepared`; at most 100 texts, the rest run unprepared).
   * @example adapter.keepPrepared('INSERT INTO events (kind, at) VALUES (?, ?)');
   */
  keepPrepared(sql: string): void {
    this.#state.prepared.keep(sql);
  }

  /**
   * Runs a statement and returns its rows as arrays in column order (pg's
   * `rowMode: 'array'`), every column kept where names repeat; values are parsed by the
   * same type parsers as `query()`'s (int8 exact, as bigint beyond 2^53).
   *
   * @example
   * ```ts
   * const { columns, rows } = await adapter.queryRaw('SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id');
   * ```
   */
  async queryRaw(sql: string, params: readonly unknown[] = []): Promise<RawRows> {
    return this.runEncoded(sql, params, (statement) =>
      rawRows(this.#access, { ...this.#config(statement), rowMode: 'array' }, statement.source ?? statement.sql),
    );
  }

  protected async runBatch(statements: EncodedStatement[]): Promise<RawResult[]> {
    // A plan another process's schema change made stale fails the batch before anything of it stays.
    return againIfStale(() => this.#runBatchOnce(statements), statements.length);
  }

  async #runBatchOnce(statements: EncodedStatement[]): Promise<RawResult[]> {
    const savepoint = this.#depth > 0 ? `sy_batch_${this.#depth}` : undefined;
    return this.#access.withClient(async (client) => {
      // Outside a transaction COMMIT goes in the same pipeline: after a failed statement
      // Postgres answers it with a rollback, so a batch costs one round trip.
      const outcome = await this.#access.timed(client, statements[0]?.source ?? statements[0]?.sql, () =>
        runPipelined(client, [
          savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN',
          ...statements.map((s) => this.#config(s)),
          ...(savepoint ? [] : ['COMMIT']),
        ]),
      );
      if (outcome.failed !== undefined) {
        const failing = statements[outcome.failed - 1];
        const failingSql = failing ? (failing.source ?? failing.sql) : outcome.failed === 0 ? 'BEGIN' : 'COMMIT';
        const error = this.wrapError(outcome.error, savepoint && !failing ? 'SAVEPOINT' : failingSql);
        const stale = !!failing && !!this.#state.prepared.nameOf(failingSql) && this.#state.prepared.failed(failingSql, outcome.error);
        try {
          if (savepoint) await this.#access.control(client, `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`);
          // Still open when the statements after the failure were never sent (pg without pipeline mode).
          else if (transactionStatus(client) !== 'I') await this.#access.control(client, 'ROLLBACK');
        } catch (rollbackError) {
          // The statement's error is the one to report; the connection is discarded.
          throw new RollbackFailed(error, rollbackError);
        }
        throw stale ? new StalePlan(error) : error;
      }
      if (savepoint) await this.#access.control(client, `RELEASE SAVEPOINT ${savepoint}`);
      afterRun(this.#state, statements);
      return outcome.results.slice(1, statements.length + 1).map((r, i) => toRawResult(r, statements[i]!.sql));
    });
  }

  protected async runTransaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    const nested = this.#depth > 0;
    if (nested && hasTransactionSettings(settings)) throw nestedSettingsError(this.name, 'postgres');
    const statements = transactionControl(this.#depth, settings, this.name);
    const body = async (client: PostgresConnection, queue: SerialQueue): Promise<T> => {
      const tx = new PostgresAdapter<DB>(this.#state, { name: this.name }, this.#depth + 1, { client, queue });
      try {
        return await runControlled(
          (sql) => queue.run(() => this.#access.control(client, sql)),
          statements,
          () => fn(tx),
        );
      } finally {
        tx.endTransactionScope();
      }
    };
    // A savepoint shares its transaction's connection and statement queue, so the outer
    // transaction's adapter stays usable inside the nested callback; a session's
    // transaction runs on the session's connection.
    if (this.#tx) return unwrapRollbackFailure(body(this.#tx.client, this.#tx.queue));
    // The root holds a connection for the whole transaction: on a Client-based adapter
    // other callers wait for it; on a pool they use other connections.
    return this.#access.withClient((client) => body(client, new SerialQueue()));
  }

  protected async runIntrospect(): Promise<TableInfo[]> {
    return introspectPostgres(
      <T>(text: string, values: unknown[]) => this.#access.rowsOf<T>({ text, values, types: this.#state.types }),
      this.#state.schemas,
    );
  }

  protected async runClose(): Promise<void> {
    if (this.#tx || !this.#state.ownsConnection) return;
    const { pool, client, queue } = this.#state;
    if (pool) await pool.end();
    // Statements queued before close() finish first.
    else if (client) await queue.run(() => (client as Client).end());
  }

  protected override toError(error: unknown, sql: string | undefined): SwitchyardError {
    return toPostgresError(error, sql, this.name);
  }

  #config(statement: EncodedStatement): QueryConfig {
    return queryConfig(this.#state, statement, this.#depth === 0);
  }
}
