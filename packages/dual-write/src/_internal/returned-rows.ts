import type { Row } from '@switchyard/core';
import { imageTableOf, refOf, rowName, type RowImage, type TablePair } from './row-images';
import type { Returned } from './secondary-applier';

/**
 * The secondary's rows after a write, from what its upserts returned (`RETURNING *`),
 * by row name: a deleted row is known absent. A row written more than once by the write,
 * or not returned (an upsert that changed nothing), is left out and read instead.
 */
export function rowsReturned(
  images: readonly RowImage[],
  returned: readonly Returned[],
  pairs: (table: string) => TablePair,
): Map<string, Row | null> {
  const counts = new Map<string, number>();
  for (const image of images) {
    const name = rowName(image.table, refOf(image).key);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const known = new Map<string, Row | null>();
  for (const { statement, rows } of returned) {
    const table = imageTableOf(statement);
    if (!table) continue;
    const { source } = pairs(table);
    for (const row of rows) {
      const name = rowName(table, keyOf(row, source.primaryKey));
      if (counts.get(name) === 1) known.set(name, row);
    }
  }
  for (const image of images) {
    const name = rowName(image.table, refOf(image).key);
    if (image.row === null && counts.get(name) === 1) known.set(name, null);
  }
  return known;
}

/** The key of a secondary's row in the primary's column order, names matched case-insensitively. */
function keyOf(row: Row, columns: readonly string[]): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  for (const column of columns) {
    const lower = column.toLowerCase();
    key[column] = column in row ? row[column] : row[Object.keys(row).find((k) => k.toLowerCase() === lower) ?? column];
  }
  return refOf({ table: '', key, row: null }).key;
}
