import type { DatabaseAdapter, NormalizeOptions } from '@switchyard/core';
import type { TableReport, ValidationProgress } from '../validation-types';
import { canChecksum, checksumCompare } from './checksum-compare';
import { checksumDialect } from './checksum-sql';
import { DiffCollector } from './diff-collector';
import { recheckDifferences } from './difference-recheck';
import { KeyCodec } from './key-codec';
import { mergeCompare } from './merge-compare';
import { sampleCompare } from './sample-compare';
import { tableRef } from './sql-text';
import { applyCollector, emptyTableReport, errorText, settleStatus } from './table-report';
import type { TablePlan } from './table-plan';
import type { TableRun } from './table-run';

/** Settings resolved once per run. */
export interface RunSettings {
  sampleSize: number;
  validateAllRows: boolean;
  maxDifferences: number;
  pageSize: number;
  checksums: boolean;
  recheck: boolean;
  normalize: NormalizeOptions;
  progress(event: Omit<ValidationProgress, 'tablesDone' | 'tablesTotal'>): void;
}

/**
 * Validates one table by its plan. Problems of the table itself (no key, missing on a
 * side, schema differences) end up in the report; failures to read are thrown for the
 * caller to report or rethrow according to `continueOnError`.
 */
export async function validateTable(
  plan: TablePlan,
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  settings: RunSettings,
): Promise<TableReport> {
  const started = performance.now();
  const method = settings.validateAllRows ? 'merge' : settings.sampleSize > 0 ? 'sample' : 'count';
  const report = emptyTableReport(plan.name, method);
  report.schemaDifferences = plan.schemaDifferences;
  report.keyColumns = plan.sourceKeys.map((k) => k.name);
  settings.progress({ table: plan.name, phase: 'start', rowsCompared: 0 });

  if (!plan.source || !plan.target) {
    report.method = 'count';
    const present = plan.source ? source : target;
    const count = await countRows(present, (plan.source ?? plan.target)!);
    if (plan.source) report.sourceCount = count;
    else report.targetCount = count;
    return finish(report, started, settings);
  }
  if (plan.keyError) {
    report.method = 'count';
    report.status = 'error';
    report.error = plan.keyError;
    [report.sourceCount, report.targetCount] = await Promise.all([countRows(source, plan.source), countRows(target, plan.target)]);
    return finish(report, started, settings);
  }

  const collector = new DiffCollector(settings.maxDifferences);
  const run: TableRun = {
    plan,
    source,
    target,
    collector,
    codec: new KeyCodec(plan.sourceKeys, settings.normalize),
    normalize: settings.normalize,
    pageSize: settings.pageSize,
    sourceCount: 0,
    targetCount: 0,
    progress: () => settings.progress({ table: plan.name, phase: 'rows', rowsCompared: collector.rowsCompared }),
  };
  if (settings.validateAllRows) {
    const dialect = settings.checksums ? checksumDialect(source, target) : undefined;
    if (dialect && canChecksum(run)) {
      report.method = 'checksum';
      await checksumCompare(run, dialect);
    } else {
      const counts = await mergeCompare(run);
      run.sourceCount = counts.source;
      run.targetCount = counts.target;
    }
    report.sourceCount = run.sourceCount;
    report.targetCount = run.targetCount;
  } else {
    [report.sourceCount, report.targetCount] = await Promise.all([countRows(source, plan.source), countRows(target, plan.target)]);
    if (method === 'sample') await sampleCompare(run, settings.sampleSize);
  }
  const settled = settings.recheck ? await recheckDifferences(run) : 0;
  if (settled > 0) report.settledOnRecheck = settled;
  applyCollector(report, collector);
  return finish(report, started, settings);
}

function finish(report: TableReport, started: number, settings: RunSettings): TableReport {
  settleStatus(report);
  report.durationMs = performance.now() - started;
  settings.progress({ table: report.table, phase: 'done', rowsCompared: report.rowsCompared, status: report.status });
  return report;
}

/** `SELECT count(*)` of a table, as a number. */
export async function countRows(adapter: DatabaseAdapter, table: { name: string; schema?: string }): Promise<number> {
  const row = await adapter.first<{ n: unknown }>(`SELECT count(*) AS n FROM ${tableRef(table)}`);
  return Number(row?.n ?? 0);
}

/** A report for a table whose validation threw, under `continueOnError`. */
export function erroredTable(plan: TablePlan, error: unknown, started: number): TableReport {
  const report = emptyTableReport(plan.name, 'count');
  report.status = 'error';
  report.error = errorText(error);
  report.keyColumns = plan.sourceKeys.map((k) => k.name);
  report.schemaDifferences = plan.schemaDifferences;
  report.durationMs = performance.now() - started;
  return report;
}
