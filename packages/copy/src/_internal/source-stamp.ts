import { nativeHandle, type DatabaseAdapter } from '@switchyard/core';

/**
 * Tells whether anything was written to a SQLite source since a moment: a stamp taken
 * before a batch is read, compared after it is written, lets the reconcile skip reading
 * the span again when it cannot have changed.
 *
 * `PRAGMA data_version` changes when any other connection commits to the file, in this
 * process or another; `total_changes()` counts every row this connection itself inserted,
 * updated or deleted (the application may write through the very adapter the copy reads
 * from). An open transaction on the connection makes the moment unusable: the copy's
 * reads would see its uncommitted rows, which may still be rolled back.
 */
export interface SourceStamp {
  /** The state now; `undefined` when it cannot vouch for anything (a transaction is open). */
  take(): string | undefined;
  /** True only when `stamp` was taken and nothing has been written since. */
  unchangedSince(stamp: string | undefined): boolean;
}

/** A stamp for a better-sqlite3 source; `undefined` for any other source (always re-read). */
export function createSourceStamp(source: DatabaseAdapter): SourceStamp | undefined {
  const raw = nativeHandle(source, 'better-sqlite3')?.database;
  if (!raw || !raw.open) return undefined;
  let statement: { get(): unknown };
  try {
    statement = raw.prepare('SELECT (SELECT data_version FROM pragma_data_version) AS v, total_changes() AS c').raw(true);
  } catch {
    return undefined;
  }
  const now = (): string | undefined => {
    if (raw.inTransaction) return undefined;
    const [version, changes] = statement.get() as [unknown, unknown];
    return `${String(version)}:${String(changes)}`;
  };
  return {
    take: now,
    unchangedSince: (stamp) => stamp !== undefined && now() === stamp,
  };
}
