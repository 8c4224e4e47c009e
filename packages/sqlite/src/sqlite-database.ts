/**
 * The slice of better-sqlite3's API the adapter uses, declared here so the driver
 * stays a peer dependency the user injects (any compatible build works).
 */
export interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  /** Rows one at a time; `return()` closes the statement early. */
  iterate(...params: unknown[]): IterableIterator<unknown>;
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  safeIntegers(toggle?: boolean): this;
}

/** A better-sqlite3 `Database`. */
export interface SqliteDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly memory: boolean;
  readonly name: string;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  function(name: string, options: Record<string, unknown>, fn: (...args: any[]) => unknown): unknown;
  close(): unknown;
}
