import { queryRawRows, type DatabaseAdapter, type Row } from '@switchyard/core';
import type { AsyncBatchRemoteCallback, AsyncRemoteCallback } from 'drizzle-orm/sqlite-proxy';

/**
 * The callbacks of Drizzle's SQLite proxy driver (`drizzle-orm/sqlite-proxy`) over a
 * Switchyard adapter whose primary speaks SQLite (SQLite or D1): Drizzle's SQL goes to
 * the adapter as it is, and rows come back as the arrays Drizzle reads.
 *
 * @example
 * ```ts
 * const { query, batch } = adapterProxy(dual);
 * const db = drizzle(query, batch, { schema });
 * ```
 */
export function adapterProxy(adapter: DatabaseAdapter): { query: AsyncRemoteCallback; batch: AsyncBatchRemoteCallback } {
  const toRows = (method: string, rows: Row[] | undefined) => {
    const arrays = (rows ?? []).map((r) => Object.values(r));
    return method === 'get' ? { rows: arrays[0] as unknown[] } : { rows: arrays };
  };
  return {
    // By position (queryRaw where the adapter has it), so a join's columns that share a name are all kept.
    query: async (sql, params, method) => {
      const { rows } = await queryRawRows(adapter, sql, params);
      return method === 'get' ? { rows: rows[0] as unknown[] } : { rows };
    },
    batch: async (queries) => {
      const results = await adapter.batch(queries.map((q) => ({ sql: q.sql, params: q.params })));
      return results.map((r, i) => toRows(queries[i]!.method, r.rows));
    },
  };
}
