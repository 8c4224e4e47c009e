import type { CompiledQuery } from 'kysely';
import { SqlTokenizer, type DatabaseAdapter, type DialectName, type Statement } from '@switchyard/core';
import { sqliteCounterpart } from './engine-counterparts';
import type { SideStatement } from './replication-types';

/**
 * One write as the dual-write adapter carries it to both sides: its statements as
 * each side runs them (compiled separately when they came from the query builder).
 */
export interface WriteOp {
  /** `execute`: one statement; `batch`: atomic statements; `transaction`: a replayed primary transaction. */
  kind: 'execute' | 'batch' | 'transaction';
  /** The SQL for messages and events. */
  label: string;
  /**
   * Statements by side (the adapters' argument order, not their roles), so a
   * `switchPrimary()` between the call and its turn in the write queue changes nothing.
   */
  bySide: [Statement[], Statement[]];
  /** Whether each statement's results are compared under `verifyWrites` (data writes, not DDL). */
  verifiable: boolean[];
  /** Some statement changes the schema: cached column types are stale afterwards. */
  schema: boolean;
  /** Compiled from a builder query, not SQL the app wrote (which a rehearsal observes). */
  compiled: boolean;
}

const family = (dialect: DialectName) => (dialect === 'postgres' ? 'postgres' : 'sqlite');

/**
 * The statement a side runs for a builder query: compiled from the query tree by that
 * side's own Kysely instance, or the SQL already compiled when the dialects match; on
 * SQLite and D1 in {@link abortingForm}.
 */
export function compileFor(side: DatabaseAdapter, compiled: CompiledQuery, compiledFor: DialectName): Statement {
  const own =
    family(side.dialect) === family(compiledFor) ? compiled : side.db.getExecutor().compileQuery(compiled.query, compiled.queryId);
  // Kysely's `orFail()` too runs as OR ABORT (see abortingForm).
  return { sql: side.dialect === 'postgres' ? own.sql : abortingForm(own.sql), params: own.parameters };
}

/**
 * A statement as a side runs it: `$N` placeholders (Postgres's, written by hand) become
 * `?N` on SQLite and D1, which number them the same way. Replayed there as written, `$1`
 * would be a named parameter that a list of values cannot fill, after the primary ran it.
 * There `INSERT OR FAIL` / `UPDATE OR FAIL` run as `OR ABORT` (see {@link abortingForm}), and
 * a Postgres-only statement in its SQLite counterpart, or marked as nothing to run (see
 * {@link sqliteCounterpart}).
 */
export function sideForm(side: DatabaseAdapter, app: Statement): SideStatement {
  if (side.dialect === 'postgres') return app;
  const statement = sqliteCounterpart(app);
  if (statement.idle) return statement;
  const sql = deletingForm(abortingForm(statement.sql));
  if (!sql.includes('$')) return sql === statement.sql ? statement : { ...statement, sql };
  const tokens = new SqlTokenizer(sql);
  let out = '';
  let at = 0;
  while (tokens.next()) {
    if (tokens.kind !== 'param' || sql[tokens.start] !== '$') continue;
    out += `${sql.slice(at, tokens.start)}?${tokens.param}`;
    at = tokens.end;
  }
  if (at > 0) return { ...statement, sql: out + sql.slice(at) };
  return sql === statement.sql ? statement : { ...statement, sql };
}

const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const TRUNCATE = new RegExp(
  String.raw`^\s*TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(?:${NAME}\s*\.\s*)?(${NAME})\s*\*?\s*(?:(?:RESTART|CONTINUE)\s+IDENTITY\s*)?(?:CASCADE|RESTRICT)?\s*;?\s*$`,
  'i',
);

/**
 * Postgres's `TRUNCATE` of one table as SQLite and D1 run it: they have no `TRUNCATE`, and
 * replayed as written it failed there and held every later write back in the journal. As
 * `DELETE FROM` the table: `RESTART IDENTITY` needs nothing (rows arrive with their keys);
 * `CASCADE` reaches the tables that reference it only as far as their own foreign keys
 * cascade (validation shows any rows left). Several tables in one `TRUNCATE` stay as written.
 *
 * @example
 * ```ts
 * deletingForm('TRUNCATE TABLE public.jobs RESTART IDENTITY'); // 'DELETE FROM jobs'
 * ```
 */
export function deletingForm(sql: string): string {
  if (!/^\s*truncate/i.test(sql)) return sql;
  const table = TRUNCATE.exec(sql)?.[1];
  return table ? `DELETE FROM ${table}` : sql;
}

/**
 * SQLite's `INSERT OR FAIL` / `UPDATE OR FAIL` keeps the rows a statement changed before
 * the row that failed, and the app gets only the error: rows no RETURNING shows, so the
 * secondary would never get them. Run as `OR ABORT` instead, a failing statement changes
 * nothing on either side (the transaction around it goes on, as with FAIL); one that
 * succeeds does exactly what it would have. Other statements are returned as they are.
 *
 * @example
 * ```ts
 * abortingForm('INSERT OR FAIL INTO t (id) VALUES (1), (2)'); // 'INSERT OR ABORT INTO t (id) VALUES (1), (2)'
 * ```
 */
export function abortingForm(sql: string): string {
  if (!/fail/i.test(sql)) return sql;
  const tokens = new SqlTokenizer(sql);
  let depth = 0;
  const word = () => (tokens.kind === 'word' ? tokens.text.toUpperCase() : '');
  if (!tokens.next() || !['INSERT', 'UPDATE', 'WITH'].includes(word())) return sql;
  // The statement's own verb: the first INSERT or UPDATE outside parentheses (after a WITH list, whose bodies are inside them).
  while (depth > 0 || (word() !== 'INSERT' && word() !== 'UPDATE')) {
    if (tokens.kind === 'punct') depth += tokens.text === '(' ? 1 : tokens.text === ')' ? -1 : 0;
    if (!tokens.next()) return sql;
  }
  if (!tokens.next() || word() !== 'OR' || !tokens.next() || word() !== 'FAIL') return sql;
  return `${sql.slice(0, tokens.start)}ABORT${sql.slice(tokens.end)}`;
}

/**
 * A key move as the secondary replays it: without the app's own `RETURNING`, whose rows the
 * app gets from the primary, and which in one engine's form (`RETURNING s.name` through an
 * alias) another engine may refuse after the primary ran the statement. Kept whole when the
 * clause holds a placeholder: the values are bound by count.
 */
export function withoutReturning(statement: Statement): Statement {
  const { sql } = statement;
  if (!/returning/i.test(sql)) return statement;
  const tokens = new SqlTokenizer(sql);
  let depth = 0;
  let cut = -1;
  while (tokens.next()) {
    if (tokens.kind === 'param' && cut >= 0) return statement;
    if (tokens.kind === 'punct') depth += tokens.text === '(' ? 1 : tokens.text === ')' ? -1 : 0;
    else if (cut < 0 && depth === 0 && tokens.kind === 'word' && tokens.text.toUpperCase() === 'RETURNING') cut = tokens.start;
  }
  return cut < 0 ? statement : { ...statement, sql: sql.slice(0, cut).trimEnd() };
}
