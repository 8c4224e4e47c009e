import { keysetPages, type DatabaseAdapter, type Statement } from '@switchyard/core';
import { SecondaryWriteError } from '../secondary-write-error';
import { generatedTables } from './generated-on-alter';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import { imageStatements, imagesOf, refOf } from './row-images';
import type { SecondaryDelivery } from './secondary-delivery';
import { journalUnsent } from './secondary-failure';
import { toError } from './to-error';

/** Rows read from the primary and applied to the secondary at a time. */
export const REFILL_PAGE = 500;

/**
 * After schema changes that filled existing rows with values each side generated for
 * itself (see `generatesOnAlter`): every row of those tables, as the primary holds it, to
 * the secondary (see {@link refillTable}).
 */
export async function refillGenerated(
  p: ReplicatorParts,
  delivery: SecondaryDelivery,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  statements: readonly Statement[],
  label: string,
): Promise<void> {
  const tables = generatedTables(statements, p.catalog.textIsFixed);
  if (tables.length === 0) return;
  // The tables are read again, with their new columns.
  p.catalog.invalidate();
  for (const table of tables) {
    try {
      await refillTable(p, delivery, primary, secondary, table, label);
    } catch (error) {
      // The change itself ran: the app must not take this for its failure, and retry it.
      throw new SecondaryWriteError(
        `The schema change ran on ${primary.name}, but giving ${secondary.name} the values it generated for ${table} stopped ` +
          `(${toError(error).message}). Run repair on ${table} once both sides answer.`,
        { primary: primary.name, secondary: secondary.name, sql: label, cause: error },
      );
    }
  }
}

/**
 * Gives the secondary every row of `table` as the primary holds it, page by page in key
 * order: after a replayed `ALTER TABLE` that filled rows with values each side worked out
 * for itself (see `generatesOnAlter`), the secondary takes the primary's. Each page is
 * read and applied under the table's lock, so a write that lands between two pages is never
 * overwritten by an older image of its row. A page the secondary cannot take goes to the
 * journal as rows, settled from the primary when it is replayed.
 */
async function refillTable(
  p: ReplicatorParts,
  delivery: SecondaryDelivery,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  name: string,
  label: string,
): Promise<void> {
  const table = await p.catalog.table(primary, name);
  if (!table || table.primaryKey.length === 0) return;
  // Bare JSON documents as the text the primary holds (core's `jsonTextItems`).
  const pages = keysetPages(primary, table.name, table.primaryKey, REFILL_PAGE, table);
  for (;;) {
    const release = await p.locks.acquire({ sharedTables: [], exclusiveTables: [table.name], rows: [] });
    try {
      const page = await pages.next();
      if (page.done) return;
      await applyPage(p, delivery, primary, secondary, imagesOf(table, page.value, false), label);
    } finally {
      release();
    }
  }
}

/** One page's images to the secondary, as `afterTransaction` applies the rows a transaction wrote. */
async function applyPage(
  p: ReplicatorParts,
  delivery: SecondaryDelivery,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  images: SecondaryWork['images'],
  label: string,
): Promise<void> {
  const work: SecondaryWork = { label, statements: [], images, replays: [] };
  try {
    const pairs = await p.settler.pairs(primary, secondary, [images[0]!.table]);
    work.statements = imageStatements(images, pairs, primary.dialect, secondary);
    work.pairs = pairs;
  } catch (error) {
    return journalUnsent(p, primary, secondary, work, toError(error), false, images.map(refOf));
  }
  await delivery.toSecondary(primary, secondary, work);
}
