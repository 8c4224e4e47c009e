import type { Statement } from '@switchyard/core';
import { aliasIndex, nameAt, tokenize, type Token } from './_internal/sql-tokens';

/** One row a write touches: its table and primary-key values. */
export interface RowRef {
  table: string;
  /** Primary-key column to value, in key order. */
  key: Record<string, string | number | null>;
}

/** Primary-key columns by table name; tables not listed are keyed by `id`. */
export type KeyColumns = Readonly<Record<string, readonly string[]>>;

/**
 * The rows a write statement touches, when they can be read from its text: a
 * single- or multi-row `INSERT … (cols) VALUES (…)` that names every key column, and an
 * `UPDATE`/`DELETE … WHERE key = ? [AND …]` that fixes every key column. For anything
 * else (`UPDATE … WHERE status = ?`, `INSERT … SELECT`, `OR` in the filter) it returns
 * `undefined`: the mirror then keeps no per-row order for that statement, and applies it
 * in the order it is delivered.
 *
 * @example
 * ```ts
 * rowRefsOf({ sql: 'UPDATE users SET name = ? WHERE id = ?', params: ['a', 7] });
 * // [{ table: 'users', key: { id: 7 } }]
 * ```
 */
export function rowRefsOf(
  statement: Statement,
  keys: KeyColumns = {},
  tokens: readonly Token[] = tokenize(statement.sql),
): RowRef[] | undefined {
  const params = statement.params ?? [];
  const first = tokens[0]?.text.toUpperCase();
  if (first === 'INSERT' || first === 'REPLACE') return insertRefs(tokens, params, keys);
  if (first === 'UPDATE' || first === 'DELETE') return filterRefs(tokens, params, keys);
  return undefined;
}

/**
 * A stable text form of a row's key, used as the row's identity in the version table.
 *
 * @example
 * ```ts
 * rowKeyText({ table: 'users', key: { id: 7 } }); // '["7"]'
 * ```
 */
export function rowKeyText(ref: RowRef): string {
  return JSON.stringify(Object.values(ref.key).map((v) => (v === null ? null : String(v))));
}

function keyColumnsOf(table: string, keys: KeyColumns): readonly string[] {
  const match = Object.keys(keys).find((t) => t.toLowerCase() === table.toLowerCase());
  return match ? keys[match]! : ['id'];
}

function insertRefs(tokens: readonly Token[], params: readonly unknown[], keys: KeyColumns): RowRef[] | undefined {
  const rows = insertKeyTokens(tokens, keys);
  if (!rows) return undefined;
  const refs: RowRef[] = [];
  for (const row of rows) {
    const key: RowRef['key'] = {};
    for (const [n, column] of rows.columns.entries()) {
      const value = valueOf(row[n], params);
      if (value === undefined) return undefined;
      key[column] = value;
    }
    refs.push({ table: rows.table, key });
  }
  return refs.length > 0 ? refs : undefined;
}

/**
 * Whether an `INSERT … VALUES` lists its key and gives it the literal `NULL` in every row,
 * as Drizzle writes an id it leaves to SQLite (for a rowid key, SQLite then picks new ones).
 */
export function insertsNullKeys(tokens: readonly Token[], keys: KeyColumns): boolean {
  const rows = insertKeyTokens(tokens, keys);
  return !!rows && rows.length > 0 && rows.every((row) => row.every((t) => t?.kind === 'word' && t.text.toUpperCase() === 'NULL'));
}

/**
 * Whether an `INSERT … VALUES` gives one of the `generated` key columns the keyword `DEFAULT`
 * in every row, as Drizzle writes an id it leaves to Postgres: each row then takes a new key.
 */
export function insertsDefaultKeys(tokens: readonly Token[], keys: KeyColumns, generated: readonly string[]): boolean {
  const rows = insertKeyTokens(tokens, keys);
  if (!rows || rows.length === 0) return false;
  const at = rows.columns.flatMap((c, i) => (generated.some((g) => g.toLowerCase() === c.toLowerCase()) ? [i] : []));
  const isDefault = (t: Token | undefined) => t?.kind === 'word' && t.text.toUpperCase() === 'DEFAULT';
  return at.length > 0 && rows.every((row) => at.some((i) => isDefault(row[i])));
}

