/**
 * Reading a write statement's target table and clauses from its text: what decides
 * whether it is captured as rows, and how.
 */
import { quoteIdentifier as quote } from '@switchyard/core';
import { aliasIndex, nameAt, tokenize, type Token } from './sql-tokens';
import { BoundedCache } from './bounded-cache';

/** The parts of a write statement that decide how it is replicated. */
export interface ParsedWrite {
  verb: 'insert' | 'update' | 'delete';
  /** The target table's name as written (last part of a qualified name). */
  table: string;
  /** The part before the table's name in a qualified name (a Postgres schema, SQLite's `main`). */
  schema?: string;
  /** The alias the statement gives the target table, as SQL names it: quoted when it was written quoted, else bare (Postgres folds it to lower case). */
  alias?: string;
  /** The statement has a top-level RETURNING clause of its own. */
  returning: boolean;
  /** `INSERT OR REPLACE` / `REPLACE INTO` / `UPDATE OR REPLACE`, or `ON CONFLICT … DO UPDATE` (with its target columns). */
  replaces: boolean;
  /**
   * SQLite's REPLACE: a row an `INSERT OR REPLACE` / `REPLACE INTO` meets under its key is
   * deleted (with its foreign keys' actions), then written; rows holding its unique values
   * under other keys, an `UPDATE OR REPLACE`'s too, are deleted.
   */
  deletesExisting?: boolean;
  conflictTarget?: string[];
  /** SQLite's own conflict resolution after `INSERT OR` / `UPDATE OR`, upper case (`IGNORE`, `REPLACE`, …). */
  orClause?: string;
  /** Postgres `UPDATE ONLY` / `DELETE FROM ONLY`: the tables that inherit the target (INHERITS) are left out. */
  only?: boolean;
  /** Columns an UPDATE assigns; `undefined` when they cannot be read. */
  assigned?: string[];
  /** Columns an INSERT lists. */
  columns?: string[];
  /** The SQL without a trailing semicolon. */
  sql: string;
  /**
   * The statement starts with a `WITH …` list of reads: its filter may name them, so it is
   * never run again apart from the statement (a key move it makes is replayed as written).
   */
  commonTables?: boolean;
}

/**
 * Reads the target table and clauses of an `INSERT`/`UPDATE`/`DELETE`, after a leading
 * `WITH …` list that only reads, or `undefined` for anything else (a `WITH` that writes,
 * `MERGE`, several statements in one string).
 *
 * @example
 * ```ts
 * parseWrite('UPDATE users u SET name = ? WHERE id = ?'); // { verb: 'update', table: 'users', alias: 'u', … }
 * ```
 */
export function parseWrite(sql: string): ParsedWrite | undefined {
  const tokens = tokenize(sql);
  const semicolons = tokens.filter((t) => t.text === ';' && t.kind === 'punct');
  let text = sql;
  if (semicolons.length > 0) {
    if (semicolons.length > 1 || tokens.at(-1) !== semicolons[0]) return undefined;
    text = sql.slice(0, sql.lastIndexOf(';'));
    tokens.pop();
  }
  const main = afterCommonTables(tokens);
  if (main === undefined) return undefined;
  tokens.splice(0, main);
  const word = (i: number) => (tokens[i]?.kind === 'word' ? tokens[i]!.text.toUpperCase() : undefined);
  let i: number;
  let verb: ParsedWrite['verb'];
  let replaces = false;
  if (word(0) === 'INSERT' || word(0) === 'REPLACE') {
    verb = 'insert';
    replaces = word(0) === 'REPLACE' || (word(1) === 'OR' && word(2) === 'REPLACE');
    i = tokens.findIndex((t, n) => n < 4 && t.kind === 'word' && t.text.toUpperCase() === 'INTO');
    if (i < 0) return undefined;
    i++;
  } else if (word(0) === 'UPDATE') {
    verb = 'update';
    // `UPDATE OR REPLACE` deletes the rows holding its new unique values under other keys.
    replaces = word(1) === 'OR' && word(2) === 'REPLACE';
    i = word(1) === 'OR' ? 3 : 1;
  } else if (word(0) === 'DELETE' && word(1) === 'FROM') {
    verb = 'delete';
    i = 2;
  } else return undefined;
  const only = word(i) === 'ONLY';
  if (only) i++;
  const target = nameAt(tokens, i);
  if (!target) return undefined;
  const parsed: ParsedWrite = { verb, table: target.name, returning: false, replaces, sql: text };
  if (only) parsed.only = true;
  if (target.schema !== undefined) parsed.schema = target.schema;
  if (replaces) parsed.deletesExisting = true;
  const or = word(0) === 'REPLACE' ? 'REPLACE' : word(1) === 'OR' ? word(2) : undefined;
  if (or) parsed.orClause = or;
  let next = target.next;
  const aliasAt = aliasIndex(tokens, next);
  const alias = tokens[aliasAt];
  if (alias?.text) {
    parsed.alias = alias.kind === 'ident' ? quote(alias.text) : alias.text;
    next = aliasAt + 1;
  }
  parsed.returning = tokens.some((t) => t.depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'RETURNING');
  if (verb === 'insert' && tokens[next]?.text === '(') parsed.columns = namesUntilClose(tokens, next + 1);
  const conflict = tokens.findIndex(
    (t, n) => t.depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'CONFLICT' && word(n - 1) === 'ON',
  );
  if (conflict > 0) {
    const doAt = tokens.findIndex((t, n) => n > conflict && t.depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'DO');
    if (word(doAt + 1) === 'UPDATE') {
      parsed.replaces = true;
      if (tokens[conflict + 1]?.text === '(') parsed.conflictTarget = namesUntilClose(tokens, conflict + 2);
    }
  }
  if (verb === 'update') parsed.assigned = assignedColumns(tokens, next);
  if (main > 0) parsed.commonTables = true;
  return parsed;
}

