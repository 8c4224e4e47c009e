import { ParameterError } from './errors';
import { SqlTokenizer } from './sql-tokenizer';

/** What a scan of a statement's text found. */
export interface PlaceholderScan {
  /** The statement with `?` and `?NNN` rewritten to `$n` (Postgres), or unchanged. */
  sql: string;
  /** Number of `?` and `?NNN` placeholders outside literals, identifiers and comments. */
  questionMarks: number;
  /**
   * Parameters the `?` placeholders consume, numbered as SQLite numbers them: `?NNN` is
   * parameter NNN, a bare `?` the one after the largest number used so far. Equals
   * `questionMarks` when every placeholder is a bare `?`; `SELECT ?1, ?1` needs 1.
   */
  parameterCount: number;
  /** True when some placeholder is numbered (`?NNN`). */
  numbered: boolean;
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
 * Finds the `?` and `?NNN` placeholders of a statement, skipping string literals (`'…'`,
 * `E'…'`), quoted identifiers (`"…"`, `` `…` ``, `[…]`), comments (`-- …`, nested
 * `/* … *\/`) and dollar-quoted bodies (`$tag$ … $tag$`). With `rewrite: true`, returns
 * the text for Postgres: `?NNN` becomes `$NNN`, and a bare `?` becomes `$n` with n one
 * past the largest number used so far, as SQLite and D1 number them; `??` becomes a
 * literal `?` (Postgres's jsonb operators `?`, `?|`, `?&` are written `??`, `??|`, `??&`,
 * as in JDBC). `$n` written by hand passes through.
 *
 * @example
 * ```ts
 * scanPlaceholders("SELECT '?' AS q, id FROM t WHERE id = ?", { rewrite: true }).sql
 * // "SELECT '?' AS q, id FROM t WHERE id = $1"
 * scanPlaceholders('SELECT * FROM t WHERE a = ?2 OR b = ?1 OR c = ?2', { rewrite: true }).sql
 * // 'SELECT * FROM t WHERE a = $2 OR b = $1 OR c = $2'
 * ```
 */
export function scanPlaceholders(sql: string, options: { rewrite: boolean }): PlaceholderScan {
  const long = sql.length > LONG_STATEMENT;
  const cache = long ? (options.rewrite ? longCaches.rewrite : longCaches.scan) : options.rewrite ? caches.rewrite : caches.scan;
  const hit = cache.get(sql);
  if (hit) return hit;
  const scan = scan_(sql, options.rewrite ? '$' : undefined).scan;
  if (cache.size >= (long ? LONG_CACHE_LIMIT : CACHE_LIMIT)) cache.delete(cache.keys().next().value as string);
  cache.set(sql, scan);
  return scan;
}

/**
 * Rewrites `?` and `?NNN` to `$n` for Postgres (see {@link scanPlaceholders}).
 *
 * @example
 * ```ts
 * toPostgresPlaceholders('SELECT ?1, ?1, ?'); // 'SELECT $1, $1, $2'
 * ```
 */
export function toPostgresPlaceholders(sql: string): string {
  return scanPlaceholders(sql, { rewrite: true }).sql;
}

/**
 * Rewrites numbered placeholders to bare `?` and lays the parameters out in placeholder
 * order, for drivers that bind only anonymous parameters (better-sqlite3 takes `?NNN` for
 * a named parameter). A statement without `?NNN` comes back as it is.
 *
 * @example
 * ```ts
 * toAnonymousPlaceholders('SELECT ?2, ?1, ?2', ['a', 'b']);
 * // { sql: 'SELECT ?, ?, ?', params: ['b', 'a', 'b'] }
 * ```
 */
export function toAnonymousPlaceholders(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  if (!scanPlaceholders(sql, { rewrite: false }).numbered) return { sql, params: params as unknown[] };
  const { scan, order } = scan_(sql, '?');
  return { sql: scan.sql, params: order.map((index) => params[index - 1]) };
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
  return sql.includes('?') ? scan_(sql, 'escape').scan.sql : sql;
}

// `rewrite`: 'escape' doubles each `?` of Postgres SQL (see escapeQuestionMarks);
// '$' writes each placeholder as `$n` (Postgres), '?' as a bare `?` (recording
// which parameter each one takes in `order`), undefined leaves the text alone.
function scan_(sql: string, mode: '$' | '?' | 'escape' | undefined): { scan: PlaceholderScan; order: number[] } {
  const rewrite = mode !== undefined;
  let escapes = 0;
  const order: number[] = [];
  let numbered = false;
  let out = '';
  let copiedUpTo = 0;
  let questionMarks = 0;
  let parameterCount = 0;
  let highestDollar = 0;
  // In Postgres text '[' is array syntax; on SQLite and D1 it quotes a name.
  const tokens = new SqlTokenizer(sql, { brackets: mode !== '$' && mode !== 'escape' });
  while (tokens.next()) {
    if (tokens.kind !== 'param') continue;
    const i = tokens.start;
    if (sql[i] === '$') {
      highestDollar = Math.max(highestDollar, tokens.param);
    } else if (mode === 'escape' || (mode === '$' && sql[i + 1] === '?')) {
      // Escaping writes `??` for `?`; rewriting for Postgres reads `??` back as `?`.
      out += sql.slice(copiedUpTo, i + 1) + (mode === 'escape' ? '?' : '');
      copiedUpTo = tokens.position = mode === 'escape' ? i + 1 : i + 2;
      tokens.questionMarkCount = parameterCount;
      escapes++;
    } else {
      questionMarks++;
      const end = tokens.end;
      // `?NNN` names parameter NNN; a bare `?` takes the one after the largest used so far.
      if (end > i + 1) numbered = true;
      const index = tokens.param;
      if (index < 1) {
        throw new ParameterError(`Placeholder ${sql.slice(i, end)} is out of range: numbered placeholders start at ?1.`, { sql });
      }
      parameterCount = tokens.questionMarkCount;
      if (mode === '$') out += sql.slice(copiedUpTo, i) + '$' + index;
      else if (mode === '?') out += sql.slice(copiedUpTo, i) + '?';
      if (rewrite) {
        order.push(index);
        copiedUpTo = end;
      }
    }
  }
  if (mode === '$' && questionMarks > 0 && highestDollar > 0) {
    throw new ParameterError('The statement mixes `?` and `$n` placeholders. Use one style: `?` works on every engine.', {
      dialect: 'postgres',
      sql,
    });
  }
  const text = rewrite && (questionMarks > 0 || escapes > 0) ? out + sql.slice(copiedUpTo) : sql;
  return { scan: { sql: text, questionMarks, parameterCount, numbered, highestDollar }, order };
}