/** The tokens an `INSERT … VALUES` gives its key columns, row by row (`undefined` for an expression), with the table and key columns. */
function insertKeyTokens(
  tokens: readonly Token[],
  keys: KeyColumns,
): ((Token | undefined)[][] & { table: string; columns: readonly string[] }) | undefined {
  let i = tokens.findIndex((t) => t.depth === 0 && t.text.toUpperCase() === 'INTO');
  if (i < 0) return undefined;
  const table = nameAt(tokens, i + 1);
  if (!table || tokens[table.next]?.text !== '(') return undefined;
  const columns: string[] = [];
  for (i = table.next + 1; i < tokens.length && tokens[i]!.text !== ')'; i++) {
    if (tokens[i]!.kind === 'word' || tokens[i]!.kind === 'ident') columns.push(tokens[i]!.text);
  }
  if (tokens[i + 1]?.text.toUpperCase() !== 'VALUES') return undefined;
  const keyCols = keyColumnsOf(table.name, keys);
  const positions = keyCols.map((k) => columns.findIndex((c) => c.toLowerCase() === k.toLowerCase()));
  if (positions.some((p) => p < 0)) return undefined;
  const rows = Object.assign([] as (Token | undefined)[][], { table: table.name, columns: keyCols });
  i += 2;
  // Each top-level parenthesised tuple after VALUES is one row.
  while (tokens[i]?.text === '(' && tokens[i]!.depth === 0) {
    const values: (Token | undefined)[] = [];
    let item: Token[] = [];
    for (i++; i < tokens.length && !(tokens[i]!.depth === 0 && tokens[i]!.text === ')'); i++) {
      const t = tokens[i]!;
      if (t.depth === 1 && t.text === ',') {
        values.push(item.length === 1 ? item[0] : undefined);
        item = [];
      } else item.push(t);
    }
    values.push(item.length === 1 ? item[0] : undefined);
    rows.push(positions.map((p) => values[p]));
    i++;
    if (tokens[i]?.text === ',') i++;
  }
  return rows;
}

