import type { DatabaseAdapter } from '@switchyard/core';
import { refOf, rowName, type RowImage } from './row-images';
import type { RowSettler } from './row-settle';
import type { TableCatalog } from './table-catalog';

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
  const stale: RowImage[] = [];
  for (const image of images) {
    if (image.row === null) continue;
    let stored = catalog.primaryRowsStored(primary, image.table, via);
    if (typeof stored !== 'boolean') stored = await stored;
    if (!stored) stale.push(image);
  }
  if (stale.length === 0) return images;
  const fresh = new Map((await settler.current(primary, stale.map(refOf), via)).map((i) => [rowName(i.table, i.key), i]));
  return images.map((i) => (i.row === null ? i : (fresh.get(rowName(i.table, i.key)) ?? i)));
}
