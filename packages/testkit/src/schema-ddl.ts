import type { DatabaseAdapter, LogicalType } from '@switchyard/core';

// One declared type per logical type and engine family. The SQLite names are chosen so
// that core's logicalTypeOf() reads them back as the same logical type Postgres reports.
const TYPES: Record<'postgres' | 'sqlite', Record<LogicalType, string>> = {
  postgres: {
    integer: 'BIGINT',
    boolean: 'BOOLEAN',
    timestamp: 'TIMESTAMPTZ',
    json: 'JSONB',
    blob: 'BYTEA',
    numeric: 'NUMERIC',
    real: 'DOUBLE PRECISION',
    text: 'TEXT',
  },
  sqlite: {
    integer: 'BIGINT',
    boolean: 'BOOLEAN',
    timestamp: 'TIMESTAMP',
    json: 'JSON',
    blob: 'BLOB',
    numeric: 'NUMERIC',
    real: 'DOUBLE PRECISION',
    text: 'TEXT',
  },
};

/**
 * The declared type that holds a logical type on the adapter's engine.
 *
 * @example
 * ```ts
 * columnType(pgAdapter, 'json')     // 'JSONB'
 * columnType(sqliteAdapter, 'json') // 'JSON'
 * ```
 */
export function columnType(adapter: Pick<DatabaseAdapter, 'dialect'>, type: LogicalType): string {
  return TYPES[adapter.dialect === 'postgres' ? 'postgres' : 'sqlite'][type];
}

/**
 * Portable DDL: replaces `{integer}`, `{json}`, `{timestamp}`… with the engine's
 * declared type for that logical type, so one statement creates the same table on
 * SQLite, D1 and Postgres.
 *
 * @example
 * ```ts
 * await adapter.execute(ddl(adapter, 'CREATE TABLE notes (id {integer} PRIMARY KEY, body {json})'));
 * ```
 */
export function ddl(adapter: Pick<DatabaseAdapter, 'dialect'>, sql: string): string {
  return sql.replace(/\{(integer|boolean|timestamp|json|blob|numeric|real|text)\}/g, (_m, type: LogicalType) =>
    columnType(adapter, type),
  );
}
