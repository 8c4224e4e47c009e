import { InvalidArgumentError, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import type { CopyOptions, CopyPlan, CopyResult } from './copy-options';
import { CopyFailedError } from './copy-errors';
import { CHECKPOINT_TABLE } from './checkpoint-table';
import type { Ledger } from './_internal/checkpoint-ledger';
import { MemoryLedger } from './_internal/memory-ledger';
import { TableLedger } from './_internal/table-ledger';
import { countRows, splitKeySpace } from './_internal/key-range';
import { isRetryable, withRetry, type Retry } from './_internal/retry-policy';
import { syncSequences } from './_internal/sequence-sync';
import { relaxSqliteSync } from './_internal/sqlite-durability';
import { prepareTableJob } from './_internal/table-job';
import { createReconciler } from './_internal/batch-reconcile';
import { orderByForeignKeys, parentsOf, referencedName } from './_internal/table-order';
import { buildResult, selectTables, type TableRun } from './_internal/copy-plan';
import { deferCycleConstraints } from './_internal/cycle-constraints';
import { resolveCopyOptions, type ResolvedCopyOptions } from './_internal/resolved-copy-options';
import { createProgressReporter } from './_internal/progress-report';
import { runCopyLanes, type RangeFailure, type RunOutcome } from './_internal/copy-run';

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
  const resolved = resolveCopyOptions(options);
  const retry: Retry = (fn) =>
    withRetry(fn, { retries: resolved.retries, baseDelayMs: resolved.retryDelayMs, maxDelayMs: 10_000 }, resolved.signal);
  const { plan, runs } = await planTables(source, target, resolved, retry);
  if (resolved.dryRun) {
    for (const run of runs) run.ranges = (await retry(() => splitKeySpace(source, run.job.source, resolved.ranges, run.totalRows))).length;
    return buildResult(runs, false, started, plan);
  }

  const notice = resolved.onNotice;
  const ledger: Ledger = resolved.checkpoint ? new TableLedger(target, resolved.workerId, resolved.claimTimeoutMs) : new MemoryLedger();
  await retry(() => ledger.prepare());
  for (const released of await retry(() => ledger.releaseDeadLocalClaims())) {
    notice({
      kind: 'resume',
      table: released.table,
      message: `took back ${released.ranges} range(s) of worker ${released.worker}, ${released.worker === resolved.workerId ? "this worker's own id from a run that stopped" : 'a process on this host that is gone'}`,
    });
  }
  const targetName = new Map(runs.map((r) => [r.job.source.name, r.job.target.name]));
  const deferred = await deferCycleConstraints(
    target,
    plan.cycles.map((c) => c.map((n) => targetName.get(n) ?? n)),
  );
  for (const message of deferred.notes) notice({ kind: 'constraints', message });
  for (const run of runs) {
    const name = run.job.source.name;
    if (!resolved.resume) await retry(() => ledger.reset(name));
    let states = await retry(() => ledger.list(name));
    if (states.length === 0) {
      const bounds = await retry(() => splitKeySpace(source, run.job.source, resolved.ranges, run.totalRows));
      states = await retry(() => ledger.plan(name, bounds));
    }
    run.ranges = states.length;
    run.rowsBefore = states.reduce((n, s) => n + s.rowsCopied, 0);
  }

  const restoreSync = relaxSqliteSync(target);
  let outcome: RunOutcome;
  try {
    outcome = await runCopyLanes({ options: resolved, runs, ledger, retry, report: createProgressReporter(resolved.onProgress) });
  } finally {
    restoreSync();
  }
  const { aborted, failure } = outcome;

  if (!aborted && !failure && runs.every((r) => r.status === 'done')) {
    for (const message of await deferred.restore()) notice({ kind: 'constraints', message });
  }
  if (!aborted && !failure && resolved.syncSequences) {
    for (const run of runs) if (run.status === 'done') await retry(() => syncSequences(target, run.job.target));
  }
  for (const run of runs) if (!run.finished) run.status = aborted ? 'aborted' : failure ? 'failed' : run.status;
  const result = buildResult(runs, aborted, started, plan);
  if (failure) throw failedError(failure, result, resolved, target);
  return result;
}

