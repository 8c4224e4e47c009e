import { isBlankPadded, withoutPadding, type DialectName, type Row, type TableInfo } from '@switchyard/core';
import { perTablePair } from './table-pair-memo';

/** The `character(n)` columns of each definition of a pair, by lowercased name (see core's `isBlankPadded`). */
const declaredPadded = perTablePair((source: TableInfo, target: TableInfo) => ({
  source: paddedNames(source),
  target: paddedNames(target),
}));

function paddedNames(table: TableInfo): readonly string[] {
  return table.columns.filter((c) => isBlankPadded(c, 'postgres')).map((c) => c.name.toLowerCase());
}

/**
 * The columns whose trailing spaces a settle disregards: those a Postgres side declares
 * `character(n)`, where `'ab'` reads back `'ab   '` and Postgres compares the two as equal.
 * Empty when neither side is Postgres or no such column exists.
 */
export function paddedColumns(source: TableInfo, from: DialectName, target: TableInfo, to: DialectName): ReadonlySet<string> {
  const declared = declaredPadded(source, target);
  const names = [...(from === 'postgres' ? declared.source : []), ...(to === 'postgres' ? declared.target : [])];
  return names.length === 0 ? NONE : new Set(names);
}

const NONE: ReadonlySet<string> = new Set();

/** `row` (its names lowercased) with the trailing spaces of `padded` columns' text removed. */
export function withoutPaddingIn(row: Row, padded: ReadonlySet<string>): Row {
  if (padded.size === 0) return row;
  const out: Row = { ...row };
  for (const name of padded) if (name in out) out[name] = withoutPadding(out[name]);
  return out;
}
