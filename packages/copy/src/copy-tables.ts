import { hostname } from 'node:os';
import { isSwitchyardTable, InvalidArgumentError, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import type { CopyOptions, CopyResult, TableCopyResult } from './copy-options';
import { CopyFailedError } from './copy-errors';
import { CHECKPOINT_TABLE } from './checkpoint-table';
import { MemoryLedger, TableLedger, type Ledger, type RangeState } from './_internal/checkpoint-ledger';
import { countRows, splitKeySpace } from './_internal/key-range';
import { withRetry, type RetryPolicy } from './_internal/retry-policy';
import { syncSequences } from './_internal/sequence-sync';
import { relaxSqliteSync } from './_internal/sqlite-durability';
import { prepareTableJob, type Batch, type TableJob } from './_internal/table-job';
import { createReconciler } from './_internal/batch-reconcile';
import { orderByForeignKeys, parentsOf } from './_internal/table-order';

/** A table's progress during a run. */
interface TableRun {
  job: TableJob;
  reconcile?: ReturnType<typeof createReconciler>;
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

/**
 * Copies the rows of `source` into `target`: tables in foreign-key order, keyset
 * pagination on the primary key, batches sized to the target's limits (COPY through a
 * staging table on Postgres), progress checkpointed in the target so a stopped or
 * crashed copy resumes where it was, and `onConflict` so it runs alongside dual writes.
 * The target tables must exist (see {@link translateSchema}).
 *
 * @example
 * ```ts
 * const result = await copyTables(sqlite, postgres, {
 *   onProgress: (p) => console.log(p.table, p.rowsCopied, Math.round(p.rowsPerSecond), 'rows/s'),
 * });
 * console.log(result.summary.rowsCopied);
 * ```
 */
export async function copyTables(source: DatabaseAdapter, target: DatabaseAdapter, options: CopyOptions = {}): Promise<CopyResult> {
  const started = performance.now();
  checkOptions(options);
  const policy: RetryPolicy = { retries: options.retries ?? 5, baseDelayMs: options.retryDelayMs ?? 200, maxDelayMs: 10_000 };
  const retry = <T>(fn: () => Promise<T>) => withRetry(fn, policy, options.signal);
  const [sourceTables, targetTables] = await Promise.all([retry(() => source.introspect()), retry(() => target.introspect())]);
  const selected = selectTables(sourceTables, options.tables);
  const { ordered } = orderByForeignKeys(selected);
  const names = new Set(ordered.map((t) => t.name));
  const runs: TableRun[] = [];
  for (const table of ordered) {
    const job = await prepareTableJob(source, target, table, targetTables, options);
    runs.push({
      job, reconcile: options.reconcile !== false ? createReconciler(source, target, job) : undefined, parents: parentsOf(table, names), totalRows: await retry(() => countRows(source, table)), rowsBefore: 0,
      rowsCopied: 0, rowsWritten: 0, rowsSkipped: 0, ranges: 0, active: 0, finished: false, status: 'planned',
      startedAt: performance.now(),
    });
  }
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const rangeCount = Math.max(1, Math.floor(options.ranges ?? concurrency));
  if (options.dryRun) {
    for (const run of runs) run.ranges = (await retry(() => splitKeySpace(source, run.job.source, rangeCount, run.totalRows))).length;
    return buildResult(runs, false, started);
  }

  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const ledger: Ledger = options.checkpoint === false ? new MemoryLedger() : new TableLedger(target, workerId, options.claimTimeoutMs ?? 30_000);
  await retry(() => ledger.prepare());
  for (const run of runs) {
    const name = run.job.source.name;
    if (options.resume === false) await retry(() => ledger.reset(name));
    let states = await retry(() => ledger.list(name));
    if (states.length === 0) {
      const bounds = await retry(() => splitKeySpace(source, run.job.source, rangeCount, run.totalRows));
      states = await retry(() => ledger.plan(name, bounds));
    }
    run.ranges = states.length;
    run.rowsBefore = states.reduce((n, s) => n + s.rowsCopied, 0);
  }

  const byName = new Map(runs.map((r) => [r.job.source.name, r]));
  let aborted = false;
  let stopped = false;
  let failure: { run: TableRun; range: RangeState; error: unknown } | undefined;

  const copyRange = async (run: TableRun, range: RangeState): Promise<void> => {
    const { job } = run;
    const read = (after: unknown[] | null) => {
      const p = retry(() => job.readBatch(after, range.end));
      p.catch(() => {}); // awaited later; keeps a prefetch failure from surfacing as unhandled
      return p;
    };
    let after = range.lastKey ?? range.start;
    let batch = await read(after);
    for (;;) {
      if (batch.count === 0 || !batch.lastKey) {
        await retry(() => ledger.finish(range));
        return;
      }
      if (options.signal?.aborted || stopped) {
        if (options.signal?.aborted) aborted = true;
        await ledger.release(range).catch(() => {});
        return;
      }
      const lastKey = batch.lastKey;
      const last = batch.count < job.plan.rowsPerBatch;
      // The next batch is read while this one is written: at once when the writer works
      // synchronously (SQLite, D1 batches), or once a COPY page is on the wire, so SQLite
      // renders the next page while Postgres parses this one.
      let next: Promise<Batch> | undefined;
      const readNext = () => {
        if (!last && !next) next = read(lastKey);
      };
      const advance = ledger.advance(range, lastKey, batch.count, last);
      const payload = batch.payload;
      if (job.writer.method === 'insert') readNext();
      const { written, claimed } = await retry(() => job.writer.write(payload, advance.statement, () => setImmediate(readNext)));
      readNext();
      advance.commit();
      if (run.reconcile && batch.rows) {
        const batchStart = after;
        const rows = batch.rows;
        await retry(() => run.reconcile!(batchStart, lastKey, rows));
      }
      after = lastKey;
      const sent = Array.isArray(payload) ? payload.length : payload.count;
      run.rowsCopied += batch.count;
      run.rowsWritten += written;
      run.rowsSkipped += batch.dropped + Math.max(0, sent - written);
      report(run);
      // Another worker took this range over (our heartbeat went stale): it carries on from the checkpoint.
      if (!claimed || !next) return;
      batch = await next;
    }
  };

  const report = (run: TableRun): void => {
    if (!options.onProgress) return;
    const seconds = (performance.now() - run.startedAt) / 1000;
    const rowsPerSecond = seconds > 0 ? run.rowsCopied / seconds : 0;
    const all = run.rowsBefore + run.rowsCopied;
    options.onProgress({
      table: run.job.source.name,
      rowsCopied: run.rowsCopied,
      totalRows: run.totalRows,
      rowsCopiedAllRuns: all,
      rowsPerSecond,
      etaMs: rowsPerSecond > 0 ? (Math.max(0, run.totalRows - all) / rowsPerSecond) * 1000 : undefined,
    });
  };

  const settle = async (run: TableRun): Promise<boolean> => {
    if (run.active > 0) return false;
    const states = await retry(() => ledger.list(run.job.source.name));
    if (states.some((s) => s.status === 'pending' || s.status === 'running')) return false;
    run.finished = true;
    run.endedAt = performance.now();
    run.status = states.some((s) => s.status === 'failed') ? 'failed' : 'done';
    return true;
  };

  const lane = async (): Promise<void> => {
    while (!stopped) {
      if (options.signal?.aborted) {
        aborted = true;
        return;
      }
      let claimed: { run: TableRun; range: RangeState } | undefined;
      let waiting = false;
      for (const run of runs) {
        if (run.finished) continue;
        if (!run.parents.every((p) => byName.get(p)?.finished)) {
          waiting = true;
          continue;
        }
        const range = await retry(() => ledger.claim(run.job.source.name));
        if (range) {
          claimed = { run, range };
          break;
        }
        if (!(await settle(run))) waiting = true;
      }
      if (!claimed) {
        if (!waiting) return;
        // Lanes of this process finish soon; ranges of other workers are polled less often.
        const local = runs.some((r) => r.active > 0);
        await new Promise((resolve) => setTimeout(resolve, local ? 25 : 250));
        continue;
      }
      const { run, range } = claimed;
      run.active++;
      try {
        await copyRange(run, range);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        run.error = message;
        await ledger.fail(range, message).catch(() => {});
        if (!options.continueOnError && !failure) {
          failure = { run, range, error };
          stopped = true;
        }
      } finally {
        run.active--;
      }
    }
  };

  const restoreSync = relaxSqliteSync(target);
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    restoreSync();
  }

  if (!aborted && !stopped && options.syncSequences !== false) {
    for (const run of runs) if (run.status === 'done') await retry(() => syncSequences(target, run.job.target));
  }
  for (const run of runs) if (!run.finished) run.status = aborted ? 'aborted' : failure ? 'failed' : run.status;
  const result = buildResult(runs, aborted, started);
  if (failure) {
    const { run, range, error } = failure;
    const bounds = `(${range.start ? JSON.stringify(range.start) : '-∞'}, ${range.end ? JSON.stringify(range.end) : '+∞'}]`;
    throw new CopyFailedError(
      `Copying table "${run.job.source.name}" failed in key range ${bounds} after ${policy.retries} retries: ` +
        `${run.error}. The range is recorded as failed in ${CHECKPOINT_TABLE}; fix the cause and run copyTables again ` +
        'to resume, or pass continueOnError: true to copy the other ranges and tables first.',
      { table: run.job.source.name, range: { start: range.start, end: range.end, lastKey: range.lastKey }, result },
      { dialect: target.dialect, cause: error },
    );
  }
  return result;
}

function checkOptions(options: CopyOptions): void {
  const positive = (name: keyof CopyOptions) => {
    const v = options[name];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 1))) {
      throw new InvalidArgumentError(`options.${name} must be a number >= 1, got ${String(v)}.`);
    }
  };
  positive('batchSize');
  positive('concurrency');
  positive('ranges');
  if (options.onConflict && !['skip', 'update', 'error'].includes(options.onConflict)) {
    throw new InvalidArgumentError(`options.onConflict must be 'skip', 'update' or 'error', got '${String(options.onConflict)}'.`);
  }
}

function selectTables(tables: TableInfo[], wanted: string[] | undefined): TableInfo[] {
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

function buildResult(runs: TableRun[], aborted: boolean, started: number): CopyResult {
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
