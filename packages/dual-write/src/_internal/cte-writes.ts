/**
 * Reading a Postgres statement whose `WITH` list writes rows (`WITH p AS (INSERT … RETURNING
 * id) INSERT INTO child … SELECT id … FROM p`, or the archiving move `WITH moved AS (DELETE …
 * RETURNING *) INSERT INTO archive SELECT * FROM moved`): where each part starts and ends,
 * and which parts write. `cte-capture.ts` rewrites it so that it names every row it wrote.
 */
import { SqlTokenizer, withoutLeadingComments, type SqlTokenKind } from '@switchyard/core';
import { BoundedCache } from './bounded-cache';
import { parseWrite, type ParsedWrite } from './write-parse';

/** A token with where it stands in the text, and its parenthesis depth. */
export interface Lexeme {
  kind: SqlTokenKind;
  text: string;
  start: number;
  end: number;
  depth: number;
}

/** One entry of the `WITH` list. */
export interface CommonTable {
  /** Its name as written (quoted or bare), where it starts, and its column list as written, if any. */
  name: string;
  start: number;
  columns?: string;
  /** `MATERIALIZED` / `NOT MATERIALIZED` as written, or empty. */
  materialized: string;
  /** The body inside its parentheses, from its first token to the end of its last. */
  body: { start: number; end: number };
  /** The write it holds; `undefined` for a read. */
  write?: ParsedWrite;
  /** The body's tokens, at depth 0 for its own clauses. */
  lexemes: Lexeme[];
}

/** A statement with writes in its `WITH` list, in parts. */
export interface WritingCommonTables {
  recursive: boolean;
  tables: CommonTable[];
  /** The statement after the list: a write (`write` set) or a read, and its tokens. */
  main: { start: number; end: number; write?: ParsedWrite; lexemes: Lexeme[] };
}

const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
const READS = new Set(['SELECT', 'VALUES', 'TABLE']);

/** Each text's reading is kept: apps send the same few texts again and again. */
const read = new BoundedCache<string, WritingCommonTables | string | null>(500);

/**
 * `sql` in parts when it is one statement whose `WITH` list writes rows; why it cannot be
 * read so (a `MERGE`, a `SEARCH`/`CYCLE` clause, several statements); `undefined` when its
 * list only reads (the statement after it is then captured as any other write).
 *
 * @example
 * ```ts
 * const parts = writingCommonTables('WITH p AS (INSERT INTO parent (name) VALUES (?) RETURNING id) INSERT INTO child (parent_id) SELECT id FROM p');
 * // parts.tables[0].write.table === 'parent', parts.main.write.table === 'child'
 * ```
 */
export function writingCommonTables(sql: string): WritingCommonTables | string | undefined {
  let found = read.get(sql);
  if (found === undefined) read.set(sql, (found = readParts(sql) ?? null));
  return found ?? undefined;
}

/** Whether `sql` may start with a `WITH` list (a cheap test before {@link writingCommonTables}). */
export function mayWriteInCommonTables(sql: string): boolean {
  return /^WITH\b/i.test(withoutLeadingComments(sql));
}

