import { ConstraintError, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { RowImage } from './row-images';
import { actingParents } from './cascade-rows';
import { tableTriggers } from './secondary-triggers';

/** Whether `error` is a refusal by a unique constraint or index (not a key the upsert resolves). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof ConstraintError)) return false;
  const cause = error.cause as { code?: string } | undefined;
  return cause?.code === '23505' || /UNIQUE constraint failed/i.test(error.message);
}

/**
 * Statements that write `images` so that no row meets another row's old unique value:
 * the rows being upserted are deleted by key first, then written, in one batch. A
 * transaction that moved unique values between rows (swapped two positions in a list,
 * two slugs) leaves rows that no order of upserts can apply on a side that checks each
 * row as it is written, as Postgres (without `DEFERRABLE`) and SQLite do.
 *
 * `undefined` where a delete could do more than that on `side`: a foreign key there with
 * an action on delete (`CASCADE`, `SET NULL`, `SET DEFAULT`) that references one of the
 * tables, or a trigger on one of them. The side's schema is read afresh: foreign keys
 * added after the backfill (the post-data step) count. A foreign key without an action
 * refuses the delete of a referenced row, and the batch fails whole, as before.
 */
export async function displacingStatements(
  side: DatabaseAdapter,
  images: readonly RowImage[],
  statementsOf: (images: readonly RowImage[]) => Statement[],
): Promise<Statement[] | undefined> {
  const upserts = images.filter((i) => i.row !== null);
  // One row cannot have taken another's value from within the set.
  if (upserts.length < 2) return undefined;
  const tables = new Set(upserts.map((i) => i.table.toLowerCase()));
  const parents = actingParents(await side.introspect());
  if ([...tables].some((table) => parents.has(table))) return undefined;
  for (const table of tables) if ((await tableTriggers(side, table)).length > 0) return undefined;
  return [...statementsOf(upserts.map((i) => ({ ...i, row: null }))), ...statementsOf(images)];
}
