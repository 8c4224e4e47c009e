export { SQLiteAdapter } from './sqlite-adapter';
export { createSQLiteAdapter } from './sqlite-create';
export type { SQLiteAdapterOptions } from './sqlite-options';
export { introspectSqlite, INTERNAL_TABLE } from './sqlite-introspector';
export type { SqliteDatabase, SqliteStatement } from './sqlite-database';
