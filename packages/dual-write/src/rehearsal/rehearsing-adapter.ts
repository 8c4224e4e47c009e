import {
  createPreparedStatement,
  type DatabaseAdapter,
  type ExecResult,
  type PreparedStatement,
  type Row,
  type Statement,
} from '@switchyard/core';
import type { SqlRehearsal } from './sql-rehearsal';

/**
 * Wraps the adapter an app runs on so that every statement it sends is also handed to a
 * {@link SqlRehearsal}, before any dual write is set up. Results and errors are the
 * adapter's own; rehearsing happens after each call returns.
 *
 * @example
 * ```ts
 * const rehearsal = new SqlRehearsal({ source: d1, target: postgres });
 * env.DB = asD1Database(rehearsingAdapter(d1, rehearsal));
 * ```
 */
export function rehearsingAdapter<DB = any>(adapter: DatabaseAdapter<DB>, rehearsal: SqlRehearsal): DatabaseAdapter<DB> {
  const watch = async <T>(
    statements: readonly Statement[],
    run: () => Promise<T>,
    rows: (result: T) => readonly (readonly Row[] | undefined)[],
  ): Promise<T> => {
    const result = await run();
    const perStatement = rows(result);
    statements.forEach((s, i) => void rehearsal.observe(s, perStatement[i]));
    return result;
  };
  const wrapped: DatabaseAdapter<DB> = {
    get name() {
      return adapter.name;
    },
    get dialect() {
      return adapter.dialect;
    },
    get capabilities() {
      return adapter.capabilities;
    },
    get db() {
      return adapter.db;
    },
    query: <T = Row>(sql: string, params: readonly unknown[] = []) =>
      watch(
        [{ sql, params }],
        () => adapter.query<T>(sql, params),
        (rows) => [rows as Row[]],
      ),
    first: async <T = Row>(sql: string, params: readonly unknown[] = []) => (await wrapped.query<T>(sql, params))[0],
    execute: (sql: string, params: readonly unknown[] = []) =>
      watch(
        [{ sql, params }],
        () => adapter.execute(sql, params),
        (r: ExecResult) => [r.rows ?? []],
      ),
    batch: (statements: readonly Statement[]) =>
      watch(
        statements,
        () => adapter.batch(statements),
        (results) => results.map((r) => r.rows ?? []),
      ),
    prepare: (sql: string): PreparedStatement => createPreparedStatement(wrapped, sql),
    transaction: (fn) => adapter.transaction((tx) => fn(rehearsingAdapter(tx, rehearsal))),
    introspect: () => adapter.introspect(),
    close: () => adapter.close(),
  };
  return wrapped;
}
