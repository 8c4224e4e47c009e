import pg from 'pg';
import type { Client, Pool } from 'pg';
import { InvalidArgumentError, registerSecret } from '@switchyard/core';
import { PostgresAdapter, type PostgresConnection } from './postgres-adapter';
import type { PostgresAdapterOptions } from './postgres-options';
import { createTypeParsers } from './postgres-types';
import type { PgState } from './_internal/pg-state';
import { SerialQueue } from './_internal/serial-queue';
import { AbandonedSessions } from './_internal/abandoned-sessions';
import { PreparedNames } from './_internal/prepared-names';
import { timeoutOption } from './_internal/query-timeout';

/**
 * Creates an adapter on a pg `Pool`, a `Client` (connected, or connected by you before
 * the first query), or a connection string, for which it creates and owns a Pool.
 *
 * In Cloudflare Workers pass Hyperdrive's connection string
 * (`env.HYPERDRIVE.connectionString`, with the `nodejs_compat` flag): this path only
 * uses pg's Pool and Client. Create the adapter per request and `close()` it at the end.
 *
 * @example
 * ```ts
 * import { createPostgresAdapter } from '@switchyard/postgres';
 * const adapter = createPostgresAdapter(process.env.DATABASE_URL!, { max: 5 });
 * const notes = await adapter.query('SELECT * FROM notes WHERE user_id = ?', [userId]);
 * ```
 */
export function createPostgresAdapter<DB = any>(
  poolOrClientOrConnectionString: Pool | PostgresConnection | string,
  options: PostgresAdapterOptions = {},
): PostgresAdapter<DB> {
  const source = poolOrClientOrConnectionString;
  const statementTimeoutMs = timeoutOption('statementTimeoutMs', options.statementTimeoutMs);
  const queryTimeoutMs = timeoutOption('queryTimeoutMs', options.queryTimeoutMs);
  const connectTimeoutMs = options.connectTimeoutMs === undefined ? 10_000 : timeoutOption('connectTimeoutMs', options.connectTimeoutMs);
  if (options.connectTimeoutMs !== undefined && typeof source !== 'string') {
    throw new InvalidArgumentError(
      "createPostgresAdapter: connectTimeoutMs applies to the pool created from a connection string. Set pg's connectionTimeoutMillis on the Pool or Client you pass in instead.",
      { dialect: 'postgres' },
    );
  }
  let pool: Pool | undefined;
  let client: PostgresConnection | undefined;
  if (typeof source === 'string') {
    if (source.trim() === '') {
      throw new InvalidArgumentError(
        'createPostgresAdapter: the connection string is empty. Pass postgres://user:pass@host:5432/db, a pg Pool or a pg Client.',
        { dialect: 'postgres' },
      );
    }
    registerSecret(passwordOf(source));
    pool = new pg.Pool({ connectionString: source, max: options.max ?? 10, connectionTimeoutMillis: connectTimeoutMs ?? 0 });
    // An idle connection the server drops must not crash the process; the next query reconnects.
    pool.on('error', () => {});
  } else if (isPool(source)) {
    pool = source;
  } else if (source && typeof (source as Client).query === 'function') {
    client = source as PostgresConnection;
  } else {
    throw new InvalidArgumentError('createPostgresAdapter: expected a pg Pool, a pg Client or a connection string.', {
      dialect: 'postgres',
    });
  }
  const schema = options.schema ?? 'public';
  const state: PgState = {
    pool,
    client,
    queue: new SerialQueue(),
    ownsConnection: options.closePool ?? typeof source === 'string',
    types: createTypeParsers(options.types, options.int8),
    schemas: typeof schema === 'string' ? [schema] : [...schema],
    statementTimeoutMs,
    sessionFormats: options.sessionFormats ?? true,
    queryTimeoutMs,
    connectTimeoutMs: typeof source === 'string' ? connectTimeoutMs : undefined,
    configured: new WeakSet(),
    abandoned: new AbandonedSessions(),
    prepared: new PreparedNames(),
  };
  return new PostgresAdapter<DB>(state, options);
}

function isPool(value: unknown): value is Pool {
  const v = value as Partial<Pool>;
  return typeof v === 'object' && v !== null && typeof v.connect === 'function' && 'totalCount' in v && 'idleCount' in v;
}

// The password of a postgres:// URL, so errors that quote the URL (or the driver's echo of it) redact it.
function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
