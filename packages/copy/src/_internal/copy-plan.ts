import { isSwitchyardTable, InvalidArgumentError, type TableInfo } from '@switchyard/core';
import type { CopyResult, TableCopyResult } from '../copy-options';
import type { TableJob } from './table-job';
import type { KeyValues } from './key-codec';
import type { Written } from './batch-reconcile';

/** A table's progress during a run. */
export interface TableRun {
  job: TableJob;
  reconcile?: (after: KeyValues | null, lastKey: KeyValues, written: Written) => Promise<unknown>;
  /** Reconciles a committed batch whose written rows are unknown (after a crash). */
  resync?: (after: KeyValues | null, lastKey: KeyValues) => Promise<unknown>;
  parents: string[];
  totalRows: number;
  rowsBefore: number;
  rowsCopied: number;
  rowsWritten: number;
  rowsSkipped: number;
  ranges: number;
  active: number;
  finished: boolean;
  status: TableCopyResult['status'];
  error?: string;
  startedAt: number;
  endedAt?: number;
}

export function selectTables(tables: TableInfo[], wanted: readonly string[] | undefined): TableInfo[] {
  const candidates = tables.filter((t) => !isSwitchyardTable(t.name));
  if (!wanted) return candidates;
  return wanted.map((name) => {
    const t = candidates.find((c) => c.name === name);
    if (!t) {
      throw new InvalidArgumentError(
        `Table "${name}" is not in the source. Tables there: ${candidates.map((c) => c.name).join(', ') || '(none)'}.`,
      );
    }
    return t;
  });
}

export function buildResult(runs: TableRun[], aborted: boolean, started: number, plan?: CopyResult['plan']): CopyResult {
  const now = performance.now();
  const tables: TableCopyResult[] = runs.map((run) => {
    const out: TableCopyResult = {
      table: run.job.source.name,
      status: run.status,
      rowsCopied: run.rowsCopied,
      rowsWritten: run.rowsWritten,
      rowsSkipped: run.rowsSkipped,
      totalRows: run.totalRows,
      ranges: run.ranges,
      rangesDone: 0,
      rowsPerStatement: run.job.plan.rowsPerStatement,
      rowsPerBatch: run.job.plan.rowsPerBatch,
      method: run.job.writer.method,
      durationMs: (run.endedAt ?? now) - run.startedAt,
    };
    if (run.error) out.error = run.error;
    if (run.status === 'done') out.rangesDone = run.ranges;
    return out;
  });
  const durationMs = now - started;
  const rowsCopied = tables.reduce((n, t) => n + t.rowsCopied, 0);
  return {
    tables,
    aborted,
    ...(plan ? { plan } : {}),
    summary: {
      tables: tables.length,
      tablesDone: tables.filter((t) => t.status === 'done').length,
      tablesFailed: tables.filter((t) => t.status === 'failed').length,
      rowsCopied,
      rowsWritten: tables.reduce((n, t) => n + t.rowsWritten, 0),
      rowsSkipped: tables.reduce((n, t) => n + t.rowsSkipped, 0),
      durationMs,
      rowsPerSecond: durationMs > 0 ? rowsCopied / (durationMs / 1000) : 0,
    },
  };
}
