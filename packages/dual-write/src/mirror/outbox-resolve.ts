import {
  InvalidArgumentError,
  QueryError,
  fromStoredValue,
  quoteIdentifier as quote,
  type DatabaseAdapter,
  type DialectName,
  type Row,
  type TableInfo,
  jsonTextItem,
  markJsonTexts,
} from '@switchyard/core';
import { actingParents, dependentImages } from '../_internal/cascade-rows';
import { updateActingParents, updatedDependents } from '../_internal/update-cascade-rows';
import { updateActions } from '../_internal/update-actions';
import { movedDependents, moveLookups } from '../_internal/key-move-rows';
import { unscaled } from '../_internal/outbox-entry-sql';
import { dedupeRefs, imageStatements, imagesOf, refOf, rowName, type RowImage } from '../_internal/row-images';
import { otherUniqueIndexes, uniqueBlockers } from '../_internal/unique-blockers';
import { currentRowsOf } from '../_internal/row-resync';
import { definesTables } from '../_internal/mirror-pairs';
import type { TableCatalog } from '../_internal/table-catalog';
import type { MirrorOp } from './mirror-op';
import type { RowRef } from '../row-ref';
import type { CapturedRows } from './outbox-captured';
import { decodeStatements, encodeStatements } from './value-codec';

/**
 * Outbox operations with their captured rows (see {@link CapturedRows}) turned into the
 * secondary's statements, after the operation's own statements: upserts of whole rows,
 * deletes by key, built for the tables as both sides have them now. Text the server wrote
 * is read back by the primary itself, cast to each column's type, so every value is what
 * the primary's adapter reads for it. Operations without captured rows come back as they are.
 *
 * An operation that deletes rows which the primary's `ON DELETE CASCADE`, `SET NULL` or `SET
 * DEFAULT` foreign keys reference also brings the rows those actions changed: the rows on
 * the secondary that reference the deleted ones (four levels deep), as the primary holds
 * them now. No entry holds them, and a secondary without those foreign keys (created after
 * the backfill) would keep them as they were. So does one that writes rows of a table
 * whose other columns such foreign keys reference with an `ON UPDATE` action: the rows they
 * changed come after its own (see `updatedDependents`).
 *
 * The list may come back shorter: it ends after the first schema change that precedes a
 * captured operation, whose tables must then be read again (`catalog.invalidate()` once
 * it is applied), and before such a delete or write that is not first: the rows that
 * reference its rows are looked up on the secondary, which must have every operation before it.
 */
