import { isArrayColumn, postgresArrayList, type Row } from '@switchyard/core';
import { perTablePair } from './table-pair-memo';

// pg parses the arrays of the types it knows and hands back the others (an enum's, a
// range's) as their literal, `{happy,sad}`; a SQLite or D1 secondary holds the JSON array a
// copy writes for it (bytes and NaN as their text), so a row read from the primary is
// compared with it as that array.

/** The primary's array columns that the secondary holds as JSON (a TEXT column keeps the literal a copy writes there). */
export const arrayLiterals = perTablePair((source, target): readonly string[] => {
  const json = new Set(target.columns.filter((c) => c.logicalType === 'json').map((c) => c.name.toLowerCase()));
  return source.columns.filter((c) => isArrayColumn(c) && json.has(c.name.toLowerCase())).map((c) => c.name);
});

/** `row` with its arrays in `columns` as the JSON lists a copy writes (core's `postgresArrayList`). */
export function withArrays(row: Row | null, columns: readonly string[]): Row | null {
  if (row === null) return row;
  let out: Row | undefined;
  for (const c of columns) {
    const list = postgresArrayList(row[c]);
    if (list !== row[c]) (out ??= { ...row })[c] = list;
  }
  return out ?? row;
}
