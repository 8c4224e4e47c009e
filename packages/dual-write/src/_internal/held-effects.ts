import {
  qualifiedTableName,
  quoteIdentifier as quote,
  type DatabaseAdapter,
  type ForeignKeyInfo,
  type Row,
  type TableInfo,
} from '@switchyard/core';
import { keyParam, pickCaseless, type RowImage } from './row-images';

/** A referenced row's values on the secondary before a write (`was`), and on the primary after it (`now`). */
export interface ReferencedChange {
  was: Record<string, unknown>;
  now: Record<string, unknown> | null;
}

/**
 * What an `ON UPDATE CASCADE` or `SET NULL` (`action`; a delete's `SET NULL` too) did, at
 * the time of the write, to rows that referenced a changed value and that the primary no
 * longer holds (`gone`; `held`, the secondary's rows of them, in order): for a drain, which
 * applies each outbox entry long after its write, in order. Such a row was removed by a
 * later write, whose own entry removes it from the secondary in turn; deleting it now, at
 * this entry, would leave that later entry's lookup (which walks the secondary's rows from
 * the parent down) unable to reach the rows below it. So each row is changed on the
 * secondary as the action changed it then: an `UPDATE` of its referencing columns, by key
 * (one that no longer exists there is left alone, never written back). The images carry
 * that statement (`effects`) and, under its old key, the row as changed, for the lookups
 * below it. A row keyed by its referencing columns moves to its new key, unless the
 * secondary has a row there already (it then keeps both, for validation to find, rather
 * than stop the drain on a duplicate key). A row without such an action, or whose old
 * value matches no change, gets none: it stays a delete.
 */
export function heldEffects(
  secondary: DatabaseAdapter,
  child: TableInfo,
  childOnSide: TableInfo,
  fk: ForeignKeyInfo,
  changes: readonly ReferencedChange[],
  gone: readonly RowImage[],
  held: readonly RowImage[],
  action = (fk.onUpdate ?? '').toUpperCase(),
): RowImage[] {
  if (gone.length === 0 || (action !== 'CASCADE' && action !== 'SET NULL')) return [];
  const column = (name: string) => childOnSide.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  const sideColumns = fk.columns.map(column);
  const sideKey = child.primaryKey.map(column);
  if (sideColumns.includes(undefined) || sideKey.includes(undefined)) return [];
  const moves = fk.columns.some((c) => child.primaryKey.some((k) => k.toLowerCase() === c.toLowerCase()));
  const out: RowImage[] = [];
  for (const [n, image] of gone.entries()) {
    const row = held[n]!.row;
    if (!row) continue;
    const old = fk.columns.map((c) => String(pickCaseless(row, c)));
    const change = changes.find((c) => fk.referencedColumns.every((r, j) => String(pickCaseless(c.was, r)) === old[j]));
    if (!change || (action === 'CASCADE' && !change.now)) continue;
    const values = fk.referencedColumns.map((r) => (action === 'CASCADE' ? pickCaseless(change.now!, r) : null));
    const changed: Row = {};
    for (const c of child.columns) changed[c.name] = pickCaseless(row, c.name) ?? null;
    fk.columns.forEach(
      (c, j) => (changed[child.columns.find((col) => col.name.toLowerCase() === c.toLowerCase())?.name ?? c] = values[j] ?? null),
    );
    const set = sideColumns.map((c) => `${quote(c!.name)} = ?`).join(', ');
    const table = qualifiedTableName(childOnSide, secondary.dialect);
    const match = (alias: string) => sideKey.map((c) => `${alias}${quote(c!.name)} = ?`).join(' AND ');
    const params = [
      ...values.map((v, j) => (v === null ? null : keyParam(v, sideColumns[j]))),
      ...child.primaryKey.map((k, j) => keyParam(image.key[k], sideKey[j])),
    ];
    let sql = `UPDATE ${table} SET ${set} WHERE ${match('')}`;
    if (moves) {
      sql += ` AND NOT EXISTS (SELECT 1 FROM ${table} AS "__sy_t" WHERE ${match('"__sy_t".')})`;
      params.push(...child.primaryKey.map((k, j) => keyParam(pickCaseless(changed, k), sideKey[j])));
    }
    out.push({ table: child.name, key: image.key, row: changed, effects: [{ sql, params }] });
  }
  return out;
}