export async function resolveCaptured(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  catalog: TableCatalog,
  ops: readonly MirrorOp[],
): Promise<MirrorOp[]> {
  if (!ops.some((op) => op.captured || op.moves?.length)) return [...ops];
  const schemaChange = ops.findIndex(changesSchema);
  // Read once per primary and kept: a drain asks on every batch.
  const tables = await catalog.all(primary);
  const replacing = ops.some((op) => op.deleted?.length);
  const parents = replacing || ops.some((op) => op.captured?.some((g) => g.deleted)) ? actingParents(tables) : new Set();
  // A REPLACE's delete reaches other rows through the foreign keys' actions, or a unique value.
  const uniqueElsewhere = new Set(replacing ? tables.filter((t) => otherUniqueIndexes(t).length > 0).map((t) => t.name.toLowerCase()) : []);
  const displaces = (table: string) => parents.has(table.toLowerCase()) || uniqueElsewhere.has(table.toLowerCase());
  const updating = catalog.derivedNow(primary, updateActingParents) ?? new Set();
  const acting = catalog.derivedNow(primary, updateActions) ?? new Map();
  const cascades = (op: MirrorOp) =>
    op.moves?.some((m) => acting.has(m.table.toLowerCase())) ||
    op.deleted?.some((d) => displaces(d.table)) ||
    op.captured?.some((g) => (g.deleted ? parents : updating).has(g.table.toLowerCase())) === true;
  const cascade = ops.findIndex((op, i) => i > 0 && cascades(op));
  const upTo = Math.min(
    schemaChange >= 0 && ops.slice(schemaChange + 1).some((op) => op.captured) ? schemaChange + 1 : ops.length,
    cascade > 0 ? cascade : ops.length,
  );
  const batch = ops.slice(0, upTo);
  const decoded = await decodeText(primary, catalog, batch);
  const out: MirrorOp[] = [];
  const read = (refs: readonly RowRef[]) => currentRowsOf(primary, (t) => catalog.table(primary, t), refs);
  for (const op of batch) {
    if (!op.captured && !op.moves?.length) {
      out.push(op);
      continue;
    }
    const images: RowImage[] = [];
    const sources = new Map<string, TableInfo>();
    for (const group of op.captured ?? []) {
      const { source, rows } = decoded.get(group) ?? (await readValues(primary, catalog, op, group));
      sources.set(group.table, source);
      images.push(...imagesOf(source, rows, group.deleted));
    }
    if (cascades(op)) {
      // Rows a REPLACE deleted and wrote again: their delete's actions, as a delete's.
      const replaced = (op.deleted ?? []).map((r): RowImage => ({ table: r.table, key: r.key, row: null }));
      const before = [
        ...(await dependentImages(catalog, primary, secondary, [...images, ...replaced], read, 0, true)),
        ...(await displacedRows(secondary, catalog, op, images, sources, primary.dialect, read)),
      ];
      const after = await updatedDependents(catalog, primary, secondary, images, read, { asOfEntry: true });
      const moved = await movedDependents(catalog, primary, secondary, moveLookups(op, images), read, true);
      for (const d of [...before, ...after, ...moved])
        if (!sources.has(d.table)) sources.set(d.table, (await catalog.table(primary, d.table))!);
      images.unshift(...before);
      images.push(...after, ...moved);
    }
    const targets = new Map<string, TableInfo>();
    for (const table of sources.keys()) targets.set(table, await targetTable(secondary, catalog, op, table));
    const pairs = (table: string) => ({ source: sources.get(table)!, target: targets.get(table)! });
    // Through the wire form and back, as statements in an entry are read: the same values to the type.
    const rowStatements = decodeStatements(encodeStatements(imageStatements(images, pairs, primary.dialect, secondary)));
    const resolved: MirrorOp = { opId: op.opId, seq: op.seq, createdAt: op.createdAt, statements: [...op.statements, ...rowStatements] };
    resolved.rows = dedupeRefs([...(op.rows ?? []), ...images.map(refOf)]);
    out.push(resolved);
  }
  return out;
}

/**
 * The rows the secondary holds under other keys with the unique values of the rows a REPLACE
 * wrote (`op.deleted`), as the primary holds them now: SQLite deleted them without naming
 * them, and the secondary would refuse the op's rows (see `uniqueBlockers`).
 */
async function displacedRows(
  secondary: DatabaseAdapter,
  catalog: TableCatalog,
  op: MirrorOp,
  images: readonly RowImage[],
  sources: ReadonlyMap<string, TableInfo>,
  from: DialectName,
  read: (refs: readonly RowRef[]) => Promise<RowImage[]>,
): Promise<RowImage[]> {
  const names = new Set((op.deleted ?? []).map((r) => rowName(r.table, r.key)));
  const written = images.filter((i) => i.row && names.has(rowName(i.table, i.key)));
  if (written.length === 0) return [];
  const targets = new Map<string, TableInfo>();
  for (const { table } of written) if (!targets.has(table)) targets.set(table, await targetTable(secondary, catalog, op, table));
  const blockers = await uniqueBlockers(secondary, written, (t) => ({ source: sources.get(t)!, target: targets.get(t)! }), from);
  return blockers.length > 0 ? read(blockers) : [];
}

/** Whether an operation changes a table's definition: captured rows after it must be built for the changed table. */
export function changesSchema(op: MirrorOp): boolean {
  return definesTables(op.statements);
}

/** Throws for an operation whose captured rows were never turned into statements. */
export function assertResolved(op: MirrorOp): void {
  if (op.captured) {
    throw new InvalidArgumentError(
      `Operation ${op.opId} holds rows captured on the primary, not statements yet. ` +
        'drainOutbox() turns them into statements; after outboxMirror().peek(), pass the operations through resolveOutboxOps() first.',
    );
  }
}

