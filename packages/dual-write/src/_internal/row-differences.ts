import { comparesStorageClass, withoutPadding, type DatabaseAdapter, type Row, type TableInfo } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { arrayLiterals, withArrays } from './array-literal-rows';
import { compareWriteResults, MICROSECONDS } from './result-compare';
import type { ColumnTypeCache } from './column-types';
import { rowName } from './row-images';
import { currentImages, groupByTable } from './row-resync';
import type { TableCatalog } from './table-catalog';
import { readOn } from './failed-side';
import { exactJsonColumns, withSqlNulls } from './json-scalar-documents';
import { paddedColumns, withoutPaddingIn } from './padded-columns';

/** What {@link rowDifferences} compares: `known` and `primaryRows` hold rows already in hand by row name (`null`: known absent). */
interface DifferenceAsk {
  primary: DatabaseAdapter;
  side: DatabaseAdapter;
  refs: readonly RowRef[];
  known?: ReadonlyMap<string, Row | null> | undefined;
  primaryRows?: ReadonlyMap<string, Row | null> | undefined;
}

/**
 * Rows among `refs` whose state on `side` differs from the primary's, compared as validation
 * does (normalized by logical type), with the reason for each. The primary's rows are read
 * unless `primaryRows` holds them (read under lock in the caller's transaction).
 */
export async function rowDifferences(
  catalog: TableCatalog,
  types: ColumnTypeCache,
  { primary, side, refs, known, primaryRows }: DifferenceAsk,
): Promise<{ ref: RowRef; reason: string }[]> {
  const out: { ref: RowRef; reason: string }[] = [];
  // Both Postgres sides hold timestamps to the microsecond; other engines hold what they were given as text.
  const precision = primary.dialect === 'postgres' && side.dialect === 'postgres' ? MICROSECONDS : undefined;
  for (const [table, keys] of groupByTable(refs)) {
    const source = catalog.peek(primary, table) ?? (await catalog.table(primary, table));
    const target = catalog.peek(side, table) ?? (await catalog.table(side, table));
    if (!source || !target) continue;
    // Rows the secondary's own statements returned need no second read; the rest are read.
    const names = keys.map((k) => rowName(table, k));
    const unknown = keys.flatMap((_, i) => (known?.has(names[i]!) ? [] : [i]));
    // Compared without their padding; a character(n) key went to SQLite or D1 without it, and is looked for so there.
    const padded = paddedColumns(source, primary.dialect, target, side.dialect);
    const unpadded = side.dialect === 'postgres' ? NO_COLUMNS : padded;
    const given = primaryRows && names.every((n) => primaryRows.has(n)) ? primaryRows : undefined;
    const mine = given
      ? Promise.resolve(names.map((n, i) => ({ table, key: keys[i]!, row: given.get(n)! })))
      : readOn(primary, currentImages(primary, source, keys));
    const [ours, read] =
      unknown.length === 0
        ? [await mine, []]
        : await Promise.all([
            mine,
            currentImages(
              side,
              target,
              unknown.map((i) => renameKey(keys[i]!, source, target, unpadded)),
            ),
          ]);
    const theirs = new Map(unknown.map((at, n) => [names[at]!, read[n]!.row]));
    // SQLite and D1 hold the JSON document null as SQL NULL (see `withSqlNulls`), and an array
    // pg hands back as its literal (an enum's) as its JSON array; between Postgres sides a JSON
    // column of one type holds the document's text (`exactJsonColumns`).
    const literals = primary.dialect === 'postgres' ? arrayLiterals(source, target) : [];
    const asStored = side.dialect === 'postgres' ? (row: Row | null) => row : (row: Row | null) => withArrays(withSqlNulls(row), literals);
    const exact = primary.dialect === 'postgres' && side.dialect === 'postgres' ? exactJsonColumns(source, target) : undefined;
    for (let i = 0; i < ours.length; i++) {
      const a = asStored(ours[i]!.row);
      const name = names[i]!;
      const b = known?.has(name) ? known.get(name)! : theirs.get(name)!;
      let reason: string | undefined;
      if (!a || !b) reason = a === b ? undefined : a ? `the row is missing on ${side.name}` : `the row is on ${side.name} only`;
      else
        reason = await compareWriteResults(
          types,
          table,
          { rowsAffected: 1, rows: [withoutPaddingIn(lower(a), padded)] },
          { rowsAffected: 1, rows: [withoutPaddingIn(lower(b), padded)] },
          precision,
          comparesStorageClass(primary.dialect, side.dialect),
          exact,
        );
      if (reason) out.push({ ref: { table, key: keys[i]! }, reason });
    }
  }
  return out;
}

const NO_COLUMNS: ReadonlySet<string> = new Set();

/** `key` named as the secondary names it, the `unpadded` columns' values without their trailing spaces. */
function renameKey(key: RowRef['key'], source: TableInfo, target: TableInfo, unpadded: ReadonlySet<string>): RowRef['key'] {
  const out: RowRef['key'] = {};
  for (const [n, column] of source.primaryKey.entries()) {
    const name = target.primaryKey[n] ?? target.columns.find((c) => c.name.toLowerCase() === column.toLowerCase())?.name ?? column;
    const value = key[column] ?? null;
    out[name] = unpadded.has(column.toLowerCase()) ? (withoutPadding(value) as string | null) : value;
  }
  return out;
}

/** `row` with its column names in lower case, as both sides' rows are compared; itself when they are already. */
function lower(row: Row): Row {
  for (const k in row) if (k !== k.toLowerCase()) return Object.fromEntries(Object.entries(row).map(([c, v]) => [c.toLowerCase(), v]));
  return row;
}
