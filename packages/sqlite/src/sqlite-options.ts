import type { BaseAdapterOptions } from '@switchyard/core';

/** Options of {@link createSQLiteAdapter}. */
export interface SQLiteAdapterOptions extends BaseAdapterOptions {
  /**
   * Close the better-sqlite3 database on `close()`. Default: `true` when the adapter
   * opened it from a path, `false` when you passed a database in.
   */
  closeDatabase?: boolean;
  /** Milliseconds to wait on a locked database file before failing. Default `5000`. */
  busyTimeout?: number;
  /**
   * Bytes of the database file SQLite reads through a memory map (`PRAGMA mmap_size`)
   * instead of copying each page in. Default: 256 MiB for a file the adapter opens from a
   * path; a database you pass in keeps its own setting unless you give one. `0` turns it off.
   */
  mmapSize?: number;
}
