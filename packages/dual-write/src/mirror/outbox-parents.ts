import type { DatabaseAdapter } from '@switchyard/core';
import { ColumnTypeCache } from '../_internal/column-types';
import { isForeignKeyError, RowSettler } from '../_internal/row-settle';
import type { TableCatalog } from '../_internal/table-catalog';
import type { MirrorOp } from './mirror-op';
import { applyOps, type ApplyOptions, type ApplyResult } from './op-apply';

/**
 * An entry the secondary's foreign keys refused because the backfill has not copied its
 * rows' parents yet, applied again once they are there: as a synchronous dual write does,
 * the parents are copied from the primary as they are now (four levels deep; on SQLite and
 * D1 in one transaction, so rows in a cycle land together). `undefined` when the refusal
 * was not a foreign key's, no parent was missing, or the entry fails again: it then stops
 * the drain with its own error, as before.
 */
export async function applyAfterParents(
  secondary: DatabaseAdapter,
  op: MirrorOp,
  failed: ApplyResult,
  catalog: TableCatalog,
  options: ApplyOptions & { repairFrom: DatabaseAdapter },
): Promise<ApplyResult | undefined> {
  if (!('error' in failed) || !isForeignKeyError(failed.error.cause) || !op.rows?.length) return undefined;
  const primary = options.repairFrom;
  const settler = new RowSettler(catalog, new ColumnTypeCache(() => [primary, secondary], catalog));
  try {
    const images = await settler.current(primary, op.rows);
    if ((await settler.copyParents(primary, secondary, images)) === 0) return undefined;
  } catch {
    return undefined;
  }
  const [result] = await applyOps(secondary, [op], options).catch(() => []);
  return result && !('error' in result) ? result : undefined;
}
