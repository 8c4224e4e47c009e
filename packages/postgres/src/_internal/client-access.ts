import type { QueryConfig } from 'pg';
import type { SwitchyardError } from '@switchyard/core';
import type { PostgresConnection } from '../postgres-connection';
import { isConnectionFailure, transactionStatus, unwrapRollbackFailure } from './connection-health';
import type { PgState, TxScope } from './pg-state';
import { withPoolClient } from './pool-checkout';
import { isQueryTimeout, withQueryTimeout } from './query-timeout';

/**
 * The output formats the value parsers read, whatever the server, database or role sets:
 * ISO dates and timestamps (`DateStyle` keeps its day/month order for input, so the app's
 * date literals mean what they meant), intervals as `postgres` writes them, and every
 * float8 digit (with `extra_float_digits` below 1 the server rounds them, and two values
 * that differ would read the same). The session time zone stays the app's: it changes
 * what its SQL computes, not only how values are written.
 */
const OUTPUT_SETTINGS = 'SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3';

/**
 * How an adapter reaches a connection: its transaction's, its single Client's (queued),
 * or one checked out of the pool; with the session settings in place and each round
 * trip bounded.
 */
export class ClientAccess {
  readonly #state: PgState;
  readonly #tx: TxScope | undefined;
  readonly #adapterName: string;
  readonly #wrapError: (error: unknown, sql: string | undefined) => SwitchyardError;

  constructor(
    state: PgState,
    tx: TxScope | undefined,
    adapterName: string,
    wrapError: (error: unknown, sql: string | undefined) => SwitchyardError,
  ) {
    this.#state = state;
    this.#tx = tx;
    this.#adapterName = adapterName;
    this.#wrapError = wrapError;
  }

  /** Runs a transaction-control statement, with its error typed. */
  async control(client: PostgresConnection, sql: string): Promise<void> {
    try {
      await this.timed(client, sql, () => client.query(sql));
    } catch (error) {
      throw this.#wrapError(error, sql);
    }
  }

  /** One round trip, bounded by `queryTimeoutMs`. */
  async timed<T>(client: PostgresConnection, sql: string | undefined, run: () => Promise<T>): Promise<T> {
    const done = this.#state.abandoned.running(client);
    try {
      return await withQueryTimeout(client, this.#state.queryTimeoutMs, { sql, adapterName: this.#adapterName }, run);
    } catch (error) {
      // The connection is gone on our side only: what it sent may still reach its session.
      if (isQueryTimeout(error) || isConnectionFailure(error)) this.#state.abandoned.record(client);
      throw error;
    } finally {
      done();
    }
  }

  /**
   * Runs `config`; a prepared run that failed before it ran (a stale or lost plan) runs once
   * more unprepared, unless the failure aborted a transaction open on the connection (a
   * session's own `BEGIN`; `inTransaction` where pg does not report the status).
   */
  async runPrepared(client: PostgresConnection, sql: string, config: QueryConfig, inTransaction: boolean): Promise<unknown> {
    try {
      return await this.timed(client, sql, () => client.query(config));
    } catch (error) {
      const status = transactionStatus(client);
      if (!config.name || !this.#state.prepared.failed(sql, error) || (status === undefined ? inTransaction : status !== 'I')) throw error;
      return this.timed(client, sql, () => client.query({ ...config, name: undefined }));
    }
  }

  /** One statement on a connection of its own: its rows, its error typed. */
  async rowsOf<T>(config: QueryConfig): Promise<T[]> {
    try {
      const result = await this.withClient((client) => this.timed(client, config.text, () => client.query(config)), config.text);
      return result.rows as T[];
    } catch (error) {
      throw this.#wrapError(error, config.text);
    }
  }

  /** Puts the session settings in place on a connection's first use by this adapter, in one round trip. */
  async #configure(client: PostgresConnection): Promise<void> {
    const { statementTimeoutMs, sessionFormats, configured } = this.#state;
    if (configured.has(client)) return;
    const settings = [
      ...(sessionFormats ? [OUTPUT_SETTINGS] : []),
      ...(statementTimeoutMs === undefined ? [] : [`SET statement_timeout = ${statementTimeoutMs}`]),
    ];
    if (settings.length > 0) await this.control(client, settings.join('; '));
    configured.add(client);
  }

  /**
   * Runs `fn` on a connection this adapter may use exclusively until `fn` settles.
   * `sql` names the statement in the error when no connection can be had.
   */
  async withClient<T>(fn: (client: PostgresConnection) => Promise<T>, sql?: string): Promise<T> {
    const tx = this.#tx;
    if (tx) return unwrapRollbackFailure(tx.queue.run(() => fn(tx.client)));
    const { pool, client, queue } = this.#state;
    if (client) {
      return unwrapRollbackFailure(
        queue.run(async () => {
          await this.#configure(client);
          return fn(client);
        }),
      );
    }
    return withPoolClient(
      {
        pool: pool!,
        connectTimeoutMs: this.#state.connectTimeoutMs,
        adapterName: this.#adapterName,
        configure: (c) => this.#configure(c),
        wrapError: (error) => this.#wrapError(error, sql),
      },
      fn,
    );
  }
}
