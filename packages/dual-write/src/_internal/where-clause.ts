import { SqlTokenizer, quoteIdentifier as quote, type DatabaseAdapter, type Row, type Statement, type TableInfo } from '@switchyard/core';
import { pickCaseless, tableRef } from './row-images';

/** A statement's filter: its text as written, and the values of its placeholders in order. */
export interface WhereClause {
  text: string;
  params: unknown[];
}

const ENDS = new Set(['RETURNING', 'ORDER', 'LIMIT']);

/**
 * The `WHERE` filter of a SQLite `UPDATE` or `DELETE`, to select the same rows in another
 * statement of the same transaction (`1` when it has none: every row), its placeholders
 * written `?` with their values in order (`?2` and `$2` name the statement's second
 * parameter). `undefined` when that would not be the same set or the same values: `UPDATE
 * … FROM`, `ORDER BY`/`LIMIT`, a named placeholder (`:name`), or Postgres's `??` operator.
 *
 * @example
 * ```ts
 * whereClauseOf('UPDATE t SET n = ? WHERE owner = ? AND n > ?', [1, 7, 3]); // { text: 'owner = ? AND n > ?', params: [7, 3] }
 * ```
 */
export function whereClauseOf(sql: string, params: readonly unknown[]): WhereClause | undefined {
  const lexer = new SqlTokenizer(sql, { escapeStrings: false, nestedComments: false, dollarQuotes: false });
  let depth = 0;
  let start = -1;
  let end = sql.length;
  let setSeen = false;
  const used: unknown[] = [];
  // Placeholders of the filter, each written `?` there with its value in `used`, in order:
  // `?NNN` and `$N` name a parameter by its number in this statement, not in the other.
  const placeholders: [number, number][] = [];
  while (lexer.next()) {
    const text = lexer.text;
    if (lexer.kind === 'param') {
      // `??` is Postgres's jsonb operator written for the adapter, not two parameters.
      if (text === '?' && (sql[lexer.end] === '?' || sql[lexer.start - 1] === '?')) return undefined;
      if (start >= 0) {
        used.push(params[lexer.param - 1]);
        placeholders.push([lexer.start, lexer.end]);
      }
      continue;
    }
    if (lexer.kind === 'punct') {
      // `:name`, `@name`, `$name`: SQLite numbers named parameters by first use.
      if (text === ':' || text === '@' || text === '$') return undefined;
      if (text === '(') depth++;
      else if (text === ')') depth--;
      else if (text === ';' && depth === 0) end = Math.min(end, lexer.start);
      continue;
    }
    if (lexer.kind !== 'word' || depth > 0) continue;
    const word = text.toUpperCase();
    if (word === 'SET') setSeen = true;
    else if (word === 'FROM' && setSeen && start < 0) return undefined;
    else if (word === 'WHERE' && start < 0) start = lexer.end;
    else if (word === 'RETURNING' && start >= 0) {
      end = lexer.start;
      break;
    } else if (ENDS.has(word)) return undefined;
  }
  // No filter: every row.
  if (start < 0) return { text: '1', params: [] };
  const inFilter = placeholders.filter(([from]) => from < end);
  let text = '';
  let at = start;
  for (const [from, to] of inFilter) {
    text += `${sql.slice(at, from)}?`;
    at = to;
  }
  return { text: (text + sql.slice(at, end)).trim(), params: used.slice(0, inFilter.length) };
}

/**
 * The keys of the rows `statement`'s filter selects on `side` now (its `table` there),
 * named as `keyColumns` (the same key as the other side names it), or `undefined` when the
 * filter cannot be run again (see {@link whereClauseOf}) or the keys do not match.
 */
export async function keysFilteredOn(
  side: DatabaseAdapter,
  table: TableInfo,
  keyColumns: readonly string[],
  statement: Statement,
): Promise<Record<string, unknown>[] | undefined> {
  const where = whereClauseOf(statement.sql, statement.params ?? []);
  if (!where || table.primaryKey.length === 0 || table.primaryKey.length !== keyColumns.length) return undefined;
  // No filter is every row: `WHERE 1` to SQLite, which Postgres reads as TRUE only.
  const filter = where.text === '1' ? 'TRUE' : where.text;
  const columns = table.primaryKey.map((c) => quote(c)).join(', ');
  const rows = await side.query<Row>(`SELECT ${columns} FROM ${tableRef(table, side.dialect)} WHERE ${filter}`, where.params);
  return rows.map((row) => Object.fromEntries(keyColumns.map((c, i) => [c, pickCaseless(row, table.primaryKey[i]!) ?? null])));
}
