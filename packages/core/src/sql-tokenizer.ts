/** What a {@link SqlTokenizer} token is. Whitespace and comments are skipped, never tokens. */
export type SqlTokenKind =
  | 'word' // a bare word: keyword or name (`SELECT`, `users`, `a$b`)
  | 'number' // digits, with a fraction (`12`, `1.5`); a sign is a `punct` before it
  | 'string' // a string literal, quotes included (`'it''s'`, `E'a\'b'`)
  | 'quoted' // a quoted identifier, quotes included (`"a b"`, `` `x` ``, `[x]`)
  | 'dollarQuoted' // a Postgres dollar-quoted body, tags included (`$$ … $$`, `$fn$ … $fn$`)
  | 'param' // `?`, `?NNN` or `$N`
  | 'punct'; // any other single character

/** Which SQL syntax a {@link SqlTokenizer} reads. Each defaults to `true`. */
export interface SqlTokenizerOptions {
  /** `[name]` quotes an identifier (SQLite); off, `[` is punctuation (Postgres arrays). */
  brackets?: boolean;
  /** `E'…'` strings take backslash escapes (Postgres). */
  escapeStrings?: boolean;
  /** Block comments nest (Postgres); off, the first `*\/` ends one (SQLite). */
  nestedComments?: boolean;
  /** `$tag$ … $tag$` is a literal (Postgres). */
  dollarQuotes?: boolean;
}

const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?/y;
const DOLLAR_PARAM = /\$([0-9]+)/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

// A character that can continue an identifier: a `$` after one is not a placeholder or a dollar quote.
function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

/**
 * Reads SQL text one token at a time, skipping whitespace and comments, without
 * allocating per token: after each {@link next} the token is `sql.slice(start, end)`.
 * Placeholders are numbered as SQLite numbers them: `?NNN` is parameter NNN, a bare `?`
 * the one after the largest `?` number so far; `$N` is parameter N. Moving `position`
 * resumes the scan elsewhere (to skip a `??` escape, for one).
 *
 * @example
 * ```ts
 * const t = new SqlTokenizer("SELECT '?' FROM t WHERE a = ?2 AND b = ?");
 * while (t.next()) if (t.kind === 'param') console.log(t.text, t.param); // '?2' 2, then '?' 3
 * ```
 */
export class SqlTokenizer {
  /** The text being read. */
  readonly sql: string;
  /** The current token's kind. */
  kind: SqlTokenKind = 'punct';
  /** Where the current token starts. */
  start = 0;
  /** Just past the current token; where the next scan starts unless moved. */
  position = 0;
  /** For a `param`: its 1-based number (0 for `?0`, which no engine accepts). */
  param = 0;
  /** The largest `?` number so far, which the next bare `?` follows. */
  questionMarkCount = 0;
  readonly #brackets: boolean;
  readonly #escapeStrings: boolean;
  readonly #nested: boolean;
  readonly #dollarQuotes: boolean;

  constructor(sql: string, options: SqlTokenizerOptions = {}) {
    this.sql = sql;
    this.#brackets = options.brackets ?? true;
    this.#escapeStrings = options.escapeStrings ?? true;
    this.#nested = options.nestedComments ?? true;
    this.#dollarQuotes = options.dollarQuotes ?? true;
  }

  /** Just past the current token. */
  get end(): number {
    return this.position;
  }

  /** The current token's text. */
  get text(): string {
    return this.sql.slice(this.start, this.position);
  }

  /** Moves to the next token; `false` at the end of the text. */
  next(): boolean {
    const sql = this.sql;
    const n = sql.length;
    let i = this.position;
    for (;;) {
      while (i < n && isSpace(sql.charCodeAt(i))) i++;
      if (i >= n) {
        this.start = this.position = n;
        return false;
      }
      if (sql[i] === '-' && sql[i + 1] === '-') {
        const end = sql.indexOf('\n', i + 2);
        i = end === -1 ? n : end + 1;
      } else if (sql[i] === '/' && sql[i + 1] === '*') {
        i = this.#nested ? skipNestedComment(sql, i) : skipComment(sql, i);
      } else break;
    }
    this.start = i;
    this.position = this.#token(sql, i);
    return true;
  }

  #token(sql: string, i: number): number {
    const c = sql[i]!;
    if (c === "'") return this.#is('string', skipQuoted(sql, i, "'", false));
    if (c === '"' || c === '`') return this.#is('quoted', skipQuoted(sql, i, c, false));
    if (c === '[' && this.#brackets) {
      const end = sql.indexOf(']', i + 1);
      return this.#is('quoted', end === -1 ? sql.length : end + 1);
    }
    if (c === '?') {
      let end = i + 1;
      while (end < sql.length && sql.charCodeAt(end) >= 48 && sql.charCodeAt(end) <= 57) end++;
      this.param = end > i + 1 ? Number(sql.slice(i + 1, end)) : this.questionMarkCount + 1;
      this.questionMarkCount = Math.max(this.questionMarkCount, this.param);
      return this.#is('param', end);
    }
    if (c === '$' && !isIdentChar(sql[i - 1])) {
      DOLLAR_PARAM.lastIndex = i;
      const num = DOLLAR_PARAM.exec(sql);
      if (num) {
        this.param = Number(num[1]);
        return this.#is('param', DOLLAR_PARAM.lastIndex);
      }
      DOLLAR_TAG.lastIndex = i;
      const tag = this.#dollarQuotes ? DOLLAR_TAG.exec(sql) : null;
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        return this.#is('dollarQuoted', end === -1 ? sql.length : end + tag[0].length);
      }
    }
    const code = sql.charCodeAt(i);
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
    if (!letter && !(code >= 48 && code <= 57)) return this.#is('punct', i + 1);
    WORD.lastIndex = i;
    if (letter && WORD.test(sql)) {
      // E'…' is one string, with backslash escapes, where Postgres reads it so.
      const end = WORD.lastIndex;
      if (this.#escapeStrings && end === i + 1 && (c === 'E' || c === 'e') && sql[end] === "'") {
        return this.#is('string', skipQuoted(sql, end, "'", true));
      }
      return this.#is('word', end);
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(sql)) return this.#is('number', NUMBER.lastIndex);
    return this.#is('punct', i + 1);
  }

  #is(kind: SqlTokenKind, end: number): number {
    this.kind = kind;
    return end;
  }
}

function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  return code >= 0xa0 && /\s/.test(String.fromCharCode(code));
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

function skipComment(sql: string, start: number): number {
  const end = sql.indexOf('*/', start + 2);
  return end === -1 ? sql.length : end + 2;
}

function skipNestedComment(sql: string, start: number): number {
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
