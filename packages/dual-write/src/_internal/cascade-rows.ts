import {
  qualifiedTableName,
  quoteIdentifier as quote,
  type DatabaseAdapter,
  type ForeignKeyInfo,
  type Row,
  type TableInfo,
} from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { imageStatements, keyValue, pickCaseless, refOf, rowName, type RowImage, type TablePair } from './row-images';
import { heldEffects } from './held-effects';
import { within } from './time-allowance';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import { journalToSettle } from './secondary-failure';
import type { TableCatalog } from './table-catalog';
import { failedReading, readOn } from './failed-side';
import { currentImages } from './row-resync';
import { isOutage } from './write-errors';
import { toError } from './to-error';
import { dependentLocks, lockingRead } from './dependent-locks';

/** Foreign key actions by which deleting a row changes the rows that reference it. */
export const ACTS_ON_DELETE = /^(CASCADE|SET NULL|SET DEFAULT)$/i;
/** The table a foreign key references, lower case and without its schema. */
export function referencedName(fk: ForeignKeyInfo): string {
  return fk.referencedTable.slice(fk.referencedTable.lastIndexOf('.') + 1).toLowerCase();
}

/** The tables (lower case) whose deleted rows change others through a foreign key action of `tables`. */
export function actingParents(tables: readonly TableInfo[]): Set<string> {
  return new Set(tables.flatMap((t) => t.foreignKeys.filter((fk) => ACTS_ON_DELETE.test(fk.onDelete ?? '')).map(referencedName)));
}

/**
 * The columns `fk` references in `parent` (a SQLite foreign key without its columns
 * references the parent's key), and whether they are all of the parent's key.
 */
export function referencedBy(fk: ForeignKeyInfo, parent: TableInfo | undefined): { referenced: string[]; byKey: boolean } {
  const key = parent?.primaryKey ?? [];
  const referenced = fk.referencedColumns.length > 0 ? fk.referencedColumns : key;
  const lower = new Set(key.map((c) => c.toLowerCase()));
  return { referenced, byKey: referenced.every((c) => lower.has(c.toLowerCase())) };
}

/** Levels of referencing rows followed below a deleted (or changed) row. */
export const MAX_DEPTH = 4;

/** How the dependents' current rows are read from the primary. */
export type ReadCurrent = (refs: readonly RowRef[]) => Promise<RowImage[]>;

/**
 * The rows that the primary's foreign key actions changed along with the rows `images`
 * delete: a delete image names only the row its statement deleted, but `ON DELETE
 * CASCADE` removed the rows that referenced it, and `SET NULL` changed them. A secondary
 * without those foreign keys (they are created after the backfill) would keep them as they
 * were. They are found on the secondary, as the rows there that reference the deleted
 * keys, and taken from the primary as they are now (gone, changed, or back with a new
 * write); rows that reference the cascaded ones in turn come first. `asOfEntry` (a drain):
 * a row a `SET NULL` cleared that the primary no longer holds is cleared, not deleted (see
 * `heldEffects`). Uses the primary's tables as already read (`undefined`: none read yet,
 * nothing to add).
 */