interface Decoded {
  source: TableInfo;
  rows: Row[];
}

async function targetTable(secondary: DatabaseAdapter, catalog: TableCatalog, op: MirrorOp, table: string): Promise<TableInfo> {
  const target = await catalog.table(secondary, table);
  if (target) return target;
  throw new QueryError(
    `Outbox entry ${op.opId} holds rows of ${table}, a table ${secondary.name} does not have: create it there, then drain again.`,
    { dialect: secondary.dialect },
  );
}

/**
 * The primary's table for a group, keeping only the columns the group has that the table
 * still has (a later schema change may have added or dropped some), and how they map.
 */
async function sourceOf(
  primary: DatabaseAdapter,
  catalog: TableCatalog,
  op: MirrorOp,
  group: CapturedRows,
): Promise<{ source: TableInfo; kept: { name: string; k: number }[] }> {
  const table = await catalog.table(primary, group.table);
  if (!table) {
    throw new QueryError(`Outbox entry ${op.opId} holds rows of ${group.table}, which ${primary.name} no longer has.`, {
      dialect: primary.dialect,
    });
  }
  const current = new Map(table.columns.map((c) => [c.name, c]));
  const kept = group.columns.flatMap((name, k) => (current.has(name) ? [{ name, k }] : []));
  // A deleted group holds the key only: its images need no other column.
  if (group.deleted || kept.length === table.columns.length) return { source: table, kept };
  return { source: { ...table, columns: kept.map((c) => current.get(c.name)!) }, kept };
}

/** Rows the client captured, as core's stored values. */
async function readValues(primary: DatabaseAdapter, catalog: TableCatalog, op: MirrorOp, group: CapturedRows): Promise<Decoded> {
  const { source, kept } = await sourceOf(primary, catalog, op, group);
  const rows = (group.values ?? []).map((values) => {
    const row: Row = {};
    for (const { name, k } of kept) row[name] = fromStoredValue(unscaled(values[k]!));
    return row;
  });
  return { source, rows };
}

/**
 * The rows of every text group, as the primary reads them: one query per table and column
 * list, which casts each column's text to its declared type.
 */
async function decodeText(primary: DatabaseAdapter, catalog: TableCatalog, ops: readonly MirrorOp[]): Promise<Map<CapturedRows, Decoded>> {
  const byShape = new Map<string, { op: MirrorOp; group: CapturedRows }[]>();
  for (const op of ops) {
    for (const group of op.captured ?? []) {
      if (!group.text) continue;
      const id = JSON.stringify([group.table, group.columns, group.types]);
      byShape.set(id, [...(byShape.get(id) ?? []), { op, group }]);
    }
  }
  const out = new Map<CapturedRows, Decoded>();
  for (const members of byShape.values()) {
    const { op, group: first } = members[0]!;
    const { source, kept } = await sourceOf(primary, catalog, op, first);
    const all = members.flatMap((m) => m.group.text!);
    // Private names: a column of the table called n must not be what ORDER BY n finds.
    const casts = kept.map((c) => `("__sy_r"->>${c.k})::${first.types![c.k]} AS ${quote(c.name)}`).join(', ');
    // The text of bare JSON documents, which the cast's value would lose (see core's `jsonTextItems`).
    const texts = kept.map((c) => jsonTextItem(c.name, first.types![c.k]!, `"__sy_r"->>${c.k}`)).join('');
    const sql = `SELECT ${casts}${texts} FROM json_array_elements(?::json) WITH ORDINALITY AS "__sy_x"("__sy_r", "__sy_n") ORDER BY "__sy_x"."__sy_n"`;
    const rows = all.length === 0 ? [] : markJsonTexts(await primary.query<Row>(sql, [JSON.stringify(all)]));
    let at = 0;
    for (const { group } of members) {
      out.set(group, { source, rows: rows.slice(at, at + group.text!.length) });
      at += group.text!.length;
    }
  }
  return out;
}
