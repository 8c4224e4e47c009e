import type { ValidationMethod, TableReport } from '../validation-types';
import type { DiffCollector } from './diff-collector';

/** A report for a table before anything is known. */
export function emptyTableReport(table: string, method: ValidationMethod): TableReport {
  return {
    table,
    status: 'ok',
    method,
    keyColumns: [],
    sourceCount: null,
    targetCount: null,
    rowsCompared: 0,
    missingInTarget: [],
    missingInTargetCount: 0,
    extraInTarget: [],
    extraInTargetCount: 0,
    differentRows: [],
    differentRowsCount: 0,
    truncated: false,
    schemaDifferences: [],
    durationMs: 0,
  };
}

/** Copies what a collector found into the report. */
export function applyCollector(report: TableReport, collector: DiffCollector): void {
  report.rowsCompared = collector.rowsCompared;
  report.missingInTarget = collector.missingInTarget;
  report.missingInTargetCount = collector.missingInTargetCount;
  report.extraInTarget = collector.extraInTarget;
  report.extraInTargetCount = collector.extraInTargetCount;
  report.differentRows = collector.differentRows;
  report.differentRowsCount = collector.differentRowsCount;
  report.truncated = collector.truncated;
}

/** `mismatch` when anything differs, `ok` otherwise (errors are set by the caller). */
export function settleStatus(report: TableReport): void {
  if (report.status === 'error' || report.status === 'skipped') return;
  const differs =
    report.schemaDifferences.length > 0 ||
    report.sourceCount !== report.targetCount ||
    report.missingInTargetCount + report.extraInTargetCount + report.differentRowsCount > 0;
  report.status = differs ? 'mismatch' : 'ok';
}

/** The message of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The report of a table left out by `excludeTables`. */
export function skippedTableReport(table: string): TableReport {
  const report = emptyTableReport(table, 'count');
  report.status = 'skipped';
  return report;
}
