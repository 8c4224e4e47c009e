import { SqlTokenizer } from './sql-tokenizer';

/** What a statement does, as far as routing and replication are concerned. */
export type StatementKind = 'read' | 'write' | 'transaction-control' | 'schema';

const LEADING_NOISE = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/;

/**
 * Classifies a statement by its first keyword. `WITH … INSERT/UPDATE/DELETE` and
 * `SELECT … FOR UPDATE` are not reads; anything unrecognised is treated as a write,
 * so a dual-write adapter errs on the side of sending it to both databases.
 *
 * @example
 * ```ts
 * statementKind('SELECT 1')                                   // 'read'
 * statementKind('WITH x AS (SELECT 1) DELETE FROM t')         // 'write'
 * ```
 */
export function statementKind(sql: string): StatementKind {
  // Apps send the same few texts again and again, and a write is classified several times on its way.
  let kind = kinds.get(sql);
  if (kind === undefined) {
    kind = classify(sql);
    // Long texts (values written into the SQL) are not kept: they rarely come again.
    if (sql.length <= KIND_CACHE_TEXT) {
      if (kinds.size >= KIND_CACHE_SIZE) kinds.delete(kinds.keys().next().value as string);
      kinds.set(sql, kind);
    }
  }
  return kind;
}

const KIND_CACHE_SIZE = 1000;
const KIND_CACHE_TEXT = 4096;
const kinds = new Map<string, StatementKind>();

function classify(sql: string): StatementKind {
  const body = withoutLeadingComments(sql);
  const word = /^[A-Za-z]+/.exec(body)?.[0]?.toUpperCase() ?? '';
  switch (word) {
    case 'EXPLAIN':
      return explainedKind(body);
    case 'SELECT':
      // `SELECT … INTO t` is Postgres's `CREATE TABLE t AS SELECT …`.
      if (/\bINTO\b/i.test(body) && selectInto(body)) return 'schema';
    // falls through
    case 'VALUES':
    case 'SHOW':
    case 'TABLE':
      return inCode(body, LOCKING) ? 'write' : 'read';
    case 'WITH':
      if (inCode(body, WRITING) || inCode(body, LOCKING)) return 'write';
      // `WITH … SELECT … INTO t` creates its table as `SELECT … INTO t` does.
      return /\bINTO\b/i.test(body) && selectInto(body) ? 'schema' : 'read';
    case 'PRAGMA':
      return body.includes('=') ? 'schema' : 'read';
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK':
    case 'SAVEPOINT':
    case 'RELEASE':
    case 'END':
    case 'START':
      return 'transaction-control';
    case 'CREATE':
    case 'ALTER':
    case 'DROP':
    case 'TRUNCATE':
    case 'COMMENT':
    case 'GRANT':
    case 'REVOKE':
    case 'REINDEX':
    case 'VACUUM':
    case 'ANALYZE':
      return 'schema';
    default:
      return 'write';
  }
}

const LOCKING = /\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b/i;
const WRITING = /\b(?:INSERT|UPDATE|DELETE|MERGE)\b/i;

/**
 * Whether `pattern` matches the statement's own words, not what a string, a quoted name or
 * a comment holds (`SELECT 'for update'` reads). The text is read token by token only when
 * it matches somewhere.
 */
function inCode(body: string, pattern: RegExp): boolean {
  if (!pattern.test(body)) return false;
  const tokens = new SqlTokenizer(body);
  const words: string[] = [];
  while (tokens.next()) if (tokens.kind === 'word' || tokens.kind === 'punct') words.push(tokens.text);
  return pattern.test(words.join(' '));
}

/** Where a Postgres `SELECT … INTO` names its new table: see {@link selectInto}. */
export interface SelectInto {
  /** Offset of `INTO`. */
  start: number;
  /** Offset just past the table's name. */
  end: number;
  /** The table's name as written (quoted, schema-qualified). */
  table: string;
  /** `INTO TEMP` / `TEMPORARY`: a table of the session. */
  temporary: boolean;
}

/**
 * The new table of a Postgres `SELECT … INTO [TEMP | UNLOGGED] [TABLE] name FROM …`, which
 * creates it as `CREATE TABLE name AS SELECT …` does, after a `WITH` list too; `undefined`
 * for any other statement. Only an `INTO` outside parentheses counts (a subquery cannot
 * create a table).
 *
 * @example
 * ```ts
 * selectInto('SELECT id INTO TEMP recent FROM t')?.table; // 'recent'
 * ```
 */
export function selectInto(sql: string): SelectInto | undefined {
  const tokens = new SqlTokenizer(sql);
  const word = () => (tokens.kind === 'word' ? tokens.text.toUpperCase() : '');
  if (!tokens.next()) return undefined;
  let depth = 0;
  if (word() === 'WITH') {
    // The WITH list's queries are in parentheses: the first statement word outside them is the main one.
    for (;;) {
      if (!tokens.next()) return undefined;
      if (tokens.kind === 'punct') depth += tokens.text === '(' ? 1 : tokens.text === ')' ? -1 : 0;
      else if (depth === 0 && MAIN_WORDS.has(word())) break;
    }
  }
  if (word() !== 'SELECT') return undefined;
  while (tokens.next()) {
    if (tokens.kind === 'punct') depth += tokens.text === '(' ? 1 : tokens.text === ')' ? -1 : 0;
    if (depth > 0 || word() !== 'INTO') continue;
    const start = tokens.start;
    let temporary = false;
    for (;;) {
      if (!tokens.next()) return undefined;
      const w = word();
      if (w === 'TEMP' || w === 'TEMPORARY') temporary = true;
      else if (w !== 'LOCAL' && w !== 'GLOBAL' && w !== 'UNLOGGED' && w !== 'TABLE') break;
    }
    const nameStart = tokens.start;
    let end = tokens.end;
    while (tokens.next() && tokens.kind === 'punct' && tokens.text === '.' && tokens.next()) end = tokens.end;
    return { start, end, table: sql.slice(nameStart, end), temporary };
  }
  return undefined;
}

/** The words a statement after a `WITH` list starts with. */
const MAIN_WORDS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'VALUES', 'TABLE']);

/**
 * Postgres's `EXPLAIN ANALYZE` (or `EXPLAIN (ANALYZE, …)`) runs the statement it explains:
 * an explained `INSERT` writes its rows, so it is what that statement is. Any other `EXPLAIN`
 * only plans, and reads.
 */
const EXPLAIN_ANALYZE = /^EXPLAIN\s+(?:ANALY[SZ]E\b(?:\s+VERBOSE\b)?|\((?:[^()]*,)?\s*ANALY[SZ]E\b(?!\s+(?:false|off|0)\b)[^()]*\))\s*/i;

function explainedKind(body: string): StatementKind {
  const analyze = EXPLAIN_ANALYZE.exec(body);
  if (!analyze) return 'read';
  const explained = classify(body.slice(analyze[0].length));
  return explained === 'read' ? 'read' : 'write';
}

/**
 * The statement without the whitespace and comments before its first keyword: tools put a
 * trace comment there (`/* traceparent=… *\/`), and query files a `-- name: …` line.
 *
 * @example
 * ```ts
 * withoutLeadingComments('-- name: AddUser\nINSERT INTO users (email) VALUES (?)') // 'INSERT INTO users (email) VALUES (?)'
 * ```
 */
export function withoutLeadingComments(sql: string): string {
  return sql.replace(LEADING_NOISE, '');
}

/** True when the statement changes data or schema (anything but a plain read). */
export function isWriteStatement(sql: string): boolean {
  const kind = statementKind(sql);
  return kind === 'write' || kind === 'schema';
}
