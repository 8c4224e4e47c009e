import type { Statement } from '@switchyard/core';

/** One row a write touches: its table and primary-key values. */
export interface RowRef {
  table: string;
  /** Primary-key column to value, in key order. */
  key: Record<string, string | number | null>;
}

/** Primary-key columns by table name; tables not listed are keyed by `id`. */
export type KeyColumns = Readonly<Record<string, readonly string[]>>;

/** A lexical token of a SQL statement (see {@link tokenize}). */
export interface Token {
  kind: 'word' | 'ident' | 'string' | 'number' | 'param' | 'punct';
  text: string;
  /** Parenthesis depth the token sits at. */
  depth: number;
  /** For `param`: its 0-based position among the statement's parameters. */
  param?: number;
}

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
export function rowRefsOf(statement: Statement, keys: KeyColumns = {}, tokens: readonly Token[] = tokenize(statement.sql)): RowRef[] | undefined {
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
  const refs: RowRef[] = [];
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
    const key: RowRef['key'] = {};
    for (const [n, column] of keyCols.entries()) {
      const value = valueOf(values[positions[n]!], params);
      if (value === undefined) return undefined;
      key[column] = value;
    }
    refs.push({ table: table.name, key });
    i++;
    if (tokens[i]?.text === ',') i++;
  }
  return refs.length > 0 ? refs : undefined;
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
  const end = tokens.findIndex(
    (t, n) => n > where && t.depth === 0 && ['RETURNING', 'ORDER', 'LIMIT'].includes(t.text.toUpperCase()),
  );
  const filter = tokens.slice(where + 1, end < 0 ? tokens.length : end);
  // Only a plain conjunction at the top level pins rows down.
  if (filter.some((t) => t.depth > 0 || t.text.toUpperCase() === 'OR' || t.text.toUpperCase() === 'NOT')) return undefined;
  const key: RowRef['key'] = {};
  for (const column of keyColumnsOf(table.name, keys)) {
    const at = filter.findIndex(
      (t, n) =>
        (t.kind === 'word' || t.kind === 'ident') &&
        bareName(t.text).toLowerCase() === column.toLowerCase() &&
        filter[n + 1]?.text === '=',
    );
    const value = at < 0 ? undefined : valueOf(filter[at + 2], params);
    if (value === undefined) return undefined;
    key[column] = value;
  }
  return [{ table: table.name, key }];
}

function valueOf(token: Token | undefined, params: readonly unknown[]): string | number | null | undefined {
  if (!token) return undefined;
  if (token.kind === 'param') {
    const v = params[token.param!];
    if (typeof v === 'bigint') return v.toString();
    return typeof v === 'string' || typeof v === 'number' || v === null ? v : undefined;
  }
  if (token.kind === 'number') return Number(token.text);
  if (token.kind === 'string') return token.text;
  return undefined;
}

/** A possibly schema-qualified table name starting at `at`; the name kept is the last part. */
export function nameAt(tokens: readonly Token[], at: number): { name: string; next: number } | undefined {
  let t = tokens[at];
  if (!t || (t.kind !== 'word' && t.kind !== 'ident')) return undefined;
  let name = t.text;
  let next = at + 1;
  while (tokens[next]?.text === '.' && tokens[next + 1]) {
    name = tokens[next + 1]!.text;
    next += 2;
  }
  t = tokens[next];
  return { name, next };
}

function bareName(text: string): string {
  const dot = text.lastIndexOf('.');
  return dot < 0 ? text : text.slice(dot + 1);
}

/**
 * Splits SQL into words, quoted names, strings, numbers, parameters and punctuation,
 * with the parenthesis depth of each. `?` parameters are numbered in order; `$n` is
 * parameter n (Postgres form, as Kysely compiles it). Comments are dropped.
 *
 * @example
 * ```ts
 * tokenize('UPDATE t SET a = ? WHERE id = $2').filter((t) => t.kind === 'param').length; // 2
 * ```
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let param = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const closer = c === '[' ? ']' : c;
      let j = i + 1;
      let text = '';
      while (j < sql.length) {
        if (sql[j] === closer && sql[j + 1] === closer && closer !== ']') {
          text += closer;
          j += 2;
        } else if (sql[j] === closer) break;
        else text += sql[j++];
      }
      tokens.push({ kind: c === "'" ? 'string' : 'ident', text, depth });
      i = j + 1;
    } else if (c === '?') {
      tokens.push({ kind: 'param', text: '?', depth, param: param++ });
      i++;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      const m = /^\$([0-9]+)/.exec(sql.slice(i))!;
      tokens.push({ kind: 'param', text: m[0], depth, param: Number(m[1]) - 1 });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w$]*/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'word', text: m, depth });
      i += m.length;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(?:\.[0-9]+)?/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'number', text: m, depth });
      i += m.length;
    } else {
      if (c === ')') depth--;
      tokens.push({ kind: 'punct', text: c, depth });
      if (c === '(') depth++;
      i++;
    }
  }
  return tokens;
}
