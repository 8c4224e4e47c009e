import {
  quoteIdentifier as quote,
  type DatabaseAdapter,
  type DialectName,
  type IndexInfo,
  type Row,
  type TableInfo,
} from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { columnMapping, convertValue, keyValue, rowName, type MappedColumn, type RowImage, type TablePair } from './row-images';

/**
 * The rows of `side` that hold a unique value of one of `images` under another key, by
 * the key the primary names them with. SQLite's REPLACE conflict resolution (`INSERT OR
 * REPLACE`, `REPLACE INTO`, `UPDATE OR REPLACE`) deletes such rows on the primary without
 * returning them, and another instance may have moved a unique value meanwhile: either
 * way the side refuses the image until those rows are settled from the primary, which
 * deletes the ones it no longer holds. Every unique index of the side whose columns all
 * map to the primary's is asked, and one on expressions of them (`lower(email)`), which the
 * side evaluates over the image's values; a value that is NULL conflicts with nothing, except
 * on an index whose NULLs are not distinct (Postgres 15's `NULLS NOT DISTINCT`).
 */
export async function uniqueBlockers(
  side: DatabaseAdapter,
  images: readonly RowImage[],
  pairs: (table: string) => TablePair,
  from: DialectName,
): Promise<RowRef[]> {
  const mine = new Set(images.map((i) => rowName(i.table, i.key)));
  const found = new Map<string, RowRef>();
  for (const image of images) {
    if (!image.row) continue;
    const pair = pairs(image.table);
    const { mapped, keyColumns, table } = columnMapping(pair, from, side.dialect);
    // The image as a row for expression keys to read, built at the first one.
    let values: { select: string; params: unknown[] } | undefined;
    for (const index of uniqueIndexes(pair)) {
      const columns = index.columns.map((name) => mapped.find((m) => m.target.name.toLowerCase() === name.toLowerCase()));
      const terms: string[] = [];
      const params: unknown[] = [];
      let nullKey = false;
      let expressions = false;
      for (const [i, m] of columns.entries()) {
        if (m === undefined) {
          // A column of the side's own that the primary lacks: nothing in the image to compare.
          if (pair.target.columns.some((c) => c.name.toLowerCase() === index.columns[i]!.toLowerCase())) break;
          // An expression key (`lower(email)`): the side evaluates it over the image's values too.
          values ??= imageRow(mapped, image.row, side.dialect);
          terms.push(`(${index.columns[i]}) = (SELECT ${index.columns[i]} FROM (SELECT ${values.select}) AS _image)`);
          expressions = true;
          params.push(...values.params);
          continue;
        }
        const value = convertValue(m, image.row[m.source.name]);
        nullKey ||= value === null;
        terms.push(`${quote(m.target.name)} ${value === null ? 'IS NULL' : '= ?'}`);
        if (value !== null) params.push(value);
      }
      if (terms.length < columns.length || (nullKey && !index.nullsNotDistinct)) continue;
      const sql = `SELECT ${keyColumns.map((k) => quote(k.target.name)).join(', ')} FROM ${table} WHERE ${terms.join(' AND ')}`;
      // An expression that reads what the image does not hold (a generated column) cannot be asked.
      const rows = await side.query<Row>(sql, params).catch((error: unknown) => {
        if (!expressions) throw error;
        return [];
      });
      for (const row of rows) {
        const key: RowRef['key'] = {};
        for (const k of keyColumns) key[k.source.name] = keyValue(row[k.target.name]);
        const name = rowName(image.table, key);
        if (!mine.has(name)) found.set(name, { table: image.table, key });
      }
    }
  }
  return [...found.values()];
}

/** The side's unique indexes of a table other than its primary key, on its columns or on expressions of them. */
function uniqueIndexes({ target }: TablePair): IndexInfo[] {
  return otherUniqueIndexes(target).filter((i) => i.columns.length > 0 && !i.columns.includes('<expression>'));
}

/** An image's values as a one-row select of the side's columns, each cast to its declared type, for an expression key to read. */
function imageRow(mapped: readonly MappedColumn[], row: Row, dialect: DialectName): { select: string; params: unknown[] } {
  const cast = (m: MappedColumn) => (dialect === 'postgres' && m.target.declaredType ? `CAST(? AS ${m.target.declaredType})` : '?');
  return {
    select: mapped.map((m) => `${cast(m)} AS ${quote(m.target.name)}`).join(', '),
    params: mapped.map((m) => convertValue(m, row[m.source.name])),
  };
}

/** A table's unique indexes other than its primary key: what SQLite's REPLACE may delete other rows for. */
export function otherUniqueIndexes(table: TableInfo): IndexInfo[] {
  return table.indexes.filter((i) => i.unique && !sameColumnSet(i.columns, table.primaryKey));
}

/** Whether two column lists name the same columns in any order, without regard to case (as a unique constraint does). */
export function sameColumnSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const left = a.map((c) => c.toLowerCase()).sort();
  const right = b.map((c) => c.toLowerCase()).sort();
  return left.every((c, i) => c === right[i]);
}
