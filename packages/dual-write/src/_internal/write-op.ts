import type { CompiledQuery } from 'kysely';
import type { DatabaseAdapter, DialectName, Statement } from '@switchyard/core';

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
