import type { Client, PoolClient } from 'pg';

/**
 * A pg connection: a `Client`, or a `PoolClient` checked out of a pool.
 *
 * @example
 * ```ts
 * await adapter.withConnection((client: PostgresConnection) => client.query('SELECT 1'));
 * ```
 */
export type PostgresConnection = Client | PoolClient;
