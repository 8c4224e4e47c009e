import type { BaseAdapterOptions } from '@switchyard/core';
import type { Int8Mode, PostgresTypeParsers } from './postgres-types';

/**
 * Options of {@link createPostgresAdapter}.
 *
 * @example
 * ```ts
 * createPostgresAdapter(url, { name: 'neon', max: 5, schema: ['public', 'billing'] });
 * ```
 */
export interface PostgresAdapterOptions extends BaseAdapterOptions {
  /** Connections in the pool created from a connection string. Default `10` (pg's default). */
  max?: number;
  /**
   * End the pool (or the `Client`) on `close()`. Default: `true` when the adapter
   * created the pool from a connection string, `false` when you passed a Pool or Client in.
   */
  closePool?: boolean;
  /** Schemas `introspect()` reads. Default `['public']`. */
  schema?: string | readonly string[];
  /**
   * Parsers for types Switchyard leaves to pg (json, bytea, timestamptz, …). Default:
   * pg's global `types`. int8, numeric, timestamp and date are always Switchyard's.
   */
  types?: PostgresTypeParsers;
  /**
   * How int8 values are read. Default `'exact'`: a number when it fits a double exactly,
   * otherwise a bigint. `'string'` reads them as pg and Kysely's PostgresDialect do;
   * `'bigint'` always as a bigint.
   */
  int8?: Int8Mode;
  /**
   * Milliseconds to open a connection, or to wait for a free one in the pool, before the
   * call fails with a `TimeoutError` (`phase: 'connect'`). Default `10_000`; `0` waits
   * forever. Applies to the pool the adapter creates from a connection string; for a Pool
   * or Client you pass in, set pg's `connectionTimeoutMillis` on it instead.
   */
  connectTimeoutMs?: number;
  /**
   * The server-side `statement_timeout`, set once on each connection before its first
   * statement: the server cancels a statement running longer (a `QueryError`, SQLSTATE
   * 57014) and the connection stays usable. Default: none (the server's setting). On a
   * Pool or Client you pass in it stays set on the connections the adapter used.
   */
  statementTimeoutMs?: number;
  /**
   * A client-side bound on one round trip (a statement, a batch, a transaction's BEGIN or
   * COMMIT; not what runs through `withConnection`). When it runs out the call fails
   * with a `TimeoutError` (`phase: 'query'`) and
   * the connection is destroyed, never reused: a pool opens a new one for the next call; an
   * adapter on a single `Client` cannot, and fails from then on (create it anew). The server
   * may still have run the statement. Default: none. It covers a server that stops answering
   * without closing the connection, which `statementTimeoutMs` cannot.
   */
  queryTimeoutMs?: number;
  /**
   * Set the output formats the value parsers read (`DateStyle = ISO`, `IntervalStyle =
   * postgres`, `extra_float_digits = 3`) on each connection before its first statement,
   * in one round trip with `statement_timeout`. Default `true`: values are then read
   * exactly whatever the database or role sets. Pass `false` behind a pooler that resets
   * session state after each transaction (Hyperdrive, PgBouncer in transaction mode): a
   * `SET` there holds for its own statement only, so it would cost a round trip for
   * nothing. The database's own settings must then be those formats, PostgreSQL's defaults
   * since version 12 (`extra_float_digits` at least 1).
   */
  sessionFormats?: boolean;
}