function filterRefs(tokens: readonly Token[], params: readonly unknown[], keys: KeyColumns): RowRef[] | undefined {
  const verb = tokens[0]!.text.toUpperCase();
  let i = 1;
  if (verb === 'DELETE') {
    if (tokens[1]?.text.toUpperCase() !== 'FROM') return undefined;
    i = 2;
  } else if (tokens[1]?.text.toUpperCase() === 'OR') i = 3;
  const table = nameAt(tokens, i);
  if (!table) return undefined;
  const where = tokens.findIndex((t) => t.depth === 0 && t.text.toUpperCase() === 'WHERE');
  if (where < 0) return undefined;
  const end = tokens.findIndex((t, n) => n > where && t.depth === 0 && ['RETURNING', 'ORDER', 'LIMIT'].includes(t.text.toUpperCase()));
  let filter = tokens.slice(where + 1, end < 0 ? tokens.length : end);
  // Prisma wraps its whole filter in parentheses: `WHERE ("main"."users"."id" = ? AND 1=1)`.
  let depth = 0;
  while (filter[0]?.text === '(' && filter.findIndex((t, n) => n > 0 && t.depth === depth && t.text === ')') === filter.length - 1) {
    filter = filter.slice(1, -1);
    depth++;
  }
  // A column qualified by another table (`UPDATE t … FROM u WHERE u.id = ?`) is not the target's.
  const own = new Set([table.name.toLowerCase(), tokens[aliasIndex(tokens, table.next)]?.text.toLowerCase()]);
  const target = (n: number) => filter[n - 1]?.text !== '.' || own.has(filter[n - 2]?.text.toLowerCase());
  const columns = keyColumnsOf(table.name, keys);
  const named = (column: string, next: string) => (t: Token, n: number) =>
    (t.kind === 'word' || t.kind === 'ident') &&
    bareName(t.text).toLowerCase() === column.toLowerCase() &&
    filter[n + 1]?.text.toUpperCase() === next &&
    target(n);
  // `key IN (?, ?, …)` on a one-column key names each row (Prisma's deleteMany, Drizzle's inArray).
  let listed: RowRef['key'][string][] | undefined;
  const inAt = columns.length === 1 ? filter.findIndex(named(columns[0]!, 'IN')) : -1;
  if (inAt >= 0) {
    const close = filter.findIndex((t, n) => n > inAt + 2 && t.depth === depth && t.text === ')');
    const inner = close > 0 && filter[inAt + 2]?.text === '(' ? filter.slice(inAt + 3, close) : undefined;
    listed = inner?.flatMap((t, k) => (k % 2 === 1 ? [] : [valueOf(t, params)])) as RowRef['key'][string][] | undefined;
    const plain = inner?.every((t, k) => t.depth === depth + 1 && (k % 2 === 0 || t.text === ','));
    if (!inner || !plain || listed!.some((v) => v === undefined)) return undefined;
    filter = [...filter.slice(0, inAt), ...filter.slice(close + 1)];
  }
  // `key = ANY(?)` with an array bound (node-postgres apps, `PostgresArray`): each item names a row.
  const anyAt =
    !listed && columns.length === 1
      ? filter.findIndex((t, n) => named(columns[0]!, '=')(t, n) && filter[n + 2]?.text.toUpperCase() === 'ANY')
      : -1;
  if (anyAt >= 0) {
    const close = filter.findIndex((t, n) => n > anyAt + 3 && t.depth === depth && t.text === ')');
    const inner = close > 0 && filter[anyAt + 3]?.text === '(' ? filter.slice(anyAt + 4, close) : [];
    const items = inner[0]?.kind === 'param' && inner.slice(1).every(castToken) ? params[inner[0].param!] : undefined;
    if (!Array.isArray(items) || items.length === 0) return undefined;
    const keys = items.map(boundKey);
    if (keys.some((v) => v === undefined || v === null)) return undefined;
    listed = keys as RowRef['key'][string][];
    filter = [...filter.slice(0, anyAt), ...filter.slice(close + 1)];
  }
  // Only a plain conjunction at the top level pins rows down.
  if (filter.some((t) => t.depth > depth || t.text.toUpperCase() === 'OR' || t.text.toUpperCase() === 'NOT')) return undefined;
  if (listed) return listed.length > 0 ? listed.map((value) => ({ table: table.name, key: { [columns[0]!]: value } })) : undefined;
  const key: RowRef['key'] = {};
  for (const column of columns) {
    const at = filter.findIndex(named(column, '='));
    const value = at < 0 ? undefined : valueOf(filter[at + 2], params);
    if (value === undefined) return undefined;
    key[column] = value;
  }
  return [{ table: table.name, key }];
}

/** A token of a type cast after a parameter (`?::bigint[]`): `:`, a type name, `[]` (read as an empty bracket-quoted name). */
const castToken = (t: Token) => t.kind === 'word' || t.text === ':' || (t.kind === 'ident' && t.text === '');

/** A bound value as a key value: bigints as their digits; `undefined` for what is no key (an object, a Date). */
function boundKey(v: unknown): string | number | null | undefined {
  if (typeof v === 'bigint') return v.toString();
  return typeof v === 'string' || typeof v === 'number' || v === null ? v : undefined;
}

function valueOf(token: Token | undefined, params: readonly unknown[]): string | number | null | undefined {
  if (!token) return undefined;
  if (token.kind === 'param') return boundKey(params[token.param!]);
  if (token.kind === 'number') return Number(token.text);
  if (token.kind === 'string') return token.text;
  return undefined;
}

function bareName(text: string): string {
  const dot = text.lastIndexOf('.');
  return dot < 0 ? text : text.slice(dot + 1);
}
