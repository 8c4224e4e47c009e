import type { DatabaseAdapter, LogicalType } from '@switchyard/core';

// One declared type per logical type, valid on SQLite, D1 and Postgres alike, so that the
// same DDL also runs through a dual-write adapter whose two sides are different engines.
// SQLite accepts any type name; core's logicalTypeOf() reads each of these back as the
// same logical type on every engine (BYTEA and JSONB included).
const PORTABLE: Record<LogicalType, string> = {
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSONB',
  blob: 'BYTEA',
  numeric: 'NUMERIC',
  real: 'DOUBLE PRECISION',
  text: 'TEXT',
};

/**
 * The declared type that holds a logical type on the adapter's engine. The names are the
 * same on every engine today; the adapter is a parameter so that can change without
 * touching callers.
 *
 * @example
 * ```ts
 * columnType(adapter, 'json') // 'JSONB'
 * ```
 */
export function columnType(_adapter: Pick<DatabaseAdapter, 'dialect'>, type: LogicalType): string {
  return PORTABLE[type];
}

/**
 * Portable DDL: replaces `{integer}`, `{json}`, `{timestamp}`… with a declared type that
 * holds that logical type, so one statement creates the same table on SQLite, D1 and
 * Postgres.
 *
 * @example
 * ```ts
 * await adapter.execute(ddl(adapter, 'CREATE TABLE notes (id {integer} PRIMARY KEY, body {json})'));
 * ```
 */
export function ddl(adapter: Pick<DatabaseAdapter, 'dialect'>, sql: string): string {
  return sql.replace(/\{(integer|boolean|timestamp|json|blob|numeric|real|text)\}/g, (_m, type: LogicalType) => columnType(adapter, type));
}
