import { SqlTokenizer } from '@switchyard/core';

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
 * Splits SQL into words, quoted names, strings, numbers, parameters and punctuation,
 * with the parenthesis depth of each, using core's `SqlTokenizer`. `?NNN` is parameter
 * NNN and a bare `?` the one after the largest so far, as SQLite numbers them; `$n` is
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
  const lexer = new SqlTokenizer(sql, { escapeStrings: false, nestedComments: false, dollarQuotes: false });
  while (lexer.next()) {
    const text = lexer.text;
    const last = tokens.at(-1);
    switch (lexer.kind) {
      case 'string':
      case 'quoted':
        tokens.push({ kind: lexer.kind === 'string' ? 'string' : 'ident', text: unquote(text), depth });
        break;
      case 'param':
        tokens.push({ kind: 'param', text, depth, param: lexer.param - 1 });
        break;
      case 'number':
        // A minus sign right before digits makes a negative number, as a key literal reads.
        if (last?.text === '-' && last.kind === 'punct' && sql[lexer.start - 1] === '-') {
          tokens[tokens.length - 1] = { kind: 'number', text: '-' + text, depth };
        } else tokens.push({ kind: 'number', text, depth });
        break;
      case 'word':
        tokens.push({ kind: 'word', text, depth });
        break;
      default:
        if (text === ')') depth--;
        tokens.push({ kind: 'punct', text, depth });
        if (text === '(') depth++;
    }
  }
  return tokens;
}

// The name or text inside quotes; a doubled quote is one (not in `[…]`).
function unquote(quoted: string): string {
  const open = quoted[0]!;
  const close = open === '[' ? ']' : open;
  const inner = quoted.length > 1 && quoted.endsWith(close) ? quoted.slice(1, -1) : quoted.slice(1);
  return open === '[' ? inner : inner.replaceAll(close + close, close);
}

/** A possibly schema-qualified table name starting at `at`: its last part, and the part before it if any. */
export function nameAt(tokens: readonly Token[], at: number): { name: string; schema?: string; next: number } | undefined {
  const t = tokens[at];
  if (!t || (t.kind !== 'word' && t.kind !== 'ident')) return undefined;
  let name = t.text;
  let schema: string | undefined;
  let next = at + 1;
  while (tokens[next]?.text === '.' && tokens[next + 1]) {
    schema = name;
    name = tokens[next + 1]!.text;
    next += 2;
  }
  return schema === undefined ? { name, next } : { name, schema, next };
}

/** Words that follow a write's target table rather than name its alias. */
const NOT_ALIAS = new Set('SET WHERE USING RETURNING DEFAULT VALUES SELECT ORDER LIMIT INDEXED NOT ON FROM WITH OVERRIDING'.split(' '));

/** Where the alias a write's target table is given at `at` stands (`t AS x`, `t x`), or -1 when it has none. */
export function aliasIndex(tokens: readonly Token[], at: number): number {
  const t = tokens[at];
  if (t?.kind === 'word' && t.text.toUpperCase() === 'AS') return at + 1;
  return t && (t.kind === 'word' || t.kind === 'ident') && !NOT_ALIAS.has(t.text.toUpperCase()) ? at : -1;
}
