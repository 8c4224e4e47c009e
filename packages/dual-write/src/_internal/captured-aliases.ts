import { quoteIdentifier as quote, type Row } from '@switchyard/core';

/** The prefix of the aliases under which a capture returns whole rows after the app's own columns. */
const ALIAS_PREFIX = '__sy_';

/**
 * Every column of `columns` for a `RETURNING` clause the app has one of its own: each one
 * under a private alias after the app's, so its rows can be told from the app's columns.
 */
export function aliasedColumns(columns: readonly string[], qualifier: string): string {
  return columns.map((c, n) => `${qualifier}${quote(c)} AS ${quote(ALIAS_PREFIX + n)}`).join(', ');
}

/** Rows returned with {@link aliasedColumns}: the whole rows, and what the app asked for. */
export function splitAliased(rows: readonly Row[], columns: readonly string[]): { images: Row[]; app: Row[] } {
  return {
    images: rows.map((r) => Object.fromEntries(columns.map((c, n) => [c, r[ALIAS_PREFIX + n]]))),
    app: rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith(ALIAS_PREFIX)))),
  };
}
