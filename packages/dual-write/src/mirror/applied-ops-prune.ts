import { InvalidArgumentError, type DatabaseAdapter } from '@switchyard/core';
import { APPLIED_OPS_TABLE, ensureSecondaryTables } from './mirror-schema';

/**
 * Deletes applied operation ids older than `olderThanMs` from the secondary's
 * `_switchyard_applied_ops`, returning how many went. Keep ids at least as long as a
 * message can be redelivered (queue retention, the longest drain outage): an id pruned
 * before its last redelivery would be applied again. Row versions are kept, so an old
 * redelivered operation is still caught as stale for the rows it names.
 *
 * @example
 * ```ts
 * await pruneAppliedOps(secondary, { olderThanMs: 7 * 24 * 3600_000 }); // a week
 * ```
 */
export async function pruneAppliedOps(secondary: DatabaseAdapter, options: { olderThanMs: number }): Promise<number> {
  if (!(options.olderThanMs >= 0)) {
    throw new InvalidArgumentError(`olderThanMs must be a number of milliseconds >= 0, got ${String(options.olderThanMs)}.`);
  }
  await ensureSecondaryTables(secondary);
  const result = await secondary.execute(`DELETE FROM ${APPLIED_OPS_TABLE} WHERE applied_at < ?`, [Date.now() - options.olderThanMs]);
  return result.rowsAffected;
}
