import { quoteIdentifier, type DatabaseAdapter, type DialectName, type ExecResult, type Statement, type TableInfo } from '@switchyard/core';
import type { MirrorOp } from '../mirror/mirror-op';
import type { SideStatement } from './replication-types';
import type { TablesReader } from './translated-definitions';
import { readOnce, secondaryForms } from './translated-forms';
import { parseWriteCached } from './write-parse';

/**
 * Why a write in the same batch as a definition of its table goes as a statement: its capture
 * would be planned and read for the table as it was before (a column the batch adds would be
 * left out of its rows), and a primary without transactions (D1) cannot read them mid-batch.
 * A primary with transactions runs such a batch as one, reading its rows as it left them.
 */
export const WRITTEN_AFTER_DEFINITION =
  'a write in the same batch as a definition of its table, on a primary without transactions: replayed as a statement, in the batch order';

/**
 * An `INSERT … VALUES` replayed as a statement that leaves its rowid key to the engine (on
 * D1, a batch's write after a definition of its table, see `WRITTEN_AFTER_DEFINITION`), with
 * the keys the primary gave its rows written into it: the secondary must not number them
 * itself (its generator stands elsewhere, and the rows would clash with rows it has or get
 * other keys than the primary's). The primary reported its last key (`lastInsertId`); the
 * rows of one `INSERT` take consecutive rowids, so when it wrote every row it lists, the keys
 * are known. `undefined` (the statement replays as written) for anything else: a key given,
 * an `INSERT … SELECT`, a conflict clause (a row may have been skipped or updated instead),
 * `RETURNING`, a key that is not the rowid.
 */
export function pinnedInsertKeys(
  statement: Statement,
  table: TableInfo | undefined,
  result: ExecResult,
  to: DialectName,
): Statement | undefined {
  const parsed = parseWriteCached(statement.sql);
  if (!parsed || parsed.verb !== 'insert' || parsed.replaces || parsed.orClause || parsed.returning || parsed.commonTables)
    return undefined;
  if (!table || table.primaryKey.length !== 1 || !parsed.columns || result.lastInsertId === undefined) return undefined;
  const key = table.primaryKey[0]!;
  const column = table.columns.find((c) => c.name === key);
  if (!column || !/^INTEGER$/i.test(column.declaredType.trim())) return undefined;
  if (parsed.columns.some((c) => c.toLowerCase() === key.toLowerCase())) return undefined;
  const shape = insertShape(statement.sql);
  if (!shape || shape.rows.length !== result.rowsAffected) return undefined;
  const last = BigInt(result.lastInsertId);
  let sql = statement.sql;
  // From the end, so that the offsets before stay right.
  for (const [n, close] of [...shape.rows.entries()].reverse())
    sql = `${sql.slice(0, close)}, ${last - BigInt(shape.rows.length - 1 - n)}${sql.slice(close)}`;
  // Postgres takes a key for an identity column declared GENERATED ALWAYS only so.
  const overriding = to === 'postgres' ? ' OVERRIDING SYSTEM VALUE' : '';
  sql = `${sql.slice(0, shape.columnsClose)}, ${quoteIdentifier(key)})${overriding}${sql.slice(shape.columnsClose + 1)}`;
  return { sql, params: statement.params ?? [] };
}

/**
 * What the secondary runs for a statement replayed after the primary ran it (see
 * `secondaryForms`): for a write in the same batch as a definition of its table, an `INSERT`
 * that left its rowid key to a SQLite or D1 primary with the keys the primary gave its rows
 * ({@link pinnedInsertKeys}). Other replays of such an `INSERT` do not occur (it is captured),
 * so the tables are read only for a batch that defines some.
 */
export async function replayedForms(
  parts: Parameters<typeof secondaryForms>[0],
  primary: TablesReader,
  step: { secondary: SideStatement; reason: string },
  result: ExecResult,
  to: DialectName,
): Promise<Statement[]> {
  const forms = await secondaryForms(parts, primary, step);
  if (step.reason !== WRITTEN_AFTER_DEFINITION || forms.length !== 1 || forms[0] !== step.secondary) return forms;
  return [await withPinnedKeys(primary, step.secondary, result, to)];
}

/**
 * The same for a D1 outbox entry, written in the write's own batch before the keys were
 * known: right after the batch, each `INSERT` in the entry's `statements` that left its keys
 * to D1 and has its result in `results` (those written after a definition of their table)
 * gets them (`json_set`, which keeps every other value's text). Should the writer stop in
 * between, the drain sends the statement as written, as before.
 */
