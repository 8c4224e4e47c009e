import type { DatabaseAdapter, RawRows, Row } from './types';

/**
 * Rows keyed by column name as {@link RawRows}, for adapters without `queryRaw`. The
 * names come from the first row, so a name a result repeated survives once (with its
 * last value) and a result without rows has no columns.
 *
 * @example
 * ```ts
 * rowsToRawRows([{ id: 1, name: 'ada' }]) // { columns: ['id', 'name'], rows: [[1, 'ada']] }
 * ```
 */
export function rowsToRawRows(rows: readonly Row[]): RawRows {
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  return { columns, rows: rows.map((row) => columns.map((c) => row[c])) };
}

/**
 * Runs a statement for its rows as arrays: through `adapter.queryRaw` when the adapter
 * has it (every column kept, in order), else from `adapter.query` (see {@link rowsToRawRows}).
 *
 * @example
 * ```ts
 * const { columns, rows } = await queryRawRows(adapter, 'SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id');
 * ```
 */
export async function queryRawRows(adapter: DatabaseAdapter, sql: string, params: readonly unknown[] = []): Promise<RawRows> {
  if (adapter.queryRaw) return adapter.queryRaw(sql, params);
  return rowsToRawRows(await adapter.query<Row>(sql, params));
}
