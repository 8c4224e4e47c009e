import { ParameterError } from './errors';

/** What a scan of a statement's text found. */
export interface PlaceholderScan {
  /** The statement with `?` rewritten to `$1, $2, …` (Postgres), or unchanged. */
  sql: string;
  /** Number of `?` placeholders outside literals, identifiers and comments. */
  questionMarks: number;
  /** Highest `$n` written by hand (0 when none). */
  highestDollar: number;
}

// One cache per mode, keyed by the statement text itself: statements repeat, and a
// concatenated key would cost a new string and a new hash on every call.
const caches = { rewrite: new Map<string, PlaceholderScan>(), scan: new Map<string, PlaceholderScan>() };
const CACHE_LIMIT = 2000;
// Statements longer than this are kept in a cache of a few entries only: most carry
// inlined data and never repeat, but a bulk load repeats one multi-row INSERT text
// (thousands of `?`) for every full chunk, and rescanning it costs milliseconds each time.
const LONG_STATEMENT = 65_536;
const longCaches = { rewrite: new Map<string, PlaceholderScan>(), scan: new Map<string, PlaceholderScan>() };
const LONG_CACHE_LIMIT = 4;

/**
 * Finds the `?` placeholders of a statement, skipping string literals (`'…'`, `E'…'`),
 * quoted identifiers (`"…"`, `` `…` ``, `[…]`), comments (`-- …`, nested `/* … *\/`) and
 * dollar-quoted bodies (`$tag$ … $tag$`). With `rewrite: true`, returns the text with
 * each `?` replaced by `$1, $2, …` for Postgres, and `??` by a literal `?` (Postgres's
 * jsonb operators `?`, `?|`, `?&` are written `??`, `??|`, `??&`, as in JDBC).
 * `$n` written by hand passes through.
 *
 * @example
 * ```ts
 * scanPlaceholders("SELECT '?' AS q, id FROM t WHERE id = ?", { rewrite: true }).sql
 * // "SELECT '?' AS q, id FROM t WHERE id = $1"
 * ```
 */
export function scanPlaceholders(sql: string, options: { rewrite: boolean }): PlaceholderScan {
  const long = sql.length > LONG_STATEMENT;
  const cache = long ? (options.rewrite ? longCaches.rewrite : longCaches.scan) : options.rewrite ? caches.rewrite : caches.scan;
  const hit = cache.get(sql);
  if (hit) return hit;
  const scan = scan_(sql, options.rewrite ? 'rewrite' : 'scan');
  if (cache.size >= (long ? LONG_CACHE_LIMIT : CACHE_LIMIT)) cache.delete(cache.keys().next().value as string);
  cache.set(sql, scan);
  return scan;
}

/** Rewrites `?` to `$n` for Postgres (see {@link scanPlaceholders}). */
export function toPostgresPlaceholders(sql: string): string {
  return scanPlaceholders(sql, { rewrite: true }).sql;
}

/**
 * Escapes each `?` of a statement already written with `$n` placeholders (Kysely's
 * Postgres SQL) as `??`, so that {@link scanPlaceholders} leaves Postgres's jsonb
 * operators alone instead of taking them for placeholders.
 *
 * @example
 * ```ts
 * escapeQuestionMarks(`SELECT * FROM t WHERE doc ? $1 AND note = '?'`)
 * // "SELECT * FROM t WHERE doc ?? $1 AND note = '?'"
 * ```
 */
export function escapeQuestionMarks(sql: string): string {
  return sql.includes('?') ? scan_(sql, 'escape').sql : sql;
}

function scan_(sql: string, mode: 'scan' | 'rewrite' | 'escape'): PlaceholderScan {
  const rewrite = mode !== 'scan';
  let escapes = 0;
  let out = '';
  let copiedUpTo = 0;
  let questionMarks = 0;
  let highestDollar = 0;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'") {
      // E'…' strings allow backslash escapes; plain strings only ''.
      const escaped = i > 0 && (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isIdentChar(sql[i - 2]);
      i = skipQuoted(sql, i, "'", escaped);
    } else if (c === '"' || c === '`') {
      i = skipQuoted(sql, i, c, false);
    } else if (c === '[' && !rewrite) {
      // SQLite's [identifier]; in Postgres '[' is array syntax, so only on SQLite/D1.
      const end = sql.indexOf(']', i + 1);
      i = end === -1 ? n : end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      const num = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (num && !isIdentChar(sql[i - 1])) {
        highestDollar = Math.max(highestDollar, Number(num[1]));
        i += num[0].length;
      } else if (tag && !isIdentChar(sql[i - 1])) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
      } else {
        i++;
      }
    } else if (c === '?' && mode === 'escape') {
      out += sql.slice(copiedUpTo, i + 1) + '?';
      copiedUpTo = i + 1;
      escapes++;
      i++;
    } else if (c === '?' && rewrite && sql[i + 1] === '?') {
      out += sql.slice(copiedUpTo, i + 1);
      copiedUpTo = i + 2;
      escapes++;
      i += 2;
    } else if (c === '?') {
      questionMarks++;
      if (rewrite) {
        out += sql.slice(copiedUpTo, i) + '$' + questionMarks;
        copiedUpTo = i + 1;
      }
      i++;
    } else {
      i++;
    }
  }
  if (rewrite && questionMarks > 0 && highestDollar > 0) {
    throw new ParameterError(
      'The statement mixes `?` and `$n` placeholders. Use one style: `?` works on every engine.',
      { dialect: 'postgres', sql },
    );
  }
  const changed = rewrite && (questionMarks > 0 || escapes > 0);
  return { sql: changed ? out + sql.slice(copiedUpTo) : sql, questionMarks, highestDollar };
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}
