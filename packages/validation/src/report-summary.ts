import type { TableReport, ValidationReport } from './validation-types';

const RULE = '='.repeat(60);
const THIN = '-'.repeat(60);
const fmt = (n: number | null) => (n === null ? '?' : n.toLocaleString('en-US'));

/**
 * The human-readable block printed after a run: totals, then one line per table
 * naming its status, the method that checked it and what differs.
 *
 * @example
 * ```ts
 * const report = await validateDatabases(source, target);
 * console.log(formatSummary(report)); // the same text as report.summary
 * ```
 */
export function formatSummary(
  report: Pick<ValidationReport, 'ok' | 'tables' | 'totals' | 'durationMs'>,
  sides: { source: string; target: string },
): string {
  const t = report.totals;
  const lines = [
    RULE,
    '📊 Validation Summary',
    RULE,
    `Source: ${sides.source}  ->  Target: ${sides.target}`,
    `Total tables: ${fmt(t.tables)}`,
    `Source rows: ${fmt(t.sourceRows)}`,
    `Target rows: ${fmt(t.targetRows)}`,
    `Rows compared: ${fmt(t.rowsCompared)}`,
    `Mismatched tables: ${fmt(t.mismatchedTables)}`,
    `Errored tables: ${fmt(t.erroredTables)}`,
    `Missing in target: ${fmt(t.missingInTarget)}`,
    `Extra in target: ${fmt(t.extraInTarget)}`,
    `Different rows: ${fmt(t.differentRows)}`,
    `Duration: ${(report.durationMs / 1000).toFixed(2)}s`,
    THIN,
  ];
  const width = Math.min(32, Math.max(5, ...report.tables.map((r) => r.table.length)));
  for (const table of report.tables) lines.push(tableLine(table, width));
  lines.push(RULE);
  const failed = t.mismatchedTables + t.erroredTables;
  lines.push(
    report.ok
      ? '✓ Validation passed'
      : `✗ Validation failed: ${failed} of ${t.tables} table${t.tables === 1 ? '' : 's'} ${failed === 1 ? 'differs or failed' : 'differ or failed'}`,
  );
  return lines.join('\n');
}

function tableLine(table: TableReport, width: number): string {
  if (table.status === 'skipped') return `- ${table.table.padEnd(width)}  skipped   (excludeTables)`;
  const mark = table.status === 'ok' ? '✓' : '✗';
  const head = `${mark} ${table.table.padEnd(width)}  ${table.status.padEnd(8)}  ${table.method.padEnd(8)}  ${fmt(table.sourceCount)} / ${fmt(table.targetCount)} rows`;
  if (table.status === 'error') return `${head}: ${table.error ?? 'error'}`;
  const details: string[] = [];
  if (table.method !== 'count') details.push(`${fmt(table.rowsCompared)} compared`);
  if (table.missingInTargetCount) details.push(`${fmt(table.missingInTargetCount)} missing in target`);
  if (table.extraInTargetCount) details.push(`${fmt(table.extraInTargetCount)} extra in target`);
  if (table.differentRowsCount) details.push(`${fmt(table.differentRowsCount)} different`);
  if (table.settledOnRecheck) details.push(`${fmt(table.settledOnRecheck)} equal on a second read (written while read)`);
  if (table.schemaDifferences.length) details.push(`${table.schemaDifferences.length} schema difference(s)`);
  if (table.status === 'mismatch' && table.sourceCount !== table.targetCount) details.push('counts differ');
  return details.length ? `${head}, ${details.join(', ')}` : head;
}
