import { quoteIdentifier as quote, type DialectName, type Row, type TableInfo, jsonTextItems } from '@switchyard/core';
import type { ParsedWrite } from './write-parse';

/** The prefix of the aliases under which a capture returns whole rows after the app's own columns. */
const ALIAS_PREFIX = '__sy_';

/**
 * Every column of `columns` for a `RETURNING` clause the app has one of its own: each one
 * under a private alias after the app's, so its rows can be told from the app's columns.
 */
function aliasedColumns(columns: readonly string[], qualifier: string): string {
  return columns.map((c, n) => `${qualifier}${quote(c)} AS ${quote(ALIAS_PREFIX + n)}`).join(', ');
}

/** Rows returned with {@link aliasedColumns}: the whole rows, and what the app asked for. */
export function splitAliased(rows: readonly Row[], columns: readonly string[]): { images: Row[]; app: Row[] } {
  return {
    images: rows.map((r) => Object.fromEntries(columns.map((c, n) => [c, r[ALIAS_PREFIX + n]]))),
    app: rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith(ALIAS_PREFIX)))),
  };
}

/**
 * The name `parsed` writes `table` under: its own, or one of its partitions' (see
 * `TableInfo.partitions`), which a statement on that partition must name in its clauses.
 */
export function writtenName(parsed: ParsedWrite, table: TableInfo): string {
  return parsed.table.toLowerCase() === table.name.toLowerCase() ? table.name : parsed.table;
}

/**
 * `parsed` as it runs on the primary to return every row it left: with `RETURNING *` of
 * the target table (on Postgres, `*` alone would add an `UPDATE … FROM`'s other tables), or
 * after the app's own `RETURNING` columns under private aliases (`aliases`, see `splitAliased`).
 */
export function capturingSql(parsed: ParsedWrite, table: TableInfo, dialect: DialectName): { sql: string; aliases?: string[] } {
  const qualifier = dialect === 'postgres' ? `${parsed.alias ?? quote(writtenName(parsed, table))}.` : '';
  // The text of bare JSON documents, which pg would read as values (see core's `jsonTextItems`).
  const texts = dialect === 'postgres' ? jsonTextItems(table, qualifier) : '';
  if (!parsed.returning) {
    // On a new line: a trailing line comment in the app's SQL must not swallow the clause.
    return { sql: `${parsed.sql}\nRETURNING ${qualifier}*${texts}` };
  }
  const aliases = table.columns.map((c) => c.name);
  return { sql: `${parsed.sql}, ${aliasedColumns(aliases, qualifier)}${texts}`, aliases };
}
