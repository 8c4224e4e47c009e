import {
  qualifiedTableName,
  quoteIdentifier as quote,
  type DatabaseAdapter,
  type ForeignKeyInfo,
  type Row,
  type TableInfo,
} from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { ACTS_ON_DELETE, MAX_DEPTH, columnsOn, referencedBy, referencedName, sideRefs } from './cascade-rows';
import type { TableCatalog } from './table-catalog';
import { ACTS_ON_UPDATE } from './update-actions';

/** Most rows one foreign key gives per sweep: a replay settles at most this many at a time. */
const SWEEP_LIMIT = 2000;

/** Settles rows on the secondary from the primary's current state, under their rows' locks. */
export type SettleRefs = (refs: RowRef[]) => Promise<void>;

/**
 * After a replay settled rows of `tables` (lower case; `*`: any), settles the rows the
 * secondary holds that reference, through a foreign key of the primary that acts on
 * update or delete and that the secondary lacks, a value no row there holds any more. The
 * primary's action changed or removed such a row when the value moved; the journal's
 * entries are settled from the primary's current rows, and a chain of moves settled that
 * way (a key moved, then its code renamed, then moved again) can leave the secondary with
 * no row holding an older value, so the rows under it are never found by following the
 * moves. The primary enforces its foreign keys, so a row that references nothing there is
 * stale; settling it takes it from the primary (changed, or gone). The rows settled are
 * swept below in turn, {@link MAX_DEPTH} levels deep. Returns how many were settled.
 *
 * Not found this way: a row left under an old value that another row now holds again (the
 * value was reused); validation finds it.
 */
export async function settleOrphans(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  tables: ReadonlySet<string>,
  settle: SettleRefs,
): Promise<number> {
  let parents = tables;
  let settled = 0;
  for (let depth = 0; depth < MAX_DEPTH && parents.size > 0; depth++) {
    const refs = await orphans(catalog, primary, secondary, parents);
    if (refs.length === 0) break;
    await settle(refs);
    settled += refs.length;
    parents = new Set(refs.map((r) => r.table.toLowerCase()));
  }
  return settled;
}

/** The rows of the secondary that reference a value no row there holds, through the foreign keys {@link settleOrphans} sweeps. */
async function orphans(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  parents: ReadonlySet<string>,
): Promise<RowRef[]> {
  const tables = await catalog.all(primary);
  const out: RowRef[] = [];
  for (const child of tables) {
    if (child.primaryKey.length === 0) continue;
    for (const fk of child.foreignKeys) {
      const parentName = referencedName(fk);
      if (!ACTS_ON_UPDATE.test(fk.onUpdate ?? '') && !ACTS_ON_DELETE.test(fk.onDelete ?? '')) continue;
      if (!parents.has('*') && !parents.has(parentName)) continue;
      const parent = tables.find((t) => t.name.toLowerCase() === parentName);
      const childOnSide = await catalog.table(secondary, child.name);
      const parentOnSide = await catalog.table(secondary, parentName);
      if (!parent || !childOnSide || !parentOnSide || enforces(childOnSide, fk)) continue;
      const { referenced } = referencedBy(fk, parent);
      out.push(...(await unreferenced(secondary, child, childOnSide, parentOnSide, fk.columns, referenced)));
    }
  }
  return out;
}

/** Whether the secondary's table has a foreign key on the same columns to the same table: then it holds no such row. */
function enforces(childOnSide: TableInfo, fk: ForeignKeyInfo): boolean {
  const columns = (list: readonly string[]) => list.map((c) => c.toLowerCase()).join('\u0000');
  return childOnSide.foreignKeys.some((f) => referencedName(f) === referencedName(fk) && columns(f.columns) === columns(fk.columns));
}

/**
 * The references (the primary's key names) of the secondary's rows of `childOnSide` whose
 * `columns`, none NULL (a foreign key with a NULL column checks nothing), match no row of
 * `parentOnSide` on `referenced`; none when a column is missing there.
 */
async function unreferenced(
  secondary: DatabaseAdapter,
  child: TableInfo,
  childOnSide: TableInfo,
  parentOnSide: TableInfo,
  columns: readonly string[],
  referenced: readonly string[],
): Promise<RowRef[]> {
  const own = columnsOn(childOnSide, columns);
  const theirs = columnsOn(parentOnSide, referenced);
  const keys = columnsOn(childOnSide, child.primaryKey);
  if (!own || !theirs || !keys || own.length !== theirs.length) return [];
  const set = own.map((c) => `c.${quote(c)} IS NOT NULL`).join(' AND ');
  const match = own.map((c, i) => `p.${quote(theirs[i]!)} = c.${quote(c)}`).join(' AND ');
  const rows = await secondary.query<Row>(
    `SELECT ${keys.map((k) => `c.${quote(k)}`).join(', ')} FROM ${qualifiedTableName(childOnSide, secondary.dialect)} c WHERE ${set} ` +
      `AND NOT EXISTS (SELECT 1 FROM ${qualifiedTableName(parentOnSide, secondary.dialect)} p WHERE ${match}) LIMIT ${SWEEP_LIMIT}`,
  );
  return sideRefs(child, keys, rows);
}
