import type { CopyProgress } from '../copy-options';
import type { TableRun } from './copy-plan';

/** Reports a table's progress after a batch; does nothing without `onProgress`. */
export type ProgressReporter = (run: TableRun) => void;

/**
 * Turns a table's counters into the {@link CopyProgress} `onProgress` receives: this
 * run's throughput, and an ETA from the rows left counting earlier runs' work.
 */
export function createProgressReporter(onProgress: ((progress: CopyProgress) => void) | undefined): ProgressReporter {
  if (!onProgress) return () => {};
  return (run) => {
    const seconds = (performance.now() - run.startedAt) / 1000;
    const rowsPerSecond = seconds > 0 ? run.rowsCopied / seconds : 0;
    const all = run.rowsBefore + run.rowsCopied;
    onProgress({
      table: run.job.source.name,
      rowsCopied: run.rowsCopied,
      totalRows: run.totalRows,
      rowsCopiedAllRuns: all,
      rowsPerSecond,
      etaMs: rowsPerSecond > 0 ? (Math.max(0, run.totalRows - all) / rowsPerSecond) * 1000 : undefined,
    });
  };
}
