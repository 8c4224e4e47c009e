import type { DatabaseAdapter } from '@switchyard/core';
import { refOf, rowName, type RowImage } from './row-images';
import type { RowSettler } from './row-settle';
import type { TableCatalog } from './table-catalog';

/**
 * Whether the catalog already knows that nothing changes the rows of `images` after their
 * statement, so {@link storedImages} would return them as they are: asked without waiting.
 */
export function storedAlready(catalog: TableCatalog, primary: DatabaseAdapter, images: readonly RowImage[]): boolean {
  for (const { table, row } of images) if (row !== null && catalog.primaryRowsStored(primary, table) !== true) return false;
  return true;
}

/**
 * The images a write captured, with the rows of tables where something changes rows after
 * the statement (an AFTER trigger, a rule; see `TableCatalog.primaryRowsStored`) read
 * again from the primary: `RETURNING` shows a row before such a trigger ran, and the
 * secondary must get it as it stays. `via` reads inside the write's transaction. Deleted
 * rows stay deleted; a row the trigger deleted comes back as a delete.
 */
export async function storedImages(
  catalog: TableCatalog,
  settler: RowSettler,
  primary: DatabaseAdapter,
  images: RowImage[],
  via: DatabaseAdapter = primary,
): Promise<RowImage[]> {
  // Each table is asked once, however many of its rows the write returned.
  const stored = new Map<string, boolean>();
  for (const { table, row } of images) {
    if (row === null || stored.has(table)) continue;
    const answer = catalog.primaryRowsStored(primary, table, via);
    stored.set(table, typeof answer === 'boolean' ? answer : await answer);
  }
  const stale = images.filter((i) => i.row !== null && !stored.get(i.table));
  if (stale.length === 0) return images;
  const fresh = new Map((await settler.current(primary, stale.map(refOf), via)).map((i) => [rowName(i.table, i.key), i]));
  return images.map((i) => (i.row === null ? i : (fresh.get(rowName(i.table, i.key)) ?? i)));
}
