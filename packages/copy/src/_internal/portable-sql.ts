import type { DialectName } from '@switchyard/core';
import { counterpartFunctions, counterpartNames } from './function-counterparts';

// Postgres casts as pg_get_*def prints them: 'a'::text, (0)::numeric, x::character varying(20)[].
const CAST = /::(?:"[^"]+"|[a-z_][a-z0-9_]*(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))?)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?/gi;
// Functions that mean the same on SQLite and Postgres.
const PORTABLE_FUNCTIONS = new Set([
  'lower',
  'upper',
  'length',
  'abs',
  'coalesce',
  'nullif',
  'trim',
  'ltrim',
  'rtrim',
  'replace',
  'round',
  'max',
  'min',
  'sum',
  'count',
  'avg',
]);
const KEYWORDS = new Set([
  'in',
  'and',
  'or',
  'not',
  'exists',
  'select',
  'values',
  'from',
  'join',
  'on',
  'where',
  'as',
  'check',
  'using',
  'between',
  'is',
  'when',
  'then',
  'else',
  'case',
  'by',
  'having',
  'union',
  'all',
  'distinct',
  'over',
]);
// How Postgres prints trim(x), ltrim(x) and rtrim(x), which SQLite does not read; with characters to trim it stays, and is refused.
const SQL_TRIM = /\bTRIM\s*\(\s*(BOTH|LEADING|TRAILING)\s+FROM\s+/gi;
const sqliteTrim = (_m: string, side: string) => ({ both: 'trim(', leading: 'ltrim(', trailing: 'rtrim(' })[side.toLowerCase()]!;
// Words whose meaning or presence differs between the engines.
const ENGINE_SPECIFIC =
  /~|\bi?like\s+any\b|\bilike\b|\bglob\b|\bregexp\b|\$\d|\binterval\b|\barray\s*\[|\bany\s*\(|\bsimilar\s+to\b|\blateral\b|\breturning\b|\bdistinct\s+on\b|\btrim\s*\(\s*(?:both|leading|trailing)\b/i;

/**
 * SQL of an expression or a view that reads the same on the other engine, or `undefined`
 * when it uses something that does not: a function outside a short list both engines
 * share or name differently (`ifnull`, `instr` and `group_concat` are Postgres's
 * `coalesce`, `strpos` and `string_agg`), a regular expression, an array, a cast left over. Postgres casts as the catalog
 * prints them are dropped, and `x = ANY (ARRAY[…])` (how Postgres stores `x IN (…)`)
 * becomes `x IN (…)` again, `char_length(x)` `length(x)`, and `TRIM(BOTH FROM x)` `trim(x)`.
 *
 * @example
 * ```ts
 * portableSql("(price > (0)::numeric)", 'postgres') // "(price > (0))"
 * portableSql("(name ~ '^a')", 'postgres')          // undefined
 * portableSql("group_concat(name, ', ')", 'sqlite')   // "string_agg(CAST(name AS text), ', ')"
 * ```
 */
export function portableSql(sql: string, from: DialectName): string | undefined {
  let s = sql.trim();
  if (from === 'postgres') {
    s = s.replace(
      /("(?:[^"]|"")+"|\b\w+)\s*=\s*ANY\s*\(\s*(?:\(ARRAY\[([^\]]*)\]\)|ARRAY\[([^\]]*)\])(?:::[\w ]+\[\])?\s*\)/gi,
      (_m, col: string, a: string | undefined, b: string | undefined) => `${col} IN (${a ?? b})`,
    );
    s = s.replace(CAST, '');
    // char_length(x) is length(x) on both engines for text: characters, not bytes.
    s = s
      .split(/('(?:[^']|'')*')/)
      .map((part, i) => (i % 2 ? part : part.replace(/\bchar(?:acter)?_length\s*\(/gi, 'length(').replace(SQL_TRIM, sqliteTrim)))
      .join('');
  }
  const code = s.replace(/'(?:[^']|'')*'/g, "''");
  if (s.includes('::') || ENGINE_SPECIFIC.test(code)) return undefined;
  // SQLite's -> and ->> read text as JSON and take a path ('$.a'); Postgres's need a json
  // column (not the text SQLite's JSON becomes) and take a key: only Postgres's carry over.
  if (from !== 'postgres' && /->/.test(code)) return undefined;
  const bare = s.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, 'x');
  const renamed = counterpartNames(from);
  for (const m of bare.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)) {
    const word = m[1]!.toLowerCase();
    if (!KEYWORDS.has(word) && !PORTABLE_FUNCTIONS.has(word) && !renamed.has(word)) return undefined;
  }
  return counterpartFunctions(s, from);
}
