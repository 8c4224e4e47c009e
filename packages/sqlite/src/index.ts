export { SQLiteAdapter, createSQLiteAdapter, type SQLiteAdapterOptions } from './sqlite-adapter';
export { introspectSqlite, INTERNAL_TABLE } from './sqlite-introspector';
export type { SqliteDatabase, SqliteStatement } from './sqlite-database';
