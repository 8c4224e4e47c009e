import { nativeHandle, type DatabaseAdapter } from '@switchyard/core';

/**
 * On a better-sqlite3 target in WAL mode, commits the copy's batches with
 * `synchronous = NORMAL` instead of fsyncing the WAL on every commit, and returns the
 * function that puts the previous setting back. Each batch commits with its own
 * checkpoint, so a commit lost to a power failure loses its checkpoint too and the
 * batch is copied again; WAL with NORMAL never corrupts the database.
 */
export function relaxSqliteSync(target: DatabaseAdapter): () => void {
  const db = nativeHandle(target, 'better-sqlite3')?.database;
  if (!db) return () => {};
  const pragma = db.pragma.bind(db);
  try {
    if (String(pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return () => {};
    const previous = Number(pragma('synchronous', { simple: true }));
    if (previous <= 1) return () => {};
    pragma('synchronous = NORMAL');
    return () => {
      try {
        pragma(`synchronous = ${previous}`);
      } catch {
        // The database was closed meanwhile: nothing to restore.
      }
    };
  } catch {
    return () => {};
  }
}
