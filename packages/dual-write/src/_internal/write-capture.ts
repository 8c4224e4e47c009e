import { quoteIdentifier as quote, type DialectName, type ExecResult, type Row, type Statement, type TableInfo } from '@switchyard/core';
import { nameAt, rowRefsOf, tokenize, type RowRef, type Token } from '../row-ref';
import { BoundedCache } from './bounded-cache';
import { asInsertId, insertIdColumn } from './insert-id';
import { capturingSql, splitAliased } from './captured-aliases';

/** The parts of a write statement that decide how it is replicated. */
export interface ParsedWrite {
  verb: 'insert' | 'update' | 'delete';
  /** The target table's name as written (last part of a qualified name). */
  table: string;
  /** The alias the statement gives the target table, as SQL names it: quoted when it was written quoted, else bare (Postgres folds it to lower case). */
  alias?: string;
  /** The statement has a top-level RETURNING clause of its own. */
  returning: boolean;
  /** `INSERT OR REPLACE` / `REPLACE INTO`, or `ON CONFLICT … DO UPDATE` (with its target columns). */
  replaces: boolean;
  conflictTarget?: string[];
  /** Columns an UPDATE assigns; `undefined` when they cannot be read. */
  assigned?: string[];
  /** Columns an INSERT lists. */
  columns?: string[];
  /** The SQL without a trailing semicolon. */
  sql: string;
}

/**
 * How a write runs on the primary so that it also returns every row it left: the app's
 * statement with a `RETURNING` clause that yields whole rows (appended to the app's own
 * clause under private aliases), and how to split the result back.
 */
export interface CapturePlan {
  parsed: ParsedWrite;
  /** The primary's table. */
  table: TableInfo;
  /** The statement as the app wrote it. */
  source: Statement;
  /** The statement as it runs on the primary, capture clause included. */
  statement: Statement;
  /** Column names behind the aliases `__sy_0`, `__sy_1`, … when the app's own RETURNING is kept. */
  aliases?: string[];
  /**
   * The rows the statement names by full primary key, locked before it runs; `undefined`
   * when it may touch rows it does not name (the table is locked instead).
   */
  named?: RowRef[];
  /** Only inserts new rows with generated keys: it cannot touch a row another write holds. */
  newRowsOnly: boolean;
  /** The app has sent this text often enough that the primary may keep it prepared. */
  repeated: boolean;
}

const NOT_ALIAS = new Set([
  'SET',
  'WHERE',
  'USING',
  'RETURNING',
  'DEFAULT',
  'VALUES',
  'SELECT',
  'ORDER',
  'LIMIT',
  'INDEXED',
  'NOT',
  'ON',
  'FROM',
  'WITH',
  'OVERRIDING',
]);

/**
 * Reads the target table and clauses of an `INSERT`/`UPDATE`/`DELETE`, or `undefined`
 * for anything else (`WITH … `, `MERGE`, several statements in one string).
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
    i = word(1) === 'OR' ? 3 : 1;
  } else if (word(0) === 'DELETE' && word(1) === 'FROM') {
    verb = 'delete';
    i = 2;
  } else return undefined;
  if (word(i) === 'ONLY') i++;
  const target = nameAt(tokens, i);
  if (!target) return undefined;
  const parsed: ParsedWrite = { verb, table: target.name, returning: false, replaces, sql: text };
  let next = target.next;
  let aliasAt = -1;
  if (word(next) === 'AS') aliasAt = next + 1;
  else if ((tokens[next]?.kind === 'word' || tokens[next]?.kind === 'ident') && !NOT_ALIAS.has(tokens[next]!.text.toUpperCase()))
    aliasAt = next;
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
  return parsed;
}

/** What a capture plan keeps from one SQL text on one table: all but its parameters. */
interface CaptureTemplate {
  parsed: ParsedWrite;
  sql: string;
  aliases?: string[];
  touchesOnlyNamed: boolean;
  newRowsOnly: boolean;
  tokens: readonly Token[];
  uses: number;
}

/** Uses of a text after which it counts as repeated: a one-off text never takes a prepared slot. */
const REPEATED_AFTER = 3;

/**
 * Apps send the same few statement texts again and again: their parse and their capture
 * SQL are kept per text (a bounded number of texts), and per table definition, so a
 * changed table (a new `TableInfo` after a schema change) never reuses an old plan.
 */
const parsedTexts = new BoundedCache<string, ParsedWrite | null>(2000);
const templates = new WeakMap<TableInfo, Partial<Record<DialectName, BoundedCache<string, CaptureTemplate | string>>>>();