function readParts(sql: string): WritingCommonTables | string | undefined {
  const all = lex(sql);
  // A statement that writes only after its list is captured as any other write.
  if (!all.some((t) => t.depth > 0 && t.kind === 'word' && WRITES.has(t.text.toUpperCase()))) return undefined;
  while (all.at(-1)?.text === ';' && all.at(-1)?.kind === 'punct') all.pop();
  if (all.some((t) => t.text === ';' && t.kind === 'punct')) return 'several statements in one string';
  const word = (i: number) => (all[i]?.kind === 'word' ? all[i]!.text.toUpperCase() : '');
  if (word(0) !== 'WITH') return undefined;
  let i = 1;
  const recursive = word(1) === 'RECURSIVE';
  if (recursive) i++;
  const tables: CommonTable[] = [];
  for (;;) {
    const head = all[i];
    if (!head || (head.kind !== 'word' && head.kind !== 'quoted')) return 'a WITH list it cannot read';
    const table: Partial<CommonTable> = { name: head.text, start: head.start, materialized: '' };
    i++;
    if (all[i]?.text === '(') {
      const close = closing(all, i);
      if (close < 0) return 'a WITH list it cannot read';
      table.columns = sql.slice(all[i]!.start, all[close]!.end);
      i = close + 1;
    }
    if (word(i) !== 'AS') return 'a WITH list it cannot read';
    i++;
    const matStart = i;
    while (word(i) === 'NOT' || word(i) === 'MATERIALIZED') i++;
    table.materialized = i > matStart ? sql.slice(all[matStart]!.start, all[i - 1]!.end) : '';
    if (all[i]?.text !== '(') return 'a WITH list it cannot read';
    const close = closing(all, i);
    if (close <= i + 1) return 'a WITH list it cannot read';
    const lexemes = all.slice(i + 1, close).map((t) => ({ ...t, depth: t.depth - 1 }));
    table.body = { start: lexemes[0]!.start, end: lexemes.at(-1)!.end };
    table.lexemes = lexemes;
    const kind = partKind(lexemes);
    if (kind === 'unknown') return 'a WITH entry that is neither a read nor an INSERT, UPDATE or DELETE (MERGE, say)';
    if (kind === 'write') {
      const write = parseWrite(sql.slice(table.body.start, table.body.end));
      if (!write) return 'a write in its WITH list it cannot read';
      table.write = write;
    }
    tables.push(table as CommonTable);
    i = close + 1;
    if (all[i]?.text === ',') {
      i++;
      continue;
    }
    break;
  }
  const lexemes = all.slice(i);
  if (lexemes.length === 0) return 'a WITH list without a statement after it';
  const kind = partKind(lexemes);
  // A write inside what follows a list that reads (after a SEARCH or CYCLE clause, say) is not read.
  if (!tables.some((t) => t.write)) return kind === 'unknown' ? 'a WITH list it cannot read' : undefined;
  if (kind === 'unknown') return 'a statement after its WITH list that is neither a read nor an INSERT, UPDATE or DELETE';
  const main: WritingCommonTables['main'] = { start: lexemes[0]!.start, end: lexemes.at(-1)!.end, lexemes };
  if (kind === 'write') {
    const write = parseWrite(sql.slice(main.start, main.end));
    if (!write) return 'a write after its WITH list it cannot read';
    main.write = write;
  }
  return { recursive, tables, main };
}

/** A part's first word decides: a read may not hold a write anywhere inside it. */
function partKind(lexemes: readonly Lexeme[]): 'read' | 'write' | 'unknown' {
  const first = lexemes[0]?.kind === 'word' ? lexemes[0].text.toUpperCase() : '';
  const writesInside = lexemes.some((t, n) => n > 0 && t.kind === 'word' && WRITES.has(t.text.toUpperCase()));
  if (READS.has(first)) return writesInside ? 'unknown' : 'read';
  if (first === 'MERGE' || !WRITES.has(first)) return 'unknown';
  return 'write';
}

/** The index of the `)` that closes the `(` at `open`, or -1. */
function closing(tokens: readonly Lexeme[], open: number): number {
  const depth = tokens[open]!.depth;
  for (let i = open + 1; i < tokens.length; i++) if (tokens[i]!.text === ')' && tokens[i]!.depth === depth) return i;
  return -1;
}

/** Postgres's tokens of `sql`, each with its place and depth (`(` and `)` at the depth outside them). */
function lex(sql: string): Lexeme[] {
  const out: Lexeme[] = [];
  const lexer = new SqlTokenizer(sql, { brackets: false });
  let depth = 0;
  while (lexer.next()) {
    const text = lexer.text;
    if (lexer.kind === 'punct' && text === ')') depth--;
    out.push({ kind: lexer.kind, text, start: lexer.start, end: lexer.end, depth });
    if (lexer.kind === 'punct' && text === '(') depth++;
  }
  return out;
}
