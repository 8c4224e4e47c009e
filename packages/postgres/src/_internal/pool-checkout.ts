import type { Pool, PoolClient } from 'pg';
import { RollbackFailed, isConnectionFailure } from './connection-health';
import { asConnectTimeout, isQueryTimeout } from './query-timeout';

/** What a pool checkout needs from its adapter. */
export interface PoolCheckout {
  pool: Pool;
  connectTimeoutMs: number | undefined;
  adapterName: string;
  /** Puts the session settings in place before the connection's first use. */
  configure(client: PoolClient): Promise<void>;
  /** Types an error raised while no connection could be had. */
  wrapError(error: unknown): Error;
}

/**
 * Runs `fn` on a connection checked out of the pool, then releases it; a connection
 * that failed, timed out or could not roll back is destroyed, not handed to the next caller.
 */
export async function withPoolClient<T>(checkout: PoolCheckout, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const { pool } = checkout;
  let checkedOut: PoolClient;
  try {
    checkedOut = await pool.connect();
  } catch (error) {
    // Typed here: transaction() and withConnection() hand errors back as they come.
    const bound =
      checkout.connectTimeoutMs ?? (pool as { options?: { connectionTimeoutMillis?: number } }).options?.connectionTimeoutMillis;
    throw asConnectTimeout(error, bound, checkout.adapterName) ?? checkout.wrapError(error);
  }
  // A connection that failed is destroyed rather than handed to the next caller.
  let discard: Error | undefined;
  // pg-pool listens for errors only on idle connections: without this, a server that
  // drops a checked-out connection between two queries would crash the process.
  const onError = (error: Error) => {
    discard ??= error;
  };
  checkedOut.on('error', onError);
  try {
    await checkout.configure(checkedOut);
    return await fn(checkedOut);
  } catch (error) {
    if (error instanceof RollbackFailed) {
      discard = error;
      throw error.original;
    }
    // After a query timeout the connection is already destroyed; the pool must not keep it.
    if (isConnectionFailure(error) || isQueryTimeout(error)) discard = error as Error;
    throw error;
  } finally {
    checkedOut.removeListener('error', onError);
    checkedOut.release(discard);
  }
}
