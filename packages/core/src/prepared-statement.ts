import { queryRawRows } from './raw-rows';
import type { DatabaseAdapter, PreparedStatement, Row, StatementResult } from './types';

/**
 * A D1-style prepared statement over any adapter's `execute`. Immutable: `bind`
 * returns a new statement, so one prepared statement can be bound many times.
 */
export function createPreparedStatement(adapter: DatabaseAdapter, sql: string, params: readonly unknown[] = []): PreparedStatement {
  const all = async <T>(): Promise<StatementResult<T>> => {
    const started = performance.now();
    const result = await adapter.execute(sql, params);
    const meta: StatementResult<T>['meta'] = { changes: result.rowsAffected, duration: performance.now() - started };
    if (result.lastInsertId !== undefined) meta.last_row_id = result.lastInsertId;
    return { results: (result.rows ?? []) as T[], success: true, meta };
  };
  return {
    sql,
    params,
    bind: (...values: unknown[]) => createPreparedStatement(adapter, sql, values),
    all,
    run: all,
    async first<T = Row>(column?: string): Promise<T | null> {
      const row = await adapter.first<Row>(sql, params);
      if (row === undefined) return null;
      return (column === undefined ? row : (row[column] ?? null)) as T;
    },
    async raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
      // By position, as D1 does: a join's columns that share a name are all kept.
      const { columns, rows } = await queryRawRows(adapter, sql, params);
      const values = rows as T[];
      return options?.columnNames ? ([columns as T, ...values] as T[]) : values;
    },
  };
}