export async function dependentImages(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  images: readonly RowImage[],
  readCurrent: ReadCurrent,
  depth = 0,
  asOfEntry = false,
): Promise<RowImage[]> {
  const deleted = images.filter((i) => i.row === null);
  const tables = deleted.length > 0 && depth < MAX_DEPTH ? catalog.allNow(primary) : undefined;
  if (!tables) return [];
  const out: RowImage[] = [];
  for (const child of tables) {
    for (const fk of child.foreignKeys) {
      if (!ACTS_ON_DELETE.test(fk.onDelete ?? '')) continue;
      const parentName = referencedName(fk);
      const gone = deleted.filter((d) => d.table.toLowerCase() === parentName);
      const target = gone.length > 0 ? await catalog.table(secondary, child.name) : undefined;
      if (!target || child.primaryKey.length === 0) continue;
      const { referenced, byKey } = referencedBy(
        fk,
        tables.find((t) => t.name.toLowerCase() === parentName),
      );
      // A foreign key on other columns (a unique code) is matched by the values the secondary
      // still holds in the deleted rows: a delete's image holds only their key.
      const values = byKey ? gone.map((d) => d.key) : await heldRows(secondary, catalog, gone);
      const refs = await readOn(secondary, referencing(secondary, child, target, { ...fk, referencedColumns: referenced }, values));
      if (refs.length === 0) continue;
      let now = await readCurrent(refs);
      // A drain's SET NULL clears a row the primary no longer holds, rather than delete it ahead of its time (see `heldEffects`).
      const lost = asOfEntry && /^SET NULL$/i.test(fk.onDelete ?? '') ? now.filter((i) => i.row === null) : [];
      if (lost.length > 0) {
        const changes = values.map((was) => ({ was, now: null }));
        const fkOn = { ...fk, referencedColumns: referenced };
        const cleared = heldEffects(secondary, child, target, fkOn, changes, lost, await heldImages(secondary, target, lost), 'SET NULL');
        const byName = new Map(cleared.map((e) => [rowName(e.table, e.key), e]));
        now = now.map((i) => byName.get(rowName(i.table, i.key)) ?? i);
      }
      // A CASCADE deleted them, whatever the primary holds now (a row of that key may be back):
      // the rows that referenced them were deleted or changed then too.
      const cascaded = /^CASCADE$/i.test(fk.onDelete ?? '') ? refs.map((r) => ({ ...r, row: null })) : [];
      out.push(...(await dependentImages(catalog, primary, secondary, cascaded, readCurrent, depth + 1, asOfEntry)), ...now);
    }
  }
  return out;
}

/** The rows the secondary holds under the keys of `images` (all of one table), before they are applied. */
async function heldRows(secondary: DatabaseAdapter, catalog: TableCatalog, images: readonly RowImage[]): Promise<Row[]> {
  const target = await catalog.table(secondary, images[0]!.table);
  if (!target) return [];
  return (await heldImages(secondary, target, images)).flatMap((i) => (i.row ? [i.row] : []));
}

/** The secondary's rows of `target` under the keys of `images`, in their order (`row: null`: none). */
export function heldImages(secondary: DatabaseAdapter, target: TableInfo, images: readonly RowImage[]): Promise<RowImage[]> {
  return readOn(
    secondary,
    currentImages(
      secondary,
      target,
      images.map((i) => onSide(i.key, target)),
    ),
  );
}

/** A key in the side's spelling of its columns. */
function onSide(key: Record<string, unknown>, target: TableInfo): RowRef['key'] {
  return Object.fromEntries(target.primaryKey.map((c) => [c, pickCaseless(key, c) ?? null])) as RowRef['key'];
}

/**
 * Puts the rows that a write's deletes changed through the primary's foreign key actions
 * (see {@link dependentImages}) in front of its own, so the secondary has them before it
 * deletes what they referenced. When they cannot be found now, the deleted rows are
 * journaled to be settled, which finds them then.
 */
export async function addDependents(
  parts: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
  pairs: (table: string) => TablePair,
): Promise<void> {
  const { catalog, settler } = parts;
  let dependents: RowImage[];
  let more: (table: string) => TablePair;
  const deleted = [...work.images.filter((i) => i.row === null), ...(work.replaced ?? [])];
  noteBusyChildren(parts, primary, work, deleted);
  try {
    const lookup = dependentImages(catalog, primary, secondary, deleted, lockingRead(parts, primary, work));
    dependents = await within(lookup, parts.options.secondaryTimeoutMs, secondary, deleted.length);
    if (dependents.length === 0) return;
    more = await settler.pairs(
      primary,
      secondary,
      dependents.map((i) => i.table),
    );
  } catch (error) {
    const failure = toError(error);
    // A secondary that does not answer: its circuit opens, and the write is journaled at once.
    if (isOutage(failure) && !failedReading(failure, primary)) parts.circuit.open(secondary, failure.message);
    return void (await journalToSettle(parts, primary, secondary, work.label, deleted.map(refOf), failure));
  }
  const own = new Set(work.images.map((i) => i.table));
  work.images.unshift(...dependents);
  // Their upserts return nothing: rows are compared by reading them again.
  work.returning = false;
  work.statements.unshift(...imageStatements(dependents, more, primary.dialect, secondary));
  work.pairs = (table) => (own.has(table) ? pairs(table) : more(table));
}

