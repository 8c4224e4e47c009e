import {
  QueryError,
  readTableName,
  quoteIdentifier as quote,
  type DatabaseAdapter,
  type DialectName,
  type Row,
  type TableInfo,
  jsonTextItems,
  markJsonTexts,
} from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { readOn } from './failed-side';
import { keyParam, rowName, type RowImage } from './row-images';

/**
 * The primary's current images of rows named by key: the row where it exists, `null`
 * where it does not. This is how a row is settled whatever happened before (a lost
 * reply, a journaled write, a race between instances): the primary holds the truth, and
 * an image applied by key is idempotent. `lock` adds `FOR UPDATE` on Postgres, so other
 * instances' writes to those rows wait until the caller's transaction ends.
 */
export async function currentImages(
  primary: DatabaseAdapter,
  table: TableInfo,
  keys: readonly RowRef['key'][],
  lock = false,
): Promise<RowImage[]> {
  const columns = table.primaryKey;
  // A reference holds bytes in hex: a blob key is matched as bytes again.
  const typed = columns.map((c) => table.columns.find((col) => col.name === c));
  const lookup: readonly Record<string, unknown>[] = typed.some((c) => c?.logicalType === 'blob')
    ? keys.map((key) => ({ ...key, ...Object.fromEntries(columns.map((c, i) => [c, keyParam(key[c], typed[i])])) }))
    : keys;
  if (lookup.length === 1) {
    // The read after every verified write: one key, so the row found (if any) is its row.
    const sql = readSql(table, primary.dialect, 1, lock);
    primary.keepPrepared?.(sql);
    const [row] = marked(
      table,
      primary.dialect,
      await primary.query<Row>(
        sql,
        columns.map((c) => lookup[0]![c] ?? null),
      ),
    );
    return [{ table: table.name, key: row ? pickKey(row, columns) : { ...lookup[0] }, row: row ?? null }];
  }
  const found = new Map<string, Row>();
  const perKey = Math.max(1, columns.length);
  const size = Math.max(1, Math.floor(Math.min(primary.capabilities.maxBoundParameters, 900) / perKey));
  for (let i = 0; i < lookup.length; i += size) {
    const part = lookup.slice(i, i + size);
    const params = part.flatMap((key) => columns.map((c) => key[c] ?? null));
    const rows = marked(table, primary.dialect, await primary.query<Row>(readSql(table, primary.dialect, part.length, lock), params));
    for (const row of rows) found.set(rowName(table.name, pickKey(row, columns)), row);
  }
  return lookup.map((key) => {
    const row = found.get(rowName(table.name, pickKey(key, columns))) ?? null;
    return { table: table.name, key: row ? pickKey(row, columns) : { ...key }, row };
  });
}

/** Rows read by {@link readSql}, a Postgres side's bare JSON documents as their text. */
function marked(table: TableInfo, dialect: DialectName, rows: Row[]): Row[] {
  return dialect === 'postgres' ? markJsonTexts(rows, table) : rows;
}

/** Read texts by table definition (a changed table is a new one): the same few per table, built once. */
const readTexts = new WeakMap<TableInfo, Map<string, string>>();

/** The read of `count` rows of `table` by key; `lock` reads them `FOR UPDATE` on Postgres. */
function readSql(table: TableInfo, dialect: DialectName, count: number, lock: boolean): string {
  let texts = readTexts.get(table);
  if (!texts) readTexts.set(table, (texts = new Map()));
  const id = `${dialect}:${count}:${lock}`;
  let sql = texts.get(id);
  if (sql !== undefined) return sql;
  const columns = table.primaryKey;
  const where =
    columns.length === 1
      ? `${quote(columns[0]!)} IN (${Array(count).fill('?').join(', ')})`
      : Array(count)
          .fill(`(${columns.map((c) => `${quote(c)} = ?`).join(' AND ')})`)
          .join(' OR ');
  // Locked rows are read in key order, so two settles of overlapping rows lock them in one order.
  const suffix = lock && dialect === 'postgres' ? ` ORDER BY ${columns.map((c) => quote(c)).join(', ')} FOR UPDATE` : '';
  // With ONLY where others inherit it (INHERITS): their rows would be read as its own.
  // On Postgres, with the text of bare JSON documents (see core's `jsonTextItems`).
  const bare = dialect === 'postgres' ? jsonTextItems(table, '') : '';
  sql = `SELECT *${bare} FROM ${readTableName(table, dialect)} WHERE ${where}${suffix}`;
  // A bulk settle reads many counts: only the small ones are worth keeping.
  if (count <= 16) texts.set(id, sql);
  return sql;
}

/**
 * {@link currentImages} of rows of any tables, each table as `tableOf` gives it, read
 * through `via` (a transaction of the primary), with `lock` as there.
 */
export async function currentRowsOf(
  primary: DatabaseAdapter,
  tableOf: (name: string) => Promise<TableInfo | undefined>,
  refs: readonly RowRef[],
  { lock = false, via = primary }: { lock?: boolean; via?: DatabaseAdapter } = {},
): Promise<RowImage[]> {
  const groups: { table: TableInfo; keys: RowRef['key'][] }[] = [];
  for (const [name, keys] of groupByTable(refs)) {
    const table = await tableOf(name);
    if (!table)
      throw new QueryError(`${primary.name} has no table ${name} any more; its rows cannot be read again to settle them.`, {
        dialect: primary.dialect,
      });
    groups.push({ table, keys });
  }
  const images: RowImage[] = [];
  for (const { table, keys } of lock ? referencedFirst(groups) : groups) {
    images.push(...(await readOn(primary, currentImages(via, table, keys, lock))));
  }
  return images;
}

/**
 * Tables in the order a foreign key's action locks them: a table before those that reference
 * it (a cycle is broken where it is met). A delete of a parent locks the parent's row, then its
 * cascade the children's; rows locked in the other order, children first, would hold what the
 * cascade waits for while waiting for what it holds, and Postgres would end one of the two.
 */
function referencedFirst<T extends { table: TableInfo }>(groups: readonly T[]): T[] {
  const byName = new Map(groups.map((g) => [g.table.name.toLowerCase(), g]));
  const out: T[] = [];
  const placed = new Set<T>();
  const visit = (group: T, path: Set<T>) => {
    if (placed.has(group) || path.has(group)) return;
    path.add(group);
    for (const fk of group.table.foreignKeys) {
      const parent = byName.get(fk.referencedTable.toLowerCase());
      if (parent && parent !== group) visit(parent, path);
    }
    placed.add(group);
    out.push(group);
  };
  for (const group of groups) visit(group, new Set());
  return out;
}

/** The keys of `refs`, by table. */
export function groupByTable(refs: readonly RowRef[]): Map<string, RowRef['key'][]> {
  const out = new Map<string, RowRef['key'][]>();
  for (const ref of refs) {
    const list = out.get(ref.table) ?? [];
    list.push(ref.key);
    out.set(ref.table, list);
  }
  return out;
}

/** The values of `columns` in `row`, names matched without regard to case. */
export function pickKey(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  for (const c of columns) key[c] = row[c] ?? row[Object.keys(row).find((k) => k.toLowerCase() === c.toLowerCase()) ?? c];
  return key;
}
