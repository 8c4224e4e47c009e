import { hostname } from 'node:os';
import { InvalidArgumentError, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import type { CopyOptions, CopyPlan, CopyResult } from './copy-options';
import { CopyFailedError } from './copy-errors';
import { CHECKPOINT_TABLE } from './checkpoint-table';
import type { Ledger, RangeState } from './_internal/checkpoint-ledger';
import { MemoryLedger } from './_internal/memory-ledger';
import { TableLedger } from './_internal/table-ledger';
import { countRows, splitKeySpace } from './_internal/key-range';
import { withRetry, type RetryPolicy } from './_internal/retry-policy';
import { syncSequences } from './_internal/sequence-sync';
import { relaxSqliteSync } from './_internal/sqlite-durability';
import { prepareTableJob, type Batch } from './_internal/table-job';
import { createReconciler } from './_internal/batch-reconcile';
import { orderByForeignKeys, parentsOf, referencedName } from './_internal/table-order';
import { buildResult, checkOptions, selectTables, type TableRun } from './_internal/copy-plan';
import { deferCycleConstraints } from './_internal/cycle-constraints';
import { createWaitReporter } from './_internal/wait-notice';

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
  const excluded = options.exclude ?? [];
  const chosen = selectTables(sourceTables, options.tables).filter((t) => !excluded.includes(t.name));
  const keyed = chosen.map((t) => (t.primaryKey.length === 0 && options.keyColumns?.[t.name] ? { ...t, primaryKey: options.keyColumns[t.name]! } : t));
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
  const notice = options.onNotice ?? (() => {});
  const names = new Set(ordered.map((t) => t.name));
  const runs: TableRun[] = [];
  for (const table of ordered) {
    const job = await prepareTableJob(source, target, table, targetTables, options);
    runs.push({
      job, ...(options.reconcile !== false ? createReconciler(source, target, job) : {}), parents: enforcedParents(parentsOf(table, names, cycles), job.target), totalRows: await retry(() => countRows(source, table)), rowsBefore: 0,
      rowsCopied: 0, rowsWritten: 0, rowsSkipped: 0, ranges: 0, active: 0, finished: false, status: 'planned',
      startedAt: performance.now(),
    });
  }
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const rangeCount = Math.max(1, Math.floor(options.ranges ?? concurrency));
  if (options.dryRun) {
    for (const run of runs) run.ranges = (await retry(() => splitKeySpace(source, run.job.source, rangeCount, run.totalRows))).length;
    return buildResult(runs, false, started, plan);
  }

  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const ledger: Ledger = options.checkpoint === false ? new MemoryLedger() : new TableLedger(target, workerId, options.claimTimeoutMs ?? 30_000);
  await retry(() => ledger.prepare());
  for (const released of await retry(() => ledger.releaseDeadLocalClaims())) {
    notice({ kind: 'resume', table: released.table, message: `took back ${released.ranges} range(s) of worker ${released.worker}, ${released.worker === workerId ? 'this worker\'s own id from a run that stopped' : 'a process on this host that is gone'}` });
  }
  const targetName = new Map(runs.map((r) => [r.job.source.name, r.job.target.name]));
  const deferred = await deferCycleConstraints(target, cycles.map((c) => c.map((n) => targetName.get(n) ?? n)));
  for (const message of deferred.notes) notice({ kind: 'constraints', message });
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
    // The batch committed last may have missed its reconcile (the process died in between): do it again.
    if (run.resync && range.lastKey && range.batchStart !== undefined) {
      const [start, last] = [range.batchStart, range.lastKey];
      await retry(() => run.resync!(start, last));
    }
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
      // With reconcile, a range is done only once its last batch is reconciled: a crash in
      // between leaves it running, and the next run reconciles that batch again.
      const advance = ledger.advance(range, after, lastKey, batch.count, last && !run.reconcile);
      const payload = batch.payload;
      if (job.writer.method === 'insert') readNext();
      const { written, claimed } = await retry(() => job.writer.write(payload, advance.statement, () => setImmediate(readNext)));
      readNext();
      advance.commit();
      if (run.reconcile && batch.rows) {
        const batchStart = after;
        const rows = batch.rows;
        await retry(() => run.reconcile!(batchStart, lastKey, rows));
        if (last) await retry(() => ledger.finish(range));
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

  /** Finished when no range is pending or running; otherwise says whose claim it waits for. */
  const settle = async (run: TableRun): Promise<{ finished: boolean; heldBy?: string }> => {
    if (run.active > 0) return { finished: false };
    const states = await retry(() => ledger.list(run.job.source.name));
    const open = states.filter((s) => s.status === 'pending' || s.status === 'running');
    if (open.length > 0) {
      const held = open.filter((s) => s.status === 'running');
      const heldBy = held.length === 0 ? undefined :
        `range(s) ${held.map((s) => s.rangeId).join(', ')} held by worker ${held.map((s) => s.worker).filter((w, i, a) => a.indexOf(w) === i).join(', ')} ` +
        `(last heartbeat ${held.map((s) => s.updatedAt).sort().pop()}); taken over when the heartbeat is ${options.claimTimeoutMs ?? 30_000} ms old`;
      return { finished: false, heldBy };
    }
    run.finished = true;
    run.endedAt = performance.now();
    run.status = states.some((s) => s.status === 'failed') ? 'failed' : 'done';
    return { finished: true };
  };

  const reportWaits = createWaitReporter(notice);
  const lane = async (): Promise<void> => {
    while (!stopped) {
      if (options.signal?.aborted) {
        aborted = true;
        return;
      }
      let claimed: { run: TableRun; range: RangeState } | undefined;
      let waiting = false;
      const waits: { table: string; message: string }[] = [];
      for (const run of runs) {
        if (run.finished) continue;
        const pending = run.parents.filter((p) => !byName.get(p)?.finished);
        if (pending.length > 0) {
          waiting = true;
          waits.push({ table: run.job.source.name, message: `waits for ${pending.join(', ')} (foreign-key parents) to be copied first` });
          continue;
        }
        const range = await retry(() => ledger.claim(run.job.source.name));
        if (range) {
          claimed = { run, range };
          break;
        }
        const settled = await settle(run);
        if (!settled.finished) waiting = true;
        if (settled.heldBy) waits.push({ table: run.job.source.name, message: `waits: ${settled.heldBy}` });
      }
      if (!claimed) {
        if (!waiting) return;
        // Lanes of this process finish soon; ranges of other workers are polled less often.
        const local = runs.some((r) => r.active > 0);
        // Only a process with nothing of its own to do is waiting, as far as its operator is concerned.
        reportWaits(local ? [] : waits);
        await new Promise((resolve) => setTimeout(resolve, local ? 25 : 250));
        continue;
      }
      reportWaits([]);
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

  if (!aborted && !stopped && runs.every((r) => r.status === 'done')) {
    for (const message of await deferred.restore()) notice({ kind: 'constraints', message });
  }
  if (!aborted && !stopped && options.syncSequences !== false) {
    for (const run of runs) if (run.status === 'done') await retry(() => syncSequences(target, run.job.target));
  }
  for (const run of runs) if (!run.finished) run.status = aborted ? 'aborted' : failure ? 'failed' : run.status;
  const result = buildResult(runs, aborted, started, plan);
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


/**
 * The parents a table must wait for: only those the target actually enforces a foreign
 * key to. Tables created in two phases (foreign keys after the copy) are copied at once.
 */
function enforcedParents(parents: string[], target: TableInfo): string[] {
  const enforced = new Set(target.foreignKeys.map((fk) => referencedName(fk).toLowerCase()));
  return parents.filter((p) => enforced.has(p.toLowerCase()));
}
