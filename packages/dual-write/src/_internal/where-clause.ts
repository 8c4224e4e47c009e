import {
  SqlTokenizer,
  qualifiedTableName,
  quoteIdentifier as quote,
  type DatabaseAdapter,
  type Row,
  type Statement,
  type TableInfo,
} from '@switchyard/core';
import { pickCaseless } from './row-images';
import { parseWriteCached } from './write-parse';
import { writtenName } from './captured-aliases';

/** A statement's filter: its text as written, and the values of its placeholders in order. */
export interface WhereClause {
  text: string;
  /** The values of `from`'s placeholders, then of `text`'s. */
  params: unknown[];
  /** The other tables of an `UPDATE … FROM`, as written (asked for with `from`). */
  from?: string;
}

/** Words after which the filter would not select the same rows again (`RETURNING` ends the filter instead). */
const ENDS = new Set(['ORDER', 'LIMIT']);

/**
 * The `WHERE` filter of a SQLite `UPDATE` or `DELETE`, to select the same rows in another
 * statement of the same transaction (`1` when it has none: every row), its placeholders
 * written `?` with their values in order (`?2` and `$2` name the statement's second
 * parameter). `undefined` when that would not be the same set or the same values: `UPDATE
 * … FROM` (unless `from`: its other tables are then in `from`), `ORDER BY`/`LIMIT`, a
 * named placeholder (`:name`), Postgres's `??` operator, or a leading `WITH …` list.
 *
 * @example
 * ```ts
 * whereClauseOf('UPDATE t SET n = ? WHERE owner = ? AND n > ?', [1, 7, 3]); // { text: 'owner = ? AND n > ?', params: [7, 3] }
 * ```
 */
export function whereClauseOf(sql: string, params: readonly unknown[], options: { from?: boolean } = {}): WhereClause | undefined {
  const lexer = new SqlTokenizer(sql, { escapeStrings: false, nestedComments: false, dollarQuotes: false });
  let depth = 0;
  let start = -1;
  let end = sql.length;
  let setSeen = false;
  let verbSeen = false;
  // Where an `UPDATE … FROM`'s table list starts and ends.
  let fromStart = -1;
  let fromEnd = -1;
  const used: unknown[] = [];
  // Placeholders of the filter, each written `?` there with its value in `used`, in order:
  // `?NNN` and `$N` name a parameter by its number in this statement, not in the other.
  const placeholders: [number, number][] = [];
  while (lexer.next()) {
    const text = lexer.text;
    if (lexer.kind === 'param') {
      // `??` is Postgres's jsonb operator written for the adapter, not two parameters.
      if (text === '?' && (sql[lexer.end] === '?' || sql[lexer.start - 1] === '?')) return undefined;
      if (start >= 0 || fromStart >= 0) {
        used.push(params[lexer.param - 1]);
        placeholders.push([lexer.start, lexer.end]);
      }
      continue;
    }
    if (lexer.kind === 'punct') {
      // `:name`, `@name`, `$name`: SQLite numbers named parameters by first use.
      // Postgres's `::` cast is not one.
      const cast = text === '::' || (text === ':' && (sql[lexer.end] === ':' || sql[lexer.start - 1] === ':'));
      if (!cast && (text === ':' || text === '@' || text === '$')) return undefined;
      if (text === '(') depth++;
      else if (text === ')') depth--;
      else if (text === ';' && depth === 0) end = Math.min(end, lexer.start);
      continue;
    }
    if (lexer.kind !== 'word' || depth > 0) continue;
    const word = text.toUpperCase();
    // A filter after a `WITH …` list may name its tables, which a statement of its own lacks.
    if (word === 'WITH' && !verbSeen) return undefined;
    verbSeen = true;
    if (word === 'SET') setSeen = true;
    else if (word === 'FROM' && setSeen && start < 0) {
      if (!options.from) return undefined;
      fromStart = lexer.end;
    } else if (word === 'WHERE' && start < 0) {
      start = lexer.end;
      if (fromStart >= 0) fromEnd = lexer.start;
    } else if (word === 'RETURNING') {
      end = lexer.start;
      break;
    } else if (ENDS.has(word)) return undefined;
  }
  if (fromStart >= 0 && fromEnd < 0) fromEnd = end;
  const inFrom = placeholders.filter(([at]) => at < fromEnd);
  const inFilter = placeholders.filter(([at]) => at >= start && at < end);
  const from = fromStart >= 0 ? { from: withAnonymous(sql, fromStart, fromEnd, inFrom) } : {};
  const fromParams = used.slice(0, inFrom.length);
  // No filter: every row.
  if (start < 0) return { text: '1', params: fromParams, ...from };
  return {
    text: withAnonymous(sql, start, end, inFilter),
    params: [...fromParams, ...used.slice(inFrom.length, inFrom.length + inFilter.length)],
    ...from,
  };
}

/** `sql` from `start` to `end`, each of `placeholders` (positions within it) written `?`. */
function withAnonymous(sql: string, start: number, end: number, placeholders: readonly [number, number][]): string {
  let text = '';
  let at = start;
  for (const [from, to] of placeholders) {
    text += `${sql.slice(at, from)}?`;
    at = to;
  }
  return (text + sql.slice(at, end)).trim();
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
  const where = whereClauseOf(statement.sql, statement.params ?? [], { from: true });
  const parsed = parseWriteCached(statement.sql);
  if (!where || !parsed || table.primaryKey.length === 0 || table.primaryKey.length !== keyColumns.length) return undefined;
  // No filter is every row: `WHERE 1` to SQLite, which Postgres reads as TRUE only.
  const filter = where.text === '1' ? 'TRUE' : where.text;
  // The filter names the table by the statement's alias, if it gives one; a join may select a row twice.
  // A statement on a partition selects among that partition's rows only.
  const written = { ...table, name: writtenName(parsed, table) };
  const qualifier = parsed.alias ?? quote(written.name);
  const columns = table.primaryKey.map((c) => `${qualifier}.${quote(c)}`).join(', ');
  const target = `${qualifiedTableName(written, side.dialect)}${parsed.alias ? ` AS ${parsed.alias}` : ''}`;
  const sources = where.from ? `${target}, ${where.from}` : target;
  const rows = await side.query<Row>(`SELECT DISTINCT ${columns} FROM ${sources} WHERE ${filter}`, where.params);
  return rows.map((row) => Object.fromEntries(keyColumns.map((c, i) => [c, pickCaseless(row, table.primaryKey[i]!) ?? null])));
}
