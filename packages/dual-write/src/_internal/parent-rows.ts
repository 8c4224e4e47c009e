import type { DatabaseAdapter } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { rowName, type RowImage } from './row-images';
import type { TableCatalog } from './table-catalog';

/** Reads the primary's current rows of `refs` as images (absent rows without `row`). */
type ReadRows = (refs: readonly RowRef[]) => Promise<RowImage[]>;

/**
 * The primary's rows that `images` reference through its foreign keys (those on a parent's
 * primary key), read now. With `levels` above 1, their parents too, level by level: rows
 * that reference each other (a foreign key cycle, `orgs.owner_id` <-> `users.org_id`) can
 * only land together, in one transaction whose foreign keys are checked at commit. The
 * farthest come first; none of `images`, and each row once.
 */
export async function parentImages(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  images: readonly RowImage[],
  read: ReadRows,
  via: DatabaseAdapter,
  levels = 1,
): Promise<RowImage[]> {
  const seen = new Set(images.map((i) => rowName(i.table, i.key)));
  let out: RowImage[] = [];
  let frontier = images;
  for (let level = 0; level < levels && frontier.length > 0; level++) {
    const refs = (await referencedRows(catalog, primary, frontier, via)).filter((r) => !seen.has(rowName(r.table, r.key)));
    for (const r of refs) seen.add(rowName(r.table, r.key));
    frontier = refs.length > 0 ? (await read(refs)).filter((i) => i.row) : [];
    out = [...frontier, ...out];
  }
  return out;
}

async function referencedRows(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  images: readonly RowImage[],
  via: DatabaseAdapter,
): Promise<RowRef[]> {
  const wanted = new Map<string, RowRef>();
  for (const image of images) {
    if (!image.row) continue;
    const table = await catalog.table(primary, image.table, via);
    for (const fk of table?.foreignKeys ?? []) {
      const parent = await catalog.table(primary, fk.referencedTable, via);
      if (!parent || !sameColumns(fk.referencedColumns, parent.primaryKey)) continue;
      const key: RowRef['key'] = {};
      for (const [n, column] of fk.columns.entries()) {
        const value = image.row[column];
        if (value === null || value === undefined) break;
        key[fk.referencedColumns[n]!] = typeof value === 'number' || typeof value === 'string' ? value : String(value);
      }
      if (Object.keys(key).length !== fk.columns.length) continue;
      wanted.set(rowName(parent.name, key), { table: parent.name, key });
    }
  }
  return [...wanted.values()];
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c.toLowerCase() === b[i]?.toLowerCase());
}