/** See `DependentLocks.recheck`: on the synchronous path, the tables the deletes of `work` act on that another write holds. */
function noteBusyChildren(parts: ReplicatorParts, primary: DatabaseAdapter, work: SecondaryWork, deleted: readonly RowImage[]): void {
  if (!work.claims || deleted.length === 0) return;
  const parents = new Set(deleted.map((d) => d.table.toLowerCase()));
  const children = (parts.catalog.allNow(primary) ?? []).filter((t) =>
    t.foreignKeys.some((fk) => ACTS_ON_DELETE.test(fk.onDelete ?? '') && parents.has(referencedName(fk))),
  );
  if (children.length === 0) return;
  dependentLocks(parts.locks, work)?.recheck(
    children.map((t) => t.name),
    deleted.map(refOf),
  );
}

/**
 * The keys (the primary's names) of the rows of `child` (`target` as `side` has it) whose
 * foreign key `fk` names the referenced values of one of `gone` (rows or keys that hold
 * `fk.referencedColumns`).
 */
export async function referencing(
  side: DatabaseAdapter,
  child: TableInfo,
  target: TableInfo,
  fk: ForeignKeyInfo,
  gone: readonly Record<string, unknown>[],
): Promise<RowRef[]> {
  const columns = columnsOn(target, fk.columns);
  const keys = columnsOn(target, child.primaryKey);
  if (!columns || !keys) return [];
  const match = `(${columns.map((c) => `${quote(c)} = ?`).join(' AND ')})`;
  const refs: RowRef[] = [];
  // Deleted keys per lookup, within the side's parameter limit (100 on D1).
  const size = Math.max(1, Math.floor(Math.min(side.capabilities.maxBoundParameters, 900) / columns.length));
  for (let i = 0; i < gone.length; i += size) {
    const part = gone.slice(i, i + size);
    const params = part.flatMap((d) => fk.referencedColumns.map((c) => pickCaseless(d, c)));
    if (params.includes(undefined)) return [];
    // One column as an IN list: a long OR is too deep an expression for D1.
    const where =
      columns.length === 1 ? `${quote(columns[0]!)} IN (${part.map(() => '?').join(', ')})` : part.map(() => match).join(' OR ');
    const sql = `SELECT ${keys.map((k) => quote(k)).join(', ')} FROM ${qualifiedTableName(target, side.dialect)} WHERE ${where}`;
    refs.push(...sideRefs(child, keys, await side.query<Record<string, unknown>>(sql, params)));
  }
  return refs;
}

/** `names` (the primary's spelling) as `table` (a side's) spells its columns, or `undefined` when one is missing there. */
export function columnsOn(table: TableInfo, names: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const name of names) {
    const column = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!column) return undefined;
    out.push(column.name);
  }
  return out;
}

/** The references of rows of `child` a side returned, whose key columns it names `keys` (see {@link columnsOn}): under the primary's names. */
export function sideRefs(child: TableInfo, keys: readonly string[], rows: readonly Record<string, unknown>[]): RowRef[] {
  return rows.map((row) => ({ table: child.name, key: Object.fromEntries(child.primaryKey.map((k, n) => [k, keyValue(row[keys[n]!])])) }));
}
