/**
 * Capturing a Postgres statement whose `WITH` list writes rows. Replayed on the secondary,
 * each part would take that side's own ids (the parent's `bigserial`, then its children's
 * references to it), and the statement would fail there or write other rows. Instead it
 * runs on the primary rewritten to name every row each part wrote, by key:
 *
 *   WITH <each write returning its keys too>, __sy_m AS MATERIALIZED (<the statement after the list>)
 *   SELECT __sy_r.*, __sy_k.__sy_keys FROM (SELECT json_build_array(<each part's keys>)::text AS __sy_keys) __sy_k
 *   LEFT JOIN (SELECT *, row_number() OVER () AS __sy_n FROM __sy_m) __sy_r ON true ORDER BY __sy_r.__sy_n
 *
 * A write whose `RETURNING` the rest of the statement reads runs under a private name, and
 * its own name becomes a read of the columns it returned, so the app's statement sees what
 * it wrote. The app gets its rows, in its order, without the private columns; the rows are
 * read again by key inside the same transaction and replicated as rows.
 */
import { quoteIdentifier as quote, type ExecResult, type TableInfo } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { asInsertId, insertIdColumn } from './insert-id';
import { writingCommonTables, type Lexeme } from './cte-writes';
import type { ParsedWrite } from './write-parse';

/** A statement rewritten to name its rows, and how to read its result. */
export interface CtePlan {
  sql: string;
  /** The tables the parts write, in the order their keys come back. */
  tables: TableInfo[];
  /** The statement after the list writes (its rows are counted as written, not read). */
  mainWrites: boolean;
  /** The app's statement after the list had a `RETURNING` clause, or reads. */
  mainReturns: boolean;
  /** The table an INSERT after the list writes, for `lastInsertId`. */
  insertIdFrom?: string;
}

const PRIVATE = '__sy_';

/**
 * The rewritten statement, or why it stays a statement (then replayed as before): a part
 * writing a table without a primary key, an UPDATE that may move a key, a key column of a
 * type its text does not name exactly, a `RETURNING` item other than a column, `*` or `… AS name`.
 */
export async function planCteCapture(
  sql: string,
  tableOf: (name: string) => Promise<TableInfo | undefined>,
): Promise<CtePlan | string | undefined> {
  const parts = writingCommonTables(sql);
  if (parts === undefined || typeof parts === 'string') return parts;
  const tables: TableInfo[] = [];
  const keyLists: string[] = [];
  const entries: string[] = [];
  const target = async (write: ParsedWrite): Promise<TableInfo | string> => {
    const table = await tableOf(write.table);
    if (!table || table.name.toLowerCase() !== write.table.toLowerCase()) return `no table ${write.table} on the primary`;
    if (write.schema && table.schema && write.schema.toLowerCase() !== table.schema.toLowerCase())
      return `a write to ${write.schema}.${write.table}`;
    if (table.primaryKey.length === 0) return `${table.name} has no primary key`;
    if (table.inheritedBy?.length && write.verb !== 'insert' && !write.only) return `${table.name} is inherited (INHERITS)`;
    const key = new Set(table.primaryKey.map((c) => c.toLowerCase()));
    if (write.verb === 'update' && (!write.assigned || write.assigned.some((c) => key.has(c.toLowerCase()))))
      return 'an UPDATE that may change a primary key';
    return table;
  };
  for (const [n, entry] of parts.tables.entries()) {
    const text = sql.slice(entry.body.start, entry.body.end);
    const head = `${entry.columns ? ` ${entry.columns}` : ''} AS ${entry.materialized ? `${entry.materialized} ` : ''}`;
    if (!entry.write) {
      entries.push(`${entry.name}${head}(${text})`);
      continue;
    }
    const table = await target(entry.write);
    if (typeof table === 'string') return table;
    const keys = keyColumns(entry.write, table, tables.length);
    if (typeof keys === 'string') return keys;
    if (!entry.write.returning) {
      if (entry.columns) return 'a write in its WITH list with a column list and no RETURNING';
      // Nothing reads a write without RETURNING: it returns its keys under its own name.
      entries.push(`${entry.name}${head}(${text}\nRETURNING ${keys.sql})`);
      keyLists.push(keyList(entry.name, keys.names));
    } else {
      const names = returnedNames(entry.lexemes, entry.write, table);
      if (typeof names === 'string') return names;
      const hidden = quote(`${PRIVATE}w${n}`);
      entries.push(`${hidden} AS ${entry.materialized ? `${entry.materialized} ` : ''}(${text}, ${keys.sql})`);
      entries.push(`${entry.name}${entry.columns ? ` ${entry.columns}` : ''} AS (SELECT ${names.map(quote).join(', ')} FROM ${hidden})`);
      keyLists.push(keyList(hidden, keys.names));
    }
    tables.push(table);
  }
  const { main } = parts;
  let mainText = sql.slice(main.start, main.end);
  const plan: Partial<CtePlan> = { mainWrites: main.write !== undefined, mainReturns: main.write?.returning ?? true };
  if (main.write) {
    const table = await target(main.write);
    if (typeof table === 'string') return table;
    const keys = keyColumns(main.write, table, tables.length);
    if (typeof keys === 'string') return keys;
    mainText += main.write.returning ? `, ${keys.sql}` : `\nRETURNING ${keys.sql}`;
    keyLists.push(keyList(quote(`${PRIVATE}m`), keys.names));
    if (insertIdColumn(table, main.write.verb)) plan.insertIdFrom = table.name;
    tables.push(table);
  }
  entries.push(`${quote(`${PRIVATE}m`)} AS MATERIALIZED (${mainText})`);
  plan.tables = tables;
  plan.sql =
    `WITH ${parts.recursive ? 'RECURSIVE ' : ''}${entries.join(',\n')}\n` +
    `SELECT __sy_r.*, __sy_k.__sy_keys FROM (SELECT json_build_array(${keyLists.join(', ')})::text AS __sy_keys) AS __sy_k\n` +
    `LEFT JOIN (SELECT *, row_number() OVER () AS __sy_n FROM "__sy_m") AS __sy_r ON true ORDER BY __sy_r.__sy_n`;
  return plan as CtePlan;
}

