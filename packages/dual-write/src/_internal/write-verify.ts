import { statementKind, type ExecResult, type Statement } from '@switchyard/core';
import type { ColumnTypeCache } from './column-types';
import { readTable, writeTable } from './column-types';
import type { EventHub } from './event-hub';
import type { MetricsCollector } from './metrics-collector';
import { compareWriteResults, sameRows } from './result-compare';
import { toError } from './to-error';

/**
 * Compares each statement's results on both sides (`verifyWrites`); a difference is
 * counted and reported with both results, never thrown: the write has happened.
 */
export async function verifyResults(
  deps: { types: ColumnTypeCache; metrics: MetricsCollector; events: EventHub },
  statements: readonly Statement[],
  verifiable: readonly boolean[],
  primary: readonly ExecResult[],
  secondary: readonly ExecResult[],
): Promise<void> {
  for (let i = 0; i < primary.length; i++) {
    if (!verifiable[i]) continue;
    const sql = statements[i]!.sql;
    const left = primary[i]!;
    const right = secondary[i] ?? { rowsAffected: Number.NaN };
    let reason: string | undefined;
    try {
      if (statementKind(sql) === 'read') {
        // A SELECT inside a batch: rows in any order, since engines order unsorted results differently.
        if (!(await sameRows(deps.types, readTable(sql), left.rows ?? [], right.rows ?? []))) reason = 'the SELECT returned different rows';
      } else {
        reason = await compareWriteResults(deps.types, writeTable(sql), left, right);
      }
    } catch (error) {
      reason = `could not compare: ${toError(error).message}`;
    }
    if (reason === undefined) continue;
    deps.metrics.verificationFailures++;
    deps.events.emit({ type: 'verification-failed', at: new Date(), sql, reason, primary: left, secondary: right });
  }
}
