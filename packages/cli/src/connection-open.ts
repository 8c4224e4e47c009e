import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DatabaseAdapter } from '@switchyard/core';
import { CliUsageError } from './cli-error';
import { parseConnectionString, type ConnectionSpec } from './connection-parse';
import { findD1LocalFile } from './_internal/d1-local-find';

/** Environment variables the CLI reads. */
export interface ConnectionEnv {
  /** The Cloudflare API token for `d1://` (needs the D1 edit permission). */
  CLOUDFLARE_API_TOKEN?: string;
  /** Base URL of the D1 REST API (ending in `/client/v4`); for proxies and tests. */
  SWITCHYARD_D1_API_URL?: string;
}

/** Options of {@link openConnection}. */
export interface OpenConnectionOptions {
  /** Which argument this is (`'<source>'`), for error messages. */
  role?: string;
  /** Create a SQLite file that does not exist yet (a copy target). Default `false`. */
  create?: boolean;
  /** Where to read `CLOUDFLARE_API_TOKEN` and `SWITCHYARD_D1_API_URL`. Default `process.env`. */
  env?: ConnectionEnv;
}

/**
 * Opens the adapter a connection string names: SQLite (better-sqlite3), PostgreSQL (pg),
 * D1 through its REST API, or the local D1 file of a wrangler project (opened with
 * better-sqlite3 and named `'d1-local'`: it is the same SQLite file Miniflare uses).
 *
 * @example
 * ```ts
 * const source = await openConnection('sqlite:./app.db');
 * const target = await openConnection(process.env.DATABASE_URL!, { role: '<target>' });
 * ```
 */
export async function openConnection(value: string | ConnectionSpec, options: OpenConnectionOptions = {}): Promise<DatabaseAdapter> {
  const role = options.role ?? 'connection string';
  const spec = typeof value === 'string' ? parseConnectionString(value, role) : value;
  const env = options.env ?? (process.env as ConnectionEnv);
  switch (spec.kind) {
    case 'sqlite': {
      const path = spec.path === ':memory:' ? spec.path : resolve(spec.path);
      if (path !== ':memory:' && !existsSync(path)) {
        if (!options.create) {
          throw new CliUsageError(
            `The ${role} sqlite:${spec.path} does not exist (looked for ${path}). Check the path, or create the database first.`,
          );
        }
        if (!existsSync(dirname(path)))
          throw new CliUsageError(`The ${role} sqlite:${spec.path} is in a folder that does not exist: ${dirname(path)}.`);
      }
      const { createSQLiteAdapter } = await import('@switchyard/sqlite');
      return createSQLiteAdapter(path);
    }
    case 'd1-local': {
      const file = findD1LocalFile(spec.projectDir, role);
      const { createSQLiteAdapter } = await import('@switchyard/sqlite');
      return createSQLiteAdapter(file, { name: 'd1-local' });
    }
    case 'postgres': {
      const { createPostgresAdapter } = await import('@switchyard/postgres');
      return createPostgresAdapter(spec.url);
    }
    case 'd1': {
      const apiToken = env.CLOUDFLARE_API_TOKEN;
      if (!apiToken) {
        throw new CliUsageError(
          `The ${role} d1://${spec.accountId}/${spec.databaseId} needs an API token: set CLOUDFLARE_API_TOKEN to a token with the "D1 Edit" permission.`,
        );
      }
      const { createD1Adapter } = await import('@switchyard/d1');
      const baseUrl = env.SWITCHYARD_D1_API_URL;
      return createD1Adapter({ accountId: spec.accountId, databaseId: spec.databaseId, apiToken, ...(baseUrl ? { baseUrl } : {}) });
    }
  }
}
