import { isWriteStatement, type RawResult, type Row } from '@switchyard/core';
import type { QueryResult } from 'pg';

/** A pg result (or a multi-statement text's results) as the adapter contract's raw result. */
export function toRawResult(result: QueryResult | QueryResult[], sql: string): RawResult {
  if (Array.isArray(result)) {
    // A multi-statement text (no parameters): rows of the last result, the writes of all.
    const last = result[result.length - 1];
    const rowsAffected = result.reduce((sum, r) => sum + affected(r, sql), 0);
    return { rows: (last?.rows ?? []) as Row[], rowsAffected };
  }
  const rows = result.rows as Row[];
  const raw: RawResult = { rows, rowsAffected: affected(result, sql) };
  if (result.command === 'INSERT' && rows.length > 0) {
    const id = rows[rows.length - 1]!.id;
    if (typeof id === 'number' || typeof id === 'bigint' || typeof id === 'string') raw.lastInsertId = id;
  }
  return raw;
}

function affected(result: QueryResult, sql: string): number {
  // SELECT reports the rows it read; only writes (including SELECT … FOR UPDATE, CREATE TABLE AS) count.
  if (result.command === 'SELECT' && !isWriteStatement(sql)) return 0;
  return result.rowCount ?? 0;
}
