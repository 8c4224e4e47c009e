import type { DatabaseAdapter } from '@switchyard/core';
import { formatSummary } from '../report-summary';
import type { TableReport, ValidationReport } from '../validation-types';

/** Totals, verdict and summary over the tables' reports. */
export function buildReport(tables: TableReport[], started: number, source: DatabaseAdapter, target: DatabaseAdapter): ValidationReport {
  const totals: ValidationReport['totals'] = {
    tables: tables.length,
    sourceRows: 0,
    targetRows: 0,
    rowsCompared: 0,
    mismatchedTables: 0,
    erroredTables: 0,
    missingInTarget: 0,
    extraInTarget: 0,
    differentRows: 0,
  };
  for (const t of tables) {
    totals.sourceRows += t.sourceCount ?? 0;
    totals.targetRows += t.targetCount ?? 0;
    totals.rowsCompared += t.rowsCompared;
    if (t.status === 'mismatch') totals.mismatchedTables++;
    if (t.status === 'error') totals.erroredTables++;
    totals.missingInTarget += t.missingInTargetCount;
    totals.extraInTarget += t.extraInTargetCount;
    totals.differentRows += t.differentRowsCount;
  }
  const ok = tables.every((t) => t.status === 'ok' || t.status === 'skipped');
  const durationMs = performance.now() - started;
  const summary = formatSummary({ ok, tables, totals, durationMs }, { source: source.name, target: target.name });
  return { ok, summary, tables, totals, durationMs };
}