/** The tables to copy in foreign-key order, each matched to its target table and counted. */
async function planTables(
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  options: ResolvedCopyOptions,
  retry: Retry,
): Promise<{ plan: CopyPlan; runs: TableRun[] }> {
  const [sourceTables, targetTables] = await Promise.all([retry(() => source.introspect()), retry(() => target.introspect())]);
  const excluded = [...options.exclude];
  const chosen = selectTables(sourceTables, options.tables).filter((t) => !excluded.includes(t.name));
  const keyed = chosen.map((t) =>
    t.primaryKey.length === 0 && options.keyColumns[t.name] ? { ...t, primaryKey: options.keyColumns[t.name]! } : t,
  );
  const keyless = keyed.filter((t) => t.primaryKey.length === 0).map((t) => t.name);
  if (keyless.length > 0 && options.keyless !== 'skip' && !options.dryRun) {
    throw new InvalidArgumentError(
      `Table(s) ${keyless.map((n) => `"${n}"`).join(', ')} have no primary key: the copy pages by key to resume without duplicates. ` +
        'Name unique, not-null columns that identify a row (keyColumns: { table: [columns] }), leave the table(s) out ' +
        "(exclude), or copy everything else first (keyless: 'skip').",
    );
  }
  const { ordered, cycles } = orderByForeignKeys(keyed.filter((t) => t.primaryKey.length > 0));
  const plan: CopyPlan = { order: ordered.map((t) => t.name), cycles, keyless, excluded };
  const names = new Set(ordered.map((t) => t.name));
  const runs: TableRun[] = [];
  for (const table of ordered) {
    const job = await prepareTableJob(source, target, table, targetTables, options);
    runs.push({
      job,
      ...(options.reconcile ? createReconciler(source, target, job) : {}),
      parents: enforcedParents(parentsOf(table, names, cycles), job.target),
      totalRows: await retry(() => countRows(source, table)),
      rowsBefore: 0,
      rowsCopied: 0,
      rowsWritten: 0,
      rowsSkipped: 0,
      ranges: 0,
      active: 0,
      finished: false,
      status: 'planned',
      startedAt: performance.now(),
    });
  }
  return { plan, runs };
}

/** The error a failed range ends the copy with: which range, why, and how to resume. */
function failedError(
  { run, range, error }: RangeFailure,
  result: CopyResult,
  options: ResolvedCopyOptions,
  target: DatabaseAdapter,
): CopyFailedError {
  const bounds = `(${range.start ? JSON.stringify(range.start) : '-∞'}, ${range.end ? JSON.stringify(range.end) : '+∞'}]`;
  return new CopyFailedError(
    `Copying table "${run.job.source.name}" failed in key range ${bounds}${isRetryable(error) ? ` after ${options.retries} retries` : ''}: ` +
      `${run.error?.replace(/\.$/, '')}. The range is recorded as failed in ${CHECKPOINT_TABLE}; fix the cause and run copyTables again ` +
      'to resume, or pass continueOnError: true to copy the other ranges and tables first.',
    { table: run.job.source.name, range: { start: range.start, end: range.end, lastKey: range.lastKey }, result },
    { dialect: target.dialect, cause: error },
  );
}

/**
 * The parents a table must wait for: only those the target actually enforces a foreign
 * key to. Tables created in two phases (foreign keys after the copy) are copied at once.
 */
function enforcedParents(parents: string[], target: TableInfo): string[] {
  const enforced = new Set(target.foreignKeys.map((fk) => referencedName(fk).toLowerCase()));
  return parents.filter((p) => enforced.has(p.toLowerCase()));
}