/** `parseWrite` for a statement text seen before, from the cache. */
export function parseWriteCached(sql: string): ParsedWrite | undefined {
  let parsed = parsedTexts.get(sql);
  if (parsed === undefined) parsedTexts.set(sql, (parsed = parseWrite(sql) ?? null));
  return parsed ?? undefined;
}

/**
 * The capture plan for a write on a table the primary has with a primary key, or a
 * reason it must be replicated by statement instead. `withNamed: false` leaves out the
 * rows it names, for a caller that takes no row locks.
 */
export function planCapture(
  statement: Statement,
  table: TableInfo | undefined,
  dialect: DialectName,
  parsed = parseWriteCached(statement.sql),
  withNamed = true,
): CapturePlan | string {
  if (!parsed) return 'not a single INSERT, UPDATE or DELETE';
  if (!table) return `no table ${parsed.table} on the primary`;
  let byDialect = templates.get(table);
  if (!byDialect) templates.set(table, (byDialect = {}));
  const byText = (byDialect[dialect] ??= new BoundedCache(500));
  let template = byText.get(statement.sql);
  if (template === undefined) byText.set(statement.sql, (template = captureTemplate(parsed, table, dialect)));
  if (typeof template === 'string') return template;
  template.uses++;
  const plan: CapturePlan = {
    parsed: template.parsed,
    table,
    source: statement,
    statement: { sql: template.sql, params: statement.params ?? [] },
    newRowsOnly: template.newRowsOnly,
    repeated: template.uses >= REPEATED_AFTER,
  };
  if (template.aliases) plan.aliases = template.aliases;
  if (withNamed && template.touchesOnlyNamed) {
    const named = rowRefsOf(
      { sql: template.parsed.sql, params: statement.params ?? [] },
      { [table.name]: table.primaryKey },
      template.tokens,
    );
    if (named) plan.named = named;
  }
  return plan;
}

function captureTemplate(parsed: ParsedWrite, table: TableInfo, dialect: DialectName): CaptureTemplate | string {
  if (table.primaryKey.length === 0) return `${table.name} has no primary key`;
  const key = new Set(table.primaryKey.map((c) => c.toLowerCase()));
  if (parsed.verb === 'update' && (!parsed.assigned || parsed.assigned.some((c) => key.has(c.toLowerCase())))) {
    return 'an UPDATE that may change a primary key';
  }
  const { sql, aliases } = capturingSql(parsed, table, dialect);
  // An upsert on another unique column, or SQLite's REPLACE, may change a row it does not name.
  const touchesOnlyNamed =
    !parsed.replaces || (parsed.conflictTarget !== undefined && sameColumns(parsed.conflictTarget, table.primaryKey));
  const listsKey = parsed.columns?.some((c) => key.has(c.toLowerCase())) ?? false;
  const newRowsOnly = parsed.verb === 'insert' && !parsed.replaces && !listsKey;
  const template: CaptureTemplate = { parsed, sql, touchesOnlyNamed, newRowsOnly, tokens: tokenize(parsed.sql), uses: 0 };
  if (aliases) template.aliases = aliases;
  return template;
}

/**
 * Splits a captured result into what the app asked for (its own RETURNING rows, or
 * none) and the rows as the primary left them. `rowsAffected` is the number of rows
 * returned, which is what the statement changed.
 */
export function splitCaptured(plan: CapturePlan, result: ExecResult): { app: ExecResult; images: Row[] } {
  const rows = result.rows ?? [];
  let images: Row[];
  const app: ExecResult = { rowsAffected: rows.length };
  if (plan.aliases) {
    ({ images, app: app.rows } = splitAliased(rows, plan.aliases));
  } else {
    images = rows;
    app.rows = [];
  }
  const id = insertedId(plan, images);
  if (id !== undefined) app.lastInsertId = id;
  else if (result.lastInsertId !== undefined) app.lastInsertId = result.lastInsertId;
  return { app, images };
}

/** The key of the last row an INSERT into a single integer key created, on every engine. */
function insertedId(plan: CapturePlan, images: Row[]): ExecResult['lastInsertId'] {
  const column = insertIdColumn(plan.table, plan.parsed.verb);
  return column === undefined || images.length === 0 ? undefined : asInsertId(images.at(-1)![column]);
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

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  const left = a.map((c) => c.toLowerCase()).sort();
  const right = b.map((c) => c.toLowerCase()).sort();
  return left.length === right.length && left.every((c, i) => c === right[i]);
}