/** Words that make a common table expression write rows of its own. */
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE']);

/**
 * Where the statement proper starts after a leading `WITH …` list (0 without one), or
 * `undefined` when a common table expression writes rows itself (Postgres's `WITH d AS
 * (DELETE … RETURNING *) INSERT …`): its RETURNING would show the main statement's rows only.
 */
function afterCommonTables(tokens: readonly Token[]): number | undefined {
  if (tokens[0]?.kind !== 'word' || tokens[0].text.toUpperCase() !== 'WITH') return 0;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || !WRITES.has(t.text.toUpperCase())) continue;
    return t.depth === 0 ? i : undefined;
  }
  return undefined;
}

/** Apps send the same few statement texts again and again: each text's parse is kept (a bounded number of texts). */
const parsedTexts = new BoundedCache<string, ParsedWrite | null>(2000);

/** `parseWrite` for a statement text seen before, from the cache. */
export function parseWriteCached(sql: string): ParsedWrite | undefined {
  let parsed = parsedTexts.get(sql);
  if (parsed === undefined) parsedTexts.set(sql, (parsed = parseWrite(sql) ?? null));
  return parsed ?? undefined;
}

function namesUntilClose(tokens: Token[], from: number): string[] {
  const names: string[] = [];
  for (let i = from; i < tokens.length && tokens[i]!.text !== ')'; i++) {
    if (tokens[i]!.kind === 'word' || tokens[i]!.kind === 'ident') names.push(tokens[i]!.text);
  }
  return names;
}

/** Columns assigned after SET: `a = …`, `(a, b) = …`; undefined when the clause cannot be read. */
function assignedColumns(tokens: Token[], from: number): string[] | undefined {
  const set = tokens.findIndex((t, n) => n >= from && t.depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'SET');
  if (set < 0) return undefined;
  const out: string[] = [];
  let expectTarget = true;
  for (let i = set + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.depth === 0 && t.kind === 'word' && ['WHERE', 'FROM', 'RETURNING', 'ORDER', 'LIMIT'].includes(t.text.toUpperCase())) break;
    if (expectTarget && t.text === '(') {
      out.push(...namesUntilClose(tokens, i + 1));
      expectTarget = false;
    } else if (expectTarget && (t.kind === 'word' || t.kind === 'ident')) {
      // `t.col = …`: the last part names the column.
      let name = t.text;
      while (tokens[i + 1]?.text === '.' && tokens[i + 2]) {
        name = tokens[i + 2]!.text;
        i += 2;
      }
      out.push(name);
      expectTarget = false;
    } else if (t.depth === 0 && t.text === ',') expectTarget = true;
  }
  return out;
}