/**
 * The app's result (its rows without the private columns, the count of rows the statement
 * after the list wrote or read, `lastInsertId`) and the keys of every row each part wrote.
 */
export function splitCteCapture(plan: CtePlan, result: ExecResult): { app: ExecResult; refs: RowRef[] } {
  const rows = result.rows ?? [];
  const own = rows.filter((r) => r.__sy_n !== null && r.__sy_n !== undefined);
  const app: ExecResult = {
    rowsAffected: own.length,
    rows: plan.mainReturns ? own.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith(PRIVATE)))) : [],
  };
  const lists = JSON.parse(String(rows[0]?.__sy_keys ?? '[]')) as (string[][] | null)[];
  const refs: RowRef[] = [];
  for (const [n, table] of plan.tables.entries()) {
    for (const values of lists[n] ?? []) {
      const key: RowRef['key'] = {};
      for (const [i, column] of table.primaryKey.entries()) key[column] = keyOfText(values[i] ?? null, table, column);
      refs.push({ table: table.name, key });
    }
  }
  if (plan.insertIdFrom) {
    const last = refs.filter((r) => r.table === plan.insertIdFrom).at(-1);
    const id = last ? asInsertId(Object.values(last.key)[0]) : undefined;
    if (id !== undefined) app.lastInsertId = id;
  }
  return { app, refs };
}

/** A key value from the text the statement returned it as: a number for an integer column where exact. */
function keyOfText(text: string | null, table: TableInfo, column: string): RowRef['key'][string] {
  if (text === null) return null;
  const type = table.columns.find((c) => c.name === column)?.logicalType;
  if (type === 'integer' && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

/**
 * The key columns of a part's table as `RETURNING` items under private names: as text, which
 * names an integer, text or uuid key exactly; a bytea key in hex, as row references keep it.
 */
function keyColumns(write: ParsedWrite, table: TableInfo, n: number): { sql: string; names: string[] } | string {
  const qualifier = write.alias ?? quote(table.name);
  const items: string[] = [];
  const names: string[] = [];
  for (const [i, column] of table.primaryKey.entries()) {
    const type = table.columns.find((c) => c.name === column)?.logicalType;
    const name = `${PRIVATE}k${n}_${i}`;
    const ref = `${qualifier}.${quote(column)}`;
    if (type === 'integer' || type === 'text') items.push(`(${ref})::text AS ${quote(name)}`);
    else if (type === 'blob') items.push(`encode(${ref}, 'hex') AS ${quote(name)}`);
    else return `${table.name}'s key column ${column} is of a type its text may not name exactly (${type})`;
    names.push(name);
  }
  return { sql: items.join(', '), names };
}

/** A part's keys, one array per row, as one JSON value (`null` for none). */
function keyList(from: string, names: readonly string[]): string {
  return `(SELECT json_agg(json_build_array(${names.map(quote).join(', ')})) FROM ${from})`;
}

/**
 * The names of the columns a write's `RETURNING` gives, as Postgres names them: `*` (its
 * table's columns), a column, `t.column`, or anything `AS name`; another item's name is Postgres's own guess, so it is not read.
 */
function returnedNames(lexemes: readonly Lexeme[], write: ParsedWrite, table: TableInfo): string[] | string {
  const at = lexemes.findIndex((t) => t.depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'RETURNING');
  const items: Lexeme[][] = [[]];
  for (const t of lexemes.slice(at + 1)) {
    if (t.depth === 0 && t.text === ',' && t.kind === 'punct') items.push([]);
    else items.at(-1)!.push(t);
  }
  // `*` in an UPDATE … FROM or DELETE … USING returns the other tables' columns too.
  const joining = write.verb === 'delete' ? 'USING' : write.verb === 'update' ? 'FROM' : undefined;
  const joins = lexemes.some((t) => t.depth === 0 && t.kind === 'word' && t.text.toUpperCase() === joining);
  const names: string[] = [];
  for (const item of items) {
    const last = item.at(-1);
    const star = last?.text === '*' && (item.length === 1 || (item.length === 3 && item[1]!.text === '.'));
    if (star && !joins) names.push(...table.columns.map((c) => c.name));
    else if (
      last &&
      (item.length === 1 || (item.length === 3 && item[1]!.text === '.') || item.at(-2)?.text.toUpperCase() === 'AS') &&
      (last.kind === 'word' || last.kind === 'quoted')
    )
      names.push(last.kind === 'quoted' ? last.text.slice(1, -1).replaceAll('""', '"') : last.text.toLowerCase());
    else return `a RETURNING item whose column name Postgres guesses (${item.map((t) => t.text).join(' ')})`;
  }
  if (new Set(names).size !== names.length) return 'a RETURNING list that names a column twice';
  return names;
}
