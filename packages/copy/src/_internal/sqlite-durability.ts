import type { DatabaseAdapter } from '@switchyard/core';

interface PragmaDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

/**
 * On a better-sqlite3 target in WAL mode, commits the copy's batches with
 * `synchronous = NORMAL` instead of fsyncing the WAL on every commit, and returns the
 * function that puts the previous setting back. Each batch commits with its own
 * checkpoint, so a commit lost to a power failure loses its checkpoint too and the
 * batch is copied again; WAL with NORMAL never corrupts the database.
 */
export function relaxSqliteSync(target: DatabaseAdapter): () => void {
  if (target.dialect !== 'sqlite') return () => {};
  const db = (target as { database?: Partial<PragmaDatabase> }).database;
  if (!db || typeof db.pragma !== 'function') return () => {};
  const pragma = db.pragma.bind(db) as PragmaDatabase['pragma'];
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
