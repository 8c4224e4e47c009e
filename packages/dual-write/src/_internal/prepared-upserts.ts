import type { DatabaseAdapter } from '@switchyard/core';

/** Row counts up to which a group-committed upsert is kept prepared: most groups under load are this small. */
const PREPARED_ROWS = 8;
/** Texts of several rows a secondary is asked to keep, at most: its prepared slots are few, and after a switch the app's texts need them. */
const MULTI_ROW_SLOTS = 24;
const multiRowKept = new WeakMap<DatabaseAdapter, Set<string>>();

/**
 * Asks the secondary to keep an upsert of `rows` rows prepared, so Postgres plans it once
 * per connection: a single row, the common write, always; a group of a few rows (their
 * count varies with concurrency) while fewer than {@link MULTI_ROW_SLOTS} such texts are kept.
 */
export function keepUpsertPrepared(to: DatabaseAdapter, sql: string, rows: number): void {
  if (!to.keepPrepared || rows > PREPARED_ROWS) return;
  if (rows > 1) {
    let kept = multiRowKept.get(to);
    if (!kept) multiRowKept.set(to, (kept = new Set()));
    if (!kept.has(sql) && kept.size >= MULTI_ROW_SLOTS) return;
    kept.add(sql);
  }
  to.keepPrepared(sql);
}
