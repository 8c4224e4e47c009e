import { markJsonTexts, type Row } from '@switchyard/core';
import { imageTableOf, refOf, rowName, type RowImage, type TablePair } from './row-images';
import { storedRows } from './returning-check';
import { pickKey } from './row-resync';
import type { Returned } from './secondary-applier';

/**
 * The secondary's rows after a write, from what its upserts returned (`RETURNING *`), by
 * row name; none when a statement of the group reports that something on its table may
 * change rows after it (`storedRows`). Only a row the write upserted once, and that
 * exactly one returned row of the group names, is known; a deleted row, a row written
 * twice, a key returned twice (two keys the secondary holds as one) or not at all (an
 * upsert that changed nothing) is read.
 */
export function rowsReturned(
  images: readonly RowImage[],
  returned: readonly Returned[],
  pairs: (table: string) => TablePair | undefined,
): Map<string, Row | null> {
  const written = new Map<string, number>();
  for (const image of images) {
    const name = rowName(image.table, refOf(image).key);
    written.set(name, (written.get(name) ?? 0) + (image.row === null ? 2 : 1));
  }
  const seen = new Map<string, Row[]>();
  for (const { statement, rows: returnedRows } of returned) {
    const table = imageTableOf(statement);
    const pair = table === undefined ? undefined : pairs(table);
    // A table with a trigger, rule, cascading key or partition anywhere in the group: every row is read.
    const rows = storedRows(returnedRows);
    if (!rows) return new Map();
    if (!pair) continue;
    // A Postgres secondary's rows carry their bare JSON documents' text, as the primary's images do.
    for (const row of markJsonTexts(rows, pair.target)) {
      const name = rowName(pair.source.name, keyOf(row, pair.source.primaryKey));
      seen.set(name, [...(seen.get(name) ?? []), row]);
    }
  }
  const known = new Map<string, Row | null>();
  for (const [name, count] of written) {
    const rows = seen.get(name);
    if (count === 1 && rows?.length === 1) known.set(name, rows[0]!);
  }
  return known;
}

/** The key of a secondary's row in the primary's column order, as `refOf` writes it. */
function keyOf(row: Row, columns: readonly string[]): Record<string, unknown> {
  return refOf({ table: '', key: pickKey(row, columns), row: null }).key;
}
