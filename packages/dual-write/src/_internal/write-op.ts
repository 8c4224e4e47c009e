import type { CompiledQuery } from 'kysely';
import { SqlTokenizer, type DatabaseAdapter, type DialectName, type Statement } from '@switchyard/core';

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
 * side's own Kysely instance, or the SQL already compiled when the dialects match.
 */
export function compileFor(side: DatabaseAdapter, compiled: CompiledQuery, compiledFor: DialectName): Statement {
  if (family(side.dialect) === family(compiledFor)) return { sql: compiled.sql, params: compiled.parameters };
  const own = side.db.getExecutor().compileQuery(compiled.query, compiled.queryId);
  return { sql: own.sql, params: own.parameters };
}

/**
 * A statement as a side runs it: `$N` placeholders (Postgres's, written by hand) become
 * `?N` on SQLite and D1, which number them the same way. Replayed there as written, `$1`
 * would be a named parameter that a list of values cannot fill, after the primary ran it.
 */
export function sideForm(side: DatabaseAdapter, statement: Statement): Statement {
  const { sql } = statement;
  if (side.dialect === 'postgres' || !sql.includes('$')) return statement;
  const tokens = new SqlTokenizer(sql);
  let out = '';
  let at = 0;
  while (tokens.next()) {
    if (tokens.kind !== 'param' || sql[tokens.start] !== '$') continue;
    out += `${sql.slice(at, tokens.start)}?${tokens.param}`;
    at = tokens.end;
  }
  return at === 0 ? statement : { ...statement, sql: out + sql.slice(at) };
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