export async function pinAfterWrite(
  primary: DatabaseAdapter,
  outbox: string,
  op: MirrorOp,
  results: readonly (ExecResult | undefined)[],
  to: DialectName,
): Promise<void> {
  const tables = readOnce(primary);
  const paths: unknown[] = [];
  for (const [i, statement] of op.statements.entries()) {
    const result = results[i];
    if (!result) continue;
    const pinned = await withPinnedKeys(tables, statement, result, to);
    if (pinned !== statement) paths.push(`$.statements[${i}].sql`, pinned.sql);
  }
  if (paths.length === 0) return;
  const pairs = Array.from({ length: paths.length / 2 }, () => '?, ?').join(', ');
  await primary
    .execute(`UPDATE ${outbox} SET payload = json_set(payload, ${pairs}) WHERE op_id = ?`, [...paths, op.opId])
    .catch(() => undefined);
}

/** {@link pinnedInsertKeys} of a replayed statement, its table read from the primary as the write left it; else the statement. */
async function withPinnedKeys(primary: TablesReader, statement: Statement, result: ExecResult, to: DialectName): Promise<Statement> {
  const parsed = parseWriteCached(statement.sql);
  // Only SQLite and D1 number the rows of one INSERT one after the other.
  if (primary.dialect === 'postgres' || parsed?.verb !== 'insert' || result.lastInsertId === undefined) return statement;
  const name = parsed.table.toLowerCase();
  const table = (await primary.introspect().catch(() => [])).find((t) => t.name.toLowerCase() === name);
  return pinnedInsertKeys(statement, table, result, to) ?? statement;
}

/**
 * Where an `INSERT INTO t (…) VALUES (…), (…)` closes its column list and each row, by
 * offset in `sql`; `undefined` when it is not that shape (anything after the rows, a
 * `SELECT`, `DEFAULT VALUES`).
 */
function insertShape(sql: string): { columnsClose: number; rows: number[] } | undefined {
  const parts = scan(sql);
  const into = parts.findIndex((p) => p.word === 'INTO');
  const open = parts.findIndex((p, i) => i > into && p.char === '(');
  if (into < 0 || open < 0 || parts.slice(into + 1, open).filter((p) => p.word).length > 1) return undefined;
  const columnsClose = parts.find((p, i) => i > open && p.char === ')' && p.depth === 0);
  if (!columnsClose) return undefined;
  let i = parts.indexOf(columnsClose) + 1;
  if (parts[i]?.word !== 'VALUES') return undefined;
  const rows: number[] = [];
  for (i++; parts[i]?.char === '(';) {
    const close = parts.findIndex((p, at) => at > i && p.char === ')' && p.depth === 0);
    if (close < 0) return undefined;
    rows.push(parts[close]!.at);
    i = close + 1;
    if (parts[i]?.char === ',') i++;
  }
  // Nothing may follow the rows (ON CONFLICT, RETURNING), but a semicolon.
  const rest = parts.slice(i).filter((p) => p.char !== ';');
  return rows.length > 0 && rest.length === 0 ? { columnsClose: columnsClose.at, rows } : undefined;
}

/** The statement's words (upper case) and punctuation with their parenthesis depth and offsets; a string or quoted name is one empty word (its end's offset), comments are skipped. */
function scan(sql: string): { at: number; depth: number; word?: string; char?: string }[] {
  const out: { at: number; depth: number; word?: string; char?: string }[] = [];
  let depth = 0;
  for (let i = 0; i < sql.length;) {
    const c = sql[i]!;
    const close = { "'": "'", '"': '"', '`': '`', '[': ']' }[c];
    if (close) {
      let end = sql.indexOf(close, i + 1);
      while (end >= 0 && close !== ']' && sql[end + 1] === close) end = sql.indexOf(close, end + 2);
      i = end < 0 ? sql.length : end + 1;
      out.push({ at: i, depth, word: '' });
      continue;
    }
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 64))?.[0];
    if (word) {
      out.push({ at: i, depth, word: word.toUpperCase() });
      i += word.length;
      continue;
    }
    if (c === ')') depth--;
    if (!/\s/.test(c)) out.push({ at: i, depth, char: c });
    if (c === '(') depth++;
    i++;
  }
  return out;
}
