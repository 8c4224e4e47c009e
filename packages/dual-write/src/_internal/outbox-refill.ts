import { keysetPages, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { MirrorOp } from '../mirror/mirror-op';
import type { Mirror } from '../mirror/mirror-types';
import { recordInTransaction } from '../mirror/mirror-writes';
import { capturedImages } from '../mirror/outbox-captured';
import { generatedTables } from './generated-on-alter';
import { imagesOf, refOf } from './row-images';
import type { TableCatalog } from './table-catalog';
import { REFILL_PAGE } from './table-refill';

/**
 * Inside the primary transaction of schema changes that filled existing rows with values
 * the primary generated (see `generatesOnAlter`): every row of those tables, as the
 * transaction sees them, into outbox entries after the changes' own, a page per entry, so
 * the drain gives the secondary the primary's values. The `ALTER TABLE` holds the table's
 * lock until the commit: no other write comes between the rows read here and their entries.
 * Returns the last entry made, if any.
 */
export async function recordGeneratedRows(
  mirror: Mirror,
  tx: DatabaseAdapter,
  primary: DatabaseAdapter,
  catalog: TableCatalog,
  statements: readonly Statement[],
): Promise<MirrorOp | undefined> {
  const tables = generatedTables(statements, catalog.textIsFixed);
  if (tables.length === 0) return undefined;
  // The tables are read again, with their new columns, as this transaction sees them.
  catalog.invalidate();
  let last: MirrorOp | undefined;
  for (const name of tables) {
    const table = await catalog.table(primary, name, tx);
    if (!table || table.primaryKey.length === 0) continue;
    // Bare JSON documents as the text the primary holds (core's `jsonTextItems`).
    for await (const rows of keysetPages(tx, table.name, table.primaryKey, REFILL_PAGE, table)) {
      const images = imagesOf(table, rows, false);
      last =
        (await recordInTransaction(
          mirror,
          tx,
          [],
          images.map(refOf),
          capturedImages(images, () => table),
        )) ?? last;
    }
  }
  return last;
}
