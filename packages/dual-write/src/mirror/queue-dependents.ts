import type { DatabaseAdapter, TableInfo } from '@switchyard/core';
import { actingParents, dependentImages, type ReadCurrent } from '../_internal/cascade-rows';
import { updatedDependents } from '../_internal/update-cascade-rows';
import { movedDependents, moveLookups } from '../_internal/key-move-rows';
import { dedupeRefs, imageStatements, refOf, type RowImage } from '../_internal/row-images';
import { currentRowsOf } from '../_internal/row-resync';
import { TableCatalog } from '../_internal/table-catalog';
import { MirrorApplyError } from './mirror-errors';
import type { RowRef } from '../row-ref';
import { collectRowRefs, type MirrorOp, type UpdatedRow } from './mirror-op';
import { applyOps, type ApplyOptions, type ApplyResult } from './op-apply';

/**
 * {@link applyOps} for queue messages, which carry the rows a write deleted (`deleted`) but
 * not the rows the primary's `ON DELETE CASCADE`, `SET NULL` or `SET DEFAULT` foreign keys
 * changed with them: a secondary without those foreign keys (created after the backfill)
 * would keep those as they were. Given the primary, each operation that deletes rows such a
 * foreign key references is applied on its own, after the operations before it, with the
 * rows on the secondary that reference the deleted ones (four levels deep) as the primary
 * holds them now, first. So is each operation that names rows it wrote whose other columns
 * such foreign keys reference with an `ON UPDATE` action (`updated`): the rows those
 * actions changed come after its own (see `updatedDependents`), and so are the rows that
 * follow a key it moved (`moves`, see `movedDependents`). Results come in the operations' order.
 */
export async function applyWithDependents(
  secondary: DatabaseAdapter,
  ops: readonly MirrorOp[],
  options: ApplyOptions,
  primary: DatabaseAdapter | undefined,
): Promise<ApplyResult[]> {
  if (!primary || !ops.some((op) => op.deleted?.length || op.updated?.length || op.moves?.length)) return applyOps(secondary, ops, options);
  // Both sides' tables as they are for this batch: an earlier batch's may have changed since.
  const catalog = new TableCatalog();
  let parents: Set<string>;
  try {
    parents = actingParents(await catalog.all(primary));
  } catch (error) {
    return ops.map((op) => ({ opId: op.opId, error: new MirrorApplyError(op, secondary, error) }));
  }
  const cascades = (op: MirrorOp | undefined) =>
    op?.updated?.length || op?.moves?.length || op?.deleted?.some((ref) => parents.has(ref.table.toLowerCase())) === true;
  const results: ApplyResult[] = [];
  let start = 0;
  for (let i = 0; i <= ops.length; i++) {
    if (i < ops.length && !cascades(ops[i])) continue;
    // The rows that reference the deleted ones are looked up once everything before is applied.
    results.push(...(await applyOps(secondary, ops.slice(start, i), options)));
    if (i === ops.length) break;
    const op = ops[i]!;
    try {
      results.push(...(await applyOps(secondary, [await withDependents(primary, secondary, catalog, op, options)], options)));
    } catch (error) {
      results.push({ opId: op.opId, error: new MirrorApplyError(op, secondary, error) });
    }
    start = i + 1;
  }
  return results;
}

/**
 * The operation with the current rows its deletes changed through foreign key actions
 * first, and those its writes changed through `ON UPDATE` actions after it.
 */
async function withDependents(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  catalog: TableCatalog,
  op: MirrorOp,
  options: ApplyOptions,
): Promise<MirrorOp> {
  const read = (refs: readonly RowRef[]) => currentRowsOf(primary, (t) => catalog.table(primary, t), refs);
  const deleted = (op.deleted ?? []).map((ref) => ({ ...ref, row: null }));
  // Messages far behind the writes: a row the primary no longer holds gets what the action did then (see `heldEffects`).
  const before = await dependentImages(catalog, primary, secondary, deleted, read, 0, true);
  // The written rows' referenced values as the message has them (older messages: as the
  // primary holds them now), against the values the secondary still holds.
  const updated = op.updated?.length
    ? await updatedDependents(catalog, primary, secondary, await writtenRows(op.updated, read), read, { asOfEntry: true })
    : [];
  // A key move's statement moves the rows as the message has it; the rows below follow it.
  const after = [...updated, ...(await movedDependents(catalog, primary, secondary, moveLookups(op), read, true))];
  if (before.length + after.length === 0) return op;
  const pairs = new Map<string, { source: TableInfo; target: TableInfo }>();
  for (const { table } of [...before, ...after]) {
    const [source, target] = [await catalog.table(primary, table), await catalog.table(secondary, table)];
    if (source && target) pairs.set(table, { source, target });
  }
  const own = op.rows ?? collectRowRefs(op.statements, options.keys);
  const statements = (images: RowImage[]) => imageStatements(images, (t) => pairs.get(t)!, primary.dialect, secondary);
  return {
    ...op,
    statements: [...statements(before), ...op.statements, ...statements(after)],
    rows: dedupeRefs([...before.map(refOf), ...own, ...after.map(refOf)]),
  };
}

/** The rows a message names as written, with the values it holds for them; those without, read from the primary. */
async function writtenRows(updated: readonly UpdatedRow[], read: ReadCurrent): Promise<RowImage[]> {
  const known = updated.filter((u) => u.values);
  const unknown = updated.filter((u) => !u.values);
  const rows = known.map((u) => ({ table: u.table, key: u.key, row: { ...u.key, ...u.values } }));
  return unknown.length > 0 ? [...rows, ...(await read(unknown))] : rows;
}
