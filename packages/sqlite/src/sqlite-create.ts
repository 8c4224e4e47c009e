import Database from 'better-sqlite3';
import { InvalidArgumentError } from '@switchyard/core';
import { SQLiteAdapter } from './sqlite-adapter';
import type { SQLiteAdapterOptions } from './sqlite-options';
import type { SqliteDatabase } from './sqlite-database';
import { TransactionLock } from './transaction-lock';
import type { SqliteState } from './_internal/sqlite-state';

// Scans and count(*) read pages straight from the OS page cache instead of copying
// each one (a 1M-row count(*) drops from ~25 ms to ~1 ms), which also frees the core
// a validation or copy shares with the other engine. Writes still go through the WAL.
const DEFAULT_MMAP_SIZE = 256 * 1024 * 1024;

/**
 * Creates an adapter on a better-sqlite3 database, or on a file path (`':memory:'` for
 * an in-memory database). File databases are switched to WAL; a file opened from a
 * path is read through a memory map (see {@link SQLiteAdapterOptions.mmapSize}).
 *
 * @example
 * ```ts
 * import { createSQLiteAdapter } from '@switchyard/sqlite';
 * const adapter = createSQLiteAdapter('./app.db');
 * const notes = await adapter.query('SELECT * FROM notes WHERE user_id = ?', [userId]);
 * ```
 */
export function createSQLiteAdapter<DB = any>(
  databaseOrPath: SqliteDatabase | string,
  options: SQLiteAdapterOptions = {},
): SQLiteAdapter<DB> {
  const { mmapSize } = options;
  if (mmapSize !== undefined && (!Number.isSafeInteger(mmapSize) || mmapSize < 0)) {
    throw new InvalidArgumentError(`mmapSize must be a whole number of bytes >= 0 (0 turns memory mapping off); got ${String(mmapSize)}.`);
  }
  const opened = typeof databaseOrPath === 'string';
  const database = opened ? (new Database(databaseOrPath) as unknown as SqliteDatabase) : databaseOrPath;
  database.pragma(`busy_timeout = ${options.busyTimeout ?? 5000}`);
  if (!database.memory) database.pragma('journal_mode = WAL');
  const mapped = mmapSize ?? (opened && !database.memory ? DEFAULT_MMAP_SIZE : undefined);
  if (mapped !== undefined) database.pragma(`mmap_size = ${mapped}`);
  const state: SqliteState = {
    database,
    statements: new Map(),
    lock: new TransactionLock(),
    ownsDatabase: options.closeDatabase ?? opened,
  };
  return new SQLiteAdapter<DB>(state, options);
}
