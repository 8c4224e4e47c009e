import type { SqliteNativeDatabase, SqliteNativeStatement } from '@switchyard/core';

/**
 * A better-sqlite3 `Statement`: the slice of its API Switchyard uses, declared once in
 * `@switchyard/core` so the driver stays a peer dependency the user injects.
 */
export type SqliteStatement = SqliteNativeStatement;

/** A better-sqlite3 `Database`: the slice of its API Switchyard uses (see {@link SqliteStatement}). */
export type SqliteDatabase = SqliteNativeDatabase;
